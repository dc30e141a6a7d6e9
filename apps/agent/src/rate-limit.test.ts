import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type AgentTestHub } from '../test/test-hub.ts';
import { AgentFiles } from './agent-files.ts';
import { enrollCommand } from './commands/enroll.ts';
import { loadConfig } from './config.ts';
import { errorCodeOf, HubConnection, isTransient, retryAfterMsOf } from './hub-connection.ts';
import { AGENT_VERSION } from './version.ts';

/**
 * A hub refuses a site over its request rate limit with RATE_LIMITED and how long to wait. The agent
 * takes that as transient (retry later; an upload stays in the outbox) and waits at least that long.
 */
describe('the agent over its rate limit', { timeout: 60_000 }, () => {
  let hub: AgentTestHub;
  let dir: string;
  let connection: HubConnection;
  beforeAll(async () => {
    hub = await startTestHub({ limits: { siteRequestsPerWindow: 2, siteRateWindowMs: 60_000 } });
    dir = await mkdtemp(path.join(tmpdir(), 'consilium-agent-rate-'));
    const files = new AgentFiles(path.join(dir, 'site'));
    await enrollCommand(files, { hubUrl: hub.url, token: await hub.issueToken('Busy Hospital') }, () => {});
    const config = await loadConfig(files);
    connection = new HubConnection({ hubUrl: config.hubUrl, siteId: config.siteId, privateKeyPem: await readFile(files.identityKey, 'utf8'), timeoutMs: 10_000 });
  }, 60_000);
  afterAll(async () => {
    await hub?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const failure = (call: Promise<unknown>) => call.then(() => null, (error: unknown) => error);

  it('sees RATE_LIMITED as transient, with the advised delay, from procedures and downloads alike', async () => {
    const poll = () => connection.client.agent.poll.mutate({ agentVersion: AGENT_VERSION, backend: null });
    await poll();
    await poll();
    const refused = await failure(poll());
    expect(errorCodeOf(refused)).toBe(ErrorCode.RATE_LIMITED);
    expect(isTransient(refused)).toBe(true);
    // One request's worth of a 2-per-minute allowance, less the refill since the first poll (whole seconds, rounded up).
    expect(retryAfterMsOf(refused)).toBeGreaterThanOrEqual(25_000);
    expect(retryAfterMsOf(refused)).toBeLessThanOrEqual(30_000);

    const download = await failure(connection.download(`/v1/studies/${hub.studyId}/public-key`));
    expect(errorCodeOf(download)).toBe(ErrorCode.RATE_LIMITED);
    expect(isTransient(download)).toBe(true);
    expect(retryAfterMsOf(download)).toBeGreaterThan(0);
  });

  it('gives no delay for other failures', () => {
    expect(retryAfterMsOf(new Error('boom'))).toBeNull();
  });
});
