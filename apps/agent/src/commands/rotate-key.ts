import { ErrorCode } from '@consilium/errors';
import { fingerprint, generateIdentity, signKeyRotation, type Identity } from '@consilium/protocol';
import type { Logger } from 'pino';
import type { AgentFiles } from '../agent-files.ts';
import { loadConfig, networkOf, type NetworkResolver } from '../config.ts';
import { describeHubError, errorCodeOf, HubConnection, isTransient } from '../hub-connection.ts';
import { commitStagedIdentity, discardStagedIdentity, loadIdentity, loadStagedIdentity, stageIdentity, stagedIdentityFile } from '../identity-store.ts';
import { TransferLog } from '../transfer-log.ts';
import { AGENT_VERSION } from '../version.ts';

export interface RotateKeyOptions {
  /** How to reach the hub (default: the config's CA bundle and proxy). */
  network?: NetworkResolver | undefined;
  timeoutMs?: number | undefined;
}

/**
 * Replaces this site's Ed25519 identity key. The new key is generated and staged (0600) next to the
 * old one; the hub is asked with a request signed by the old key carrying the new key's signature of
 * the rotation statement; only once the hub accepted it does the new key replace the old file
 * (rename). If the hub refuses, the old key stays in use. An interrupted rotation (no answer) is
 * finished or undone by running the command again.
 */
export async function rotateKeyCommand(files: AgentFiles, options: RotateKeyOptions, print: (line: string) => void, logger?: Logger): Promise<void> {
  const config = await loadConfig(files);
  const current = await loadIdentity(files.identityKey);
  const network = (options.network ?? ((c) => networkOf(c, {})))(config);
  const hubFor = (identity: Identity) =>
    new HubConnection({ hubUrl: config.hubUrl, siteId: config.siteId, privateKeyPem: identity.privateKeyPem, network, timeoutMs: options.timeoutMs ?? 30_000 });

  const staged = await loadStagedIdentity(files.identityKey);
  if (staged && (await settleInterruptedRotation(files, current, staged, hubFor, print, logger))) return;

  const next = generateIdentity();
  await stageIdentity(files.identityKey, next);
  const proof = signKeyRotation({ siteId: config.siteId, oldPublicKey: current.publicKey, newPrivateKeyPem: next.privateKeyPem });
  let result;
  try {
    result = await hubFor(current).client.agent.rotateKey.mutate({ newPublicKey: proof.newPublicKey, proof: proof.proof });
  } catch (error) {
    if (isTransient(error)) {
      // The hub may have accepted it before the connection broke: keep the staged key to find out next time.
      logger?.warn({ error: describeHubError(error) }, 'key rotation: no answer from the hub');
      throw new Error(
        `Key rotation not confirmed (${describeHubError(error)}). The current key stays in use; run "consilium-agent rotate-key" again when the hub is reachable (it finishes or undoes this attempt).`,
        { cause: error },
      );
    }
    await discardStagedIdentity(files.identityKey);
    logger?.error({ error: describeHubError(error) }, 'key rotation refused by the hub; the current key stays in use');
    throw new Error(`The hub refused the key rotation (${describeHubError(error)}); the current key stays in use.`, { cause: error });
  }
  await commitStagedIdentity(files.identityKey);
  await new TransferLog(files.transfers).append({ kind: 'key-rotation', studyId: null, roundId: null, bytes: proof.newPublicKey.length, sha256: null });
  logger?.info({ siteId: config.siteId, previousFingerprint: result.previousFingerprint, fingerprint: result.publicKeyFingerprint }, 'identity key rotated');
  print(`Identity key rotated: ${result.previousFingerprint} → ${result.publicKeyFingerprint} (${files.identityKey}).`);
  print('The hub refuses the previous key from now on.');
  if (result.pinnedInStudies.length > 0) {
    print(
      `Note: the other sites pinned the previous key at the key ceremony of ${result.pinnedInStudies.map((s) => `"${s.name}"`).join(', ')}; ask the study lead to re-key (consilium-hub study:rekey <studyId>) so they pin the new one — until then they may refuse this site's uploads there.`,
    );
  }
}

/** A staged key from an earlier attempt: true when that rotation turned out accepted (and is now finished). */
async function settleInterruptedRotation(
  files: AgentFiles,
  current: Identity,
  staged: Identity,
  hubFor: (identity: Identity) => HubConnection,
  print: (line: string) => void,
  logger?: Logger,
): Promise<boolean> {
  const works = async (identity: Identity) => {
    try {
      await hubFor(identity).client.agent.poll.mutate({ agentVersion: AGENT_VERSION, backend: null });
      return true;
    } catch (error) {
      if (errorCodeOf(error) === ErrorCode.INVALID_SIGNATURE) return false;
      throw new Error(`Cannot check an earlier, unconfirmed key rotation (${stagedIdentityFile(files.identityKey)}): ${describeHubError(error)}`, { cause: error });
    }
  };
  if (await works(current)) {
    await discardStagedIdentity(files.identityKey);
    return false;
  }
  if (!(await works(staged))) throw new Error(`The hub accepts neither ${files.identityKey} nor ${stagedIdentityFile(files.identityKey)}; ask the consortium administrator`);
  await commitStagedIdentity(files.identityKey);
  logger?.info({ fingerprint: fingerprint(staged.publicKey) }, 'identity key rotation finished (the hub had accepted it)');
  print(`An earlier key rotation had been accepted by the hub; finished it: the identity key is now ${fingerprint(staged.publicKey)}.`);
  return true;
}
