import { createHubClient, type HubClient } from '@consilium/api/client';
import type { HubTransport, SimulatedSite } from '@consilium/domain/testing';
import { signRequest } from '@consilium/protocol';

/**
 * Simulated sites talking to a running hub over HTTP exactly as the agent's HubConnection does:
 * the typed tRPC client with a fetch that signs every request (method, path, body, time, nonce),
 * and signed GETs for the binary downloads. `baseUrl` is read per call: it changes when the hub
 * restarts on another port.
 */
export function httpTransport(baseUrl: () => string): HubTransport {
  const client = (site: SimulatedSite | null): HubClient =>
    createHubClient({ url: baseUrl(), ...(site ? { fetch: (input: string | URL | Request, init?: RequestInit) => signedFetch(site, input, init) } : {}) });
  const download = async (site: SimulatedSite, path: string): Promise<Uint8Array> => {
    const response = await signedFetch(site, new URL(path, baseUrl()), { method: 'GET' });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
    return new Uint8Array(await response.arrayBuffer());
  };
  return {
    enroll: (site, token, options) =>
      client(null).enrollment.enroll.mutate({ token, publicKey: site.identity.publicKey, agentVersion: 'simulated', approveStudy: options?.approveStudy ?? true }),
    poll: (site) => client(site).agent.poll.mutate({ agentVersion: 'simulated', backend: null }),
    submitKeyShare: (site, envelope) => client(site).agent.submitKeyShare.mutate(envelope),
    submitDealing: (site, envelope) => client(site).agent.submitDealing.mutate(envelope),
    confirmKey: (site, input) => client(site).agent.confirmKey.mutate(input),
    reportRefusal: (site, input) => client(site).agent.reportRefusal.mutate(input),
    submitUpdate: (site, envelope) => client(site).agent.submitUpdate.mutate(envelope),
    submitDecryptionShare: (site, envelope) => client(site).agent.submitDecryptionShare.mutate(envelope),
    publicKey: (site, studyId) => download(site, `/v1/studies/${studyId}/public-key`),
    aggregate: (site, roundId) => download(site, `/v1/rounds/${roundId}/aggregate`),
    submissions: (site, roundId) => download(site, `/v1/rounds/${roundId}/submissions`),
    keyShares: (site, studyId) => download(site, `/v1/studies/${studyId}/key-shares`),
    dealtShares: (site, studyId) => download(site, `/v1/studies/${studyId}/dealt-shares`),
  };
}

/** A fetch that signs the request as `site` (see apps/agent/src/hub-connection.ts). */
export async function signedFetch(site: SimulatedSite, input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
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
