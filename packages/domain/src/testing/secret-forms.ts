import { createPrivateKey } from 'node:crypto';

/**
 * A secret as a log scan looks for it: a string (a token, or a PEM private key) or raw bytes (a
 * key share, a box private key).
 */
export type Secret = string | Uint8Array;

/** Shorter forms would match by chance (a hex digit run, a word): a secret must be distinctive. */
const MIN_FORM_LENGTH = 16;

/**
 * Every form a secret could take in a log line, each as a whole value:
 *   - a string as is; a PEM private key also by its base64 body (whole and per 64-character PEM
 *     line), its PKCS#8 DER in hex, and its raw 32-byte seed (Ed25519/X25519) in base64,
 *     base64url and hex;
 *   - bytes in base64, base64url and hex (lower and upper case).
 * Base64 forms are unpadded: a padded spelling contains them, an unpadded one would not contain
 * the padded form.
 */
export function formsOf(secret: Secret): string[] {
  const forms = typeof secret === 'string' ? stringForms(secret) : bytesForms(Buffer.from(secret.buffer, secret.byteOffset, secret.byteLength));
  const short = forms.find((form) => form.length < MIN_FORM_LENGTH);
  if (short !== undefined) throw new Error(`a secret form of ${short.length} characters is too short to scan for without false alarms (${MIN_FORM_LENGTH} at least)`);
  return [...new Set(forms)];
}

function stringForms(secret: string): string[] {
  if (!secret.includes('PRIVATE KEY')) return [secret];
  const body = secret.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const forms = [secret.trim(), body, ...(body.match(/.{64}/g) ?? [])];
  let der: Buffer;
  try {
    der = createPrivateKey(secret).export({ type: 'pkcs8', format: 'der' });
  } catch {
    return forms;
  }
  const seed = der.subarray(der.length - 32);
  return [...forms, der.toString('hex'), ...bytesForms(seed)];
}

function bytesForms(bytes: Buffer): string[] {
  const hex = bytes.toString('hex');
  return [bytes.toString('base64').replace(/=+$/, ''), bytes.toString('base64url'), hex, hex.toUpperCase()];
}

/**
 * Where any of `secrets` (by name) appears in any of its forms in `lines`: one message per secret
 * form found, naming the secret, the first line (1-based) it is on and the start of that line.
 * `source` names where the lines come from (a log file, a command's output) in the messages.
 */
export function leaks(lines: readonly string[], secrets: ReadonlyMap<string, Secret>, source = 'line'): string[] {
  const found: string[] = [];
  for (const [name, secret] of secrets) {
    for (const form of formsOf(secret)) {
      const at = lines.findIndex((line) => line.includes(form));
      if (at >= 0) found.push(`${name} appears in ${source === 'line' ? 'line' : `${source}, line`} ${at + 1}: ${lines[at]!.slice(0, 120)}`);
    }
  }
  return found;
}
