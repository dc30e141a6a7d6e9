import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError, ErrorCode } from '@consilium/errors';
import { fingerprint, generateIdentity, publicKeyFromPrivate } from '@consilium/protocol';

/**
 * The hub's own Ed25519 signing key, which signs audit export manifests and ownership statements
 * (`ownership:statement`, and the API's contribution.statement). It is created on first
 * use and kept in the hub's data directory (`hub-signing-key.pem`, PKCS#8 PEM, mode 0600) next to
 * the admin token. Its public key is what auditors pin (`consilium-hub audit:public-key`): anyone
 * holding the private key can sign an export, so it must stay readable by the hub's user only.
 */
export const SIGNING_KEY_FILE = 'hub-signing-key.pem';

export interface HubSigningKey {
  /** PKCS#8 PEM, for `signAuditExportManifest`. */
  privateKeyPem: string;
  /** Base64 raw Ed25519 public key, as verifiers take it. */
  publicKey: string;
  /** Short form to compare by eye (e.g. read over the phone). */
  fingerprint: string;
  file: string;
  /** True when this call generated the key. */
  created: boolean;
}

/**
 * Loads the hub's signing key from `dataDir`, generating it if there is none. Creation is atomic
 * (written under a temporary name, then hard-linked into place, which fails if another process
 * got there first), so two commands started together agree on one key. Refuses a key file that
 * group or others can read: a leaked key lets anyone forge signed exports.
 */
export async function loadOrCreateHubSigningKey(dataDir: string): Promise<HubSigningKey> {
  const file = path.join(dataDir, SIGNING_KEY_FILE);
  const existing = await readKey(file);
  if (existing !== null) return describe(existing, file, false);

  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const { privateKeyPem } = generateIdentity();
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, privateKeyPem, { mode: 0o600, flag: 'wx' });
  await chmod(temp, 0o600); // whatever the umask
  try {
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = await readKey(file);
    if (winner === null) throw error;
    return describe(winner, file, false);
  } finally {
    await rm(temp, { force: true });
  }
  return describe(privateKeyPem, file, true);
}

async function readKey(file: string): Promise<string | null> {
  let mode: number;
  try {
    mode = (await stat(file)).mode;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new AppError(
      ErrorCode.FORBIDDEN,
      `The hub signing key ${file} is accessible to other users (mode ${(mode & 0o777).toString(8)}); run \`chmod 600 ${file}\`, and consider the key compromised if others could read it.`,
    );
  }
  return readFile(file, 'utf8');
}

function describe(privateKeyPem: string, file: string, created: boolean): HubSigningKey {
  let publicKey: string;
  try {
    publicKey = publicKeyFromPrivate(privateKeyPem);
  } catch (cause) {
    throw new AppError(ErrorCode.INTERNAL, `The hub signing key ${file} is not an Ed25519 PKCS#8 PEM private key`, { cause });
  }
  return { privateKeyPem, publicKey, fingerprint: fingerprint(publicKey), file, created };
}
