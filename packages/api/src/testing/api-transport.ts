import { randomUUID } from 'node:crypto';
import {
  getAggregateForDecryption,
  getCeremonyKeyShares,
  getCollectivePublicKey,
  getDealtShares,
  getRoundSubmissions,
  type DomainContext,
} from '@consilium/domain';
import { asEnvelope, asStreamedEnvelope, authenticateSigned, type HubTransport, type SimulatedSite } from '@consilium/domain/testing';
import { sha256Hex } from '@consilium/protocol';
import { appRouter } from '../root.ts';
import { createCallerFactory, createContext, type ApiOptions, type RequestInfo } from '../trpc.ts';

const createCaller = createCallerFactory(appRouter);

/** The API as the HTTP server calls it for one request: `request` is what it read off the wire. */
export function callerFor(domain: DomainContext, request: RequestInfo, options: ApiOptions = {}) {
  return createCaller(createContext(domain, request, options));
}

/** A request without signature headers (enrolment, or a forged agent call). */
export function unsignedRequest(input: { method: string; path: string; body?: Uint8Array | string; headers?: Record<string, string> }): RequestInfo {
  return {
    method: input.method,
    path: input.path,
    bodySha256: sha256Hex(input.body ?? new Uint8Array(0)),
    headers: new Headers(input.headers),
    requestId: randomUUID(),
  };
}

/**
 * A binary procedure's input as tRPC's fetch adapter hands it over: a stream of the body bytes.
 * (The caller's input type says Blob | Uint8Array, but octetInputParser accepts only a stream.)
 */
export function binaryBody(bytes: Uint8Array): Blob {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  return stream as unknown as Blob;
}

/**
 * Simulated sites calling the hub's tRPC procedures through the caller, each request signed at the
 * hub's clock over the exact body bytes. Downloads (public key, aggregate, ceremony material,
 * submissions) are the hub's binary routes, not tRPC: they authenticate the signed request and call
 * the domain as those routes do, answering with the same envelope bytes.
 */
export function apiTransport(domain: DomainContext): HubTransport {
  const signed = (site: SimulatedSite, path: string, body: Uint8Array | string) =>
    callerFor(domain, site.signRequest({ method: 'POST', path: `/trpc/${path}`, body, now: domain.now().getTime() }));
  const download = (site: SimulatedSite, path: string) => authenticateSigned(domain, site.signRequest({ method: 'GET', path, now: domain.now().getTime() }));
  return {
    enroll: async (site, token, options) => {
      const input = { token, publicKey: site.identity.publicKey, agentVersion: 'simulated', approveStudy: options?.approveStudy ?? true };
      return callerFor(domain, unsignedRequest({ method: 'POST', path: '/trpc/enrollment.enroll', body: JSON.stringify(input) })).enrollment.enroll(input);
    },
    poll: async (site) => {
      const input = { agentVersion: 'simulated', backend: null };
      return signed(site, 'agent.poll', JSON.stringify(input)).agent.poll(input);
    },
    submitKeyShare: (site, envelope) => signed(site, 'agent.submitKeyShare', envelope).agent.submitKeyShare(binaryBody(envelope)),
    submitDealing: (site, envelope) => signed(site, 'agent.submitDealing', envelope).agent.submitDealing(binaryBody(envelope)),
    confirmKey: (site, input) => signed(site, 'agent.confirmKey', JSON.stringify(input)).agent.confirmKey(input),
    reportRefusal: (site, input) => signed(site, 'agent.reportRefusal', JSON.stringify(input)).agent.reportRefusal(input),
    submitUpdate: (site, envelope) => signed(site, 'agent.submitUpdate', envelope).agent.submitUpdate(binaryBody(envelope)),
    submitDecryptionShare: (site, envelope) => signed(site, 'agent.submitDecryptionShare', envelope).agent.submitDecryptionShare(binaryBody(envelope)),
    publicKey: async (site, studyId) => {
      const { siteId } = await download(site, `/v1/studies/${studyId}/public-key`);
      return (await getCollectivePublicKey(domain, { studyId, siteId })).publicKey;
    },
    aggregate: async (site, roundId) => asEnvelope(await getAggregateForDecryption(domain, await download(site, `/v1/rounds/${roundId}/aggregate`), roundId)),
    submissions: async (site, roundId) => asStreamedEnvelope(await getRoundSubmissions(domain, await download(site, `/v1/rounds/${roundId}/submissions`), roundId)),
    keyShares: async (site, studyId) => asEnvelope(await getCeremonyKeyShares(domain, await download(site, `/v1/studies/${studyId}/key-shares`), studyId)),
    dealtShares: async (site, studyId) => asEnvelope(await getDealtShares(domain, await download(site, `/v1/studies/${studyId}/dealt-shares`), studyId)),
  };
}
