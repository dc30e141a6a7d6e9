import { setImmediate as nextTurn } from 'node:timers/promises';
import { createHubClient, type HubClient } from '@consilium/api/client';
import type { HubTransport, PollAnswer, SimulatedSite } from '@consilium/domain/testing';
import { signRequest } from '@consilium/protocol';

/** One request a simulated agent made: what, how long it took (client side), and whether it failed. */
export interface RequestRecord {
  call: keyof HubTransport;
  ms: number;
  ok: boolean;
  error?: string;
  /** The hub answered with this HTTP status (an error of the hub), or null: no answer (the connection failed). */
  httpStatus?: number | null;
}

/** What went wrong: the hub's error answer, or the connection's failure with its cause (fetch says only "fetch failed"). */
function describeFailure(error: unknown): { error: string; httpStatus: number | null } {
  const e = error as Error & { data?: { httpStatus?: number }; cause?: unknown };
  const status = e.data?.httpStatus ?? (/^GET .*: (\d{3}) /.exec(e.message) ? Number(/: (\d{3}) /.exec(e.message)![1]) : null);
  let cause: unknown = e.cause;
  const causes: string[] = [];
  while (cause instanceof Error && causes.length < 4) {
    const code = (cause as Error & { code?: string }).code;
    causes.push(code ? `${code} ${cause.message}` : cause.message);
    cause = cause.cause;
  }
  return { error: [e.message, ...causes].join(' ← '), httpStatus: status };
}

/**
 * Simulated agents talking to hubs over HTTP exactly as the agent's HubConnection does (the typed
 * tRPC client with a fetch that signs every request; signed GETs for binary downloads), as
 * apps/hub/test/http-transport.ts does — each site to its own hub replica (`hubOf`), with every
 * call timed and failures recorded. Polls are long polls of `waitMs`. `signal` ends every request
 * in flight (the run is over).
 */
export function loadTransport(options: { hubOf: (site: SimulatedSite) => string; waitMs: number; signal: AbortSignal; record: (r: RequestRecord) => void }): HubTransport & { poll(site: SimulatedSite): Promise<PollAnswer> } {
  const clients = new Map<SimulatedSite, HubClient>();
  const client = (site: SimulatedSite): HubClient => {
    let c = clients.get(site);
    if (!c) clients.set(site, (c = createHubClient({ url: options.hubOf(site), fetch: (input: string | URL | Request, init?: RequestInit) => signedFetch(site, input, { ...init, signal: options.signal }) })));
    return c;
  };
  const download = async (site: SimulatedSite, path: string): Promise<Uint8Array> => {
    const response = await signedFetch(site, new URL(path, options.hubOf(site)), { method: 'GET', signal: options.signal });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return new Uint8Array(await response.arrayBuffer());
  };
  const timed = <A extends unknown[], T>(call: keyof HubTransport, fn: (...args: A) => Promise<T>) =>
    async (...args: A): Promise<T> => {
      // After seconds of synchronous work (encryption, partial decryption) the event loop has not yet
      // seen the hub close idle keep-alive connections (after 5 s); one turn lets fetch's pool notice,
      // instead of writing this request into a closed socket (EPIPE, "other side closed").
      await nextTurn();
      const started = performance.now();
      try {
        const value = await fn(...args);
        options.record({ call, ms: performance.now() - started, ok: true });
        return value;
      } catch (error) {
        // Requests cut off because the run is over are not errors of the hub.
        if (!options.signal.aborted) options.record({ call, ms: performance.now() - started, ok: false, ...describeFailure(error) });
        throw error;
      }
    };
  return {
    enroll: timed('enroll', (site: SimulatedSite, token: string) =>
      createHubClient({ url: options.hubOf(site) }).enrollment.enroll.mutate({ token, publicKey: site.identity.publicKey, agentVersion: 'simulated-load', approveStudy: true }),
    ),
    poll: timed('poll', (site: SimulatedSite) => client(site).agent.poll.mutate({ agentVersion: 'simulated-load', backend: null, waitMs: options.waitMs })),
    submitKeyShare: timed('submitKeyShare', (site: SimulatedSite, envelope: Uint8Array) => client(site).agent.submitKeyShare.mutate(envelope)),
    submitDealing: timed('submitDealing', (site: SimulatedSite, envelope: Uint8Array) => client(site).agent.submitDealing.mutate(envelope)),
    confirmKey: timed('confirmKey', (site: SimulatedSite, input: { studyId: string; epoch: number; publicKeyHash: string }) => client(site).agent.confirmKey.mutate(input)),
    reportRefusal: timed('reportRefusal', (site: SimulatedSite, input: { roundId: string; reason: string }) => client(site).agent.reportRefusal.mutate(input)),
    submitUpdate: timed('submitUpdate', (site: SimulatedSite, envelope: Uint8Array) => client(site).agent.submitUpdate.mutate(envelope)),
    submitDecryptionShare: timed('submitDecryptionShare', (site: SimulatedSite, envelope: Uint8Array) => client(site).agent.submitDecryptionShare.mutate(envelope)),
    publicKey: timed('publicKey', (site: SimulatedSite, studyId: string) => download(site, `/v1/studies/${studyId}/public-key`)),
    aggregate: timed('aggregate', (site: SimulatedSite, roundId: string) => download(site, `/v1/rounds/${roundId}/aggregate`)),
    submissions: timed('submissions', (site: SimulatedSite, roundId: string) => download(site, `/v1/rounds/${roundId}/submissions`)),
    keyShares: timed('keyShares', (site: SimulatedSite, studyId: string) => download(site, `/v1/studies/${studyId}/key-shares`)),
    dealtShares: timed('dealtShares', (site: SimulatedSite, studyId: string) => download(site, `/v1/studies/${studyId}/dealt-shares`)),
  };
}

/** A fetch that signs the request as `site` (see apps/agent/src/hub-connection.ts). */
async function signedFetch(site: SimulatedSite, input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : input.toString());
  const method = init.method ?? 'GET';
  const body = init.body;
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new Error('only string and binary bodies can be signed');
  }
  const headers = new Headers(init.headers);
  const signature = signRequest({ privateKeyPem: site.identity.privateKeyPem, siteId: site.siteId, method, path: url.pathname + url.search, body: body ?? null });
  for (const [name, value] of Object.entries(signature)) headers.set(name, value);
  return fetch(url, { ...init, method, headers });
}
