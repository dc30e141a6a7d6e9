/** The `--public-key` argument of the offline verifiers (consilium-audit, consilium-ownership). */
import { createPublicKey } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { AppError, ErrorCode } from '@consilium/errors';
import { parsePublicKey } from '@consilium/protocol';

/** The key from --public-key: a file (base64 raw key or PEM) if one exists at that path, else the base64 key itself. */
export async function readPublicKeyArgument(value: string): Promise<string> {
  const isFile = await stat(value).then(
    (s) => s.isFile(),
    () => false,
  );
  const text = isFile ? (await readFile(value, 'utf8')).trim() : value.trim();
  try {
    if (text.startsWith('-----BEGIN PUBLIC KEY-----')) {
      const key = createPublicKey({ key: text, format: 'pem' });
      if (key.asymmetricKeyType !== 'ed25519') throw new Error(`it is a ${key.asymmetricKeyType ?? 'unknown'} key, not Ed25519`);
      return key.export({ format: 'raw-public' }).toString('base64');
    }
    parsePublicKey(text);
    return text;
  } catch (error) {
    const what = isFile ? `the file ${value}` : 'the value';
    throw new AppError(ErrorCode.INVALID_INPUT, `--public-key: ${what} is not an Ed25519 public key (base64 of the raw 32 bytes, or PEM): ${(error as Error).message}`, {
      cause: error,
    });
  }
}
