import { chmod, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AppError, ErrorCode } from '@consilium/errors';
import { generateIdentity, publicKeyFromPrivate, type Identity } from '@consilium/protocol';

/**
 * The site's Ed25519 identity. The private key is written with mode 0600 and never leaves the site;
 * only the public key is registered with the hub at enrolment.
 */
export async function loadOrCreateIdentity(file: string): Promise<Identity & { created: boolean }> {
  try {
    const privateKeyPem = await readFile(file, 'utf8');
    await assertPrivate(file);
    return { privateKeyPem, publicKey: publicKeyFromPrivate(privateKeyPem), created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const identity = generateIdentity();
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, identity.privateKeyPem, { mode: 0o600, flag: 'wx' });
  await chmod(file, 0o600);
  return { ...identity, created: true };
}

export async function loadIdentity(file: string): Promise<Identity> {
  let privateKeyPem: string;
  try {
    privateKeyPem = await readFile(file, 'utf8');
  } catch {
    throw new AppError(ErrorCode.INVALID_INPUT, `No identity key at ${file}: run "consilium-agent enroll" first`);
  }
  await assertPrivate(file);
  return { privateKeyPem, publicKey: publicKeyFromPrivate(privateKeyPem) };
}

/** Refuses a key file other users can read: a leaked key lets anyone act as this hospital. */
async function assertPrivate(file: string): Promise<void> {
  const info = await stat(file);
  if ((info.mode & 0o077) !== 0) {
    throw new AppError(ErrorCode.FORBIDDEN, `${file} is readable by other users (mode ${(info.mode & 0o777).toString(8)}); run: chmod 600 ${file}`);
  }
}

/**
 * A key rotation's new key, written (0600, flushed to disk) next to the identity key before the hub is
 * asked: if the agent dies after the hub accepted it, the key the hub now expects is not lost.
 */
export function stagedIdentityFile(file: string): string {
  return `${file}.next`;
}

export async function stageIdentity(file: string, identity: Identity): Promise<void> {
  const staged = stagedIdentityFile(file);
  await rm(staged, { force: true });
  const handle = await open(staged, 'wx', 0o600);
  try {
    await handle.writeFile(identity.privateKeyPem);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await chmod(staged, 0o600);
}

/** The staged key of an interrupted rotation, if any. */
export async function loadStagedIdentity(file: string): Promise<Identity | null> {
  try {
    await stat(stagedIdentityFile(file));
  } catch {
    return null;
  }
  return loadIdentity(stagedIdentityFile(file));
}

/** After the hub accepted it: the staged key atomically replaces the identity key (rename). */
export async function commitStagedIdentity(file: string): Promise<void> {
  await rename(stagedIdentityFile(file), file);
}

/** The hub refused the new key: the old one stays in use. */
export async function discardStagedIdentity(file: string): Promise<void> {
  await rm(stagedIdentityFile(file), { force: true });
}
