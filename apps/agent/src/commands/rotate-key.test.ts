import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { auditEvents } from '@consilium/db';
import { revokeSite } from '@consilium/domain';
import { ErrorCode } from '@consilium/errors';
import { fingerprint, publicKeyFromPrivate } from '@consilium/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type AgentTestHub } from '../../test/test-hub.ts';
import { AgentFiles } from '../agent-files.ts';
import { loadConfig } from '../config.ts';
import { errorCodeOf, HubConnection } from '../hub-connection.ts';
import { stagedIdentityFile } from '../identity-store.ts';
import { AGENT_VERSION } from '../version.ts';
import { enrollCommand } from './enroll.ts';
import { rotateKeyCommand } from './rotate-key.ts';

/** `consilium-agent rotate-key` against a real hub over HTTP. */
describe('consilium-agent rotate-key', { timeout: 60_000 }, () => {
  let hub: AgentTestHub;
  let dir: string;
  beforeAll(async () => {
    hub = await startTestHub();
    dir = await mkdtemp(path.join(tmpdir(), 'consilium-rotate-'));
  }, 60_000);
  afterAll(async () => {
    await hub?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const enrolled = async (name: string) => {
    const files = new AgentFiles(path.join(dir, name));
    await enrollCommand(files, { hubUrl: hub.url, token: await hub.issueToken(name) }, () => {});
    return files;
  };
  const poll = async (files: AgentFiles, privateKeyPem: string) => {
    const config = await loadConfig(files);
    return new HubConnection({ hubUrl: config.hubUrl, siteId: config.siteId, privateKeyPem, timeoutMs: 10_000 }).client.agent.poll.mutate({ agentVersion: AGENT_VERSION, backend: null });
  };
  const refusal = (call: Promise<unknown>) => call.then(() => null, (error: unknown) => ({ code: errorCodeOf(error), message: (error as Error).message }));

  it('replaces the key on the hub, which refuses the old key at once and records site.key_rotated', async () => {
    const files = await enrolled('Rotating Hospital');
    const oldPem = await readFile(files.identityKey, 'utf8');
    await poll(files, oldPem); // the old key works before

    const printed: string[] = [];
    await rotateKeyCommand(files, {}, (line) => printed.push(line));

    const newPem = await readFile(files.identityKey, 'utf8');
    expect(newPem).not.toBe(oldPem);
    expect((await stat(files.identityKey)).mode & 0o777).toBe(0o600);
    await expect(stat(stagedIdentityFile(files.identityKey))).rejects.toThrow();
    expect(printed.join('\n')).toContain(fingerprint(publicKeyFromPrivate(newPem)));

    expect((await poll(files, newPem)).siteName).toBe('Rotating Hospital');
    expect(await refusal(poll(files, oldPem))).toMatchObject({ code: ErrorCode.INVALID_SIGNATURE });

    const { siteId } = await loadConfig(files);
    const events = await hub.hub.domain.db.select().from(auditEvents).where(eq(auditEvents.siteId, siteId));
    const rotated = events.filter((e) => e.action === 'site.key_rotated');
    expect(rotated).toHaveLength(1);
    expect(rotated[0]!.payload).toEqual({
      siteName: 'Rotating Hospital',
      previousFingerprint: fingerprint(publicKeyFromPrivate(oldPem)),
      publicKeyFingerprint: fingerprint(publicKeyFromPrivate(newPem)),
    });
  });

  it('keeps the old key when the hub refuses the rotation (a revoked site), and refuses a revoked site at once', async () => {
    const files = await enrolled('Revoked Hospital');
    const oldPem = await readFile(files.identityKey, 'utf8');
    await poll(files, oldPem);
    await revokeSite(hub.hub.domain, { siteName: 'Revoked Hospital', actor: 'admin:test', reason: 'key reported stolen' });

    expect(await refusal(poll(files, oldPem))).toMatchObject({ code: ErrorCode.FORBIDDEN, message: expect.stringContaining('has been revoked') as unknown });
    await expect(rotateKeyCommand(files, {}, () => {})).rejects.toThrow(/refused the key rotation.*revoked.*current key stays in use/s);
    expect(await readFile(files.identityKey, 'utf8')).toBe(oldPem);
    await expect(stat(stagedIdentityFile(files.identityKey))).rejects.toThrow();
  });

  it('keeps the old key (and the staged one, to settle later) when the hub cannot be reached, then finishes', async () => {
    const files = await enrolled('Offline Hospital');
    const oldPem = await readFile(files.identityKey, 'utf8');
    const unreachable = () => ({ proxyEnv: { HTTP_PROXY: 'http://127.0.0.1:9' } });
    await expect(rotateKeyCommand(files, { network: unreachable, timeoutMs: 2000 }, () => {})).rejects.toThrow(/not confirmed.*current key stays in use/s);
    expect(await readFile(files.identityKey, 'utf8')).toBe(oldPem);
    await poll(files, oldPem);
    // Run again with the hub reachable: the unconfirmed attempt is discarded and a new rotation done.
    await rotateKeyCommand(files, {}, () => {});
    const newPem = await readFile(files.identityKey, 'utf8');
    expect(newPem).not.toBe(oldPem);
    expect(await refusal(poll(files, oldPem))).toMatchObject({ code: ErrorCode.INVALID_SIGNATURE });
    await poll(files, newPem);
  });
});
