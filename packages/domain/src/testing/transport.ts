import { AppError, ErrorCode } from '@consilium/errors';
import { encodeEnvelope, readSignedHeaders } from '@consilium/protocol';
import type { Task } from '@consilium/schemas';
import { authenticateSiteRequest, type AuthenticatedSite } from '../agents/authenticate-site.ts';
import { pollTasks } from '../agents/poll-tasks.ts';
import { getCollectivePublicKey } from '../ceremony/get-public-key.ts';
import { getCeremonyKeyShares, getDealtShares } from '../ceremony/ceremony-material.ts';
import { confirmKey, type KeyConfirmation } from '../ceremony/confirm-key.ts';
import { submitDealing, type DealingReceipt } from '../ceremony/submit-dealing.ts';
import { submitKeyShare, type KeyShareReceipt } from '../ceremony/submit-key-share.ts';
import type { DomainContext } from '../context.ts';
import { enrollSite } from '../enrollment/enroll-site.ts';
import { getAggregateForDecryption, getRoundSubmissions, type StreamedDownload } from '../rounds/get-aggregate.ts';
import { reportDecryptionRefusal } from '../rounds/report-refusal.ts';
import { submitDecryptionShare, type DecryptionShareReceipt } from '../rounds/submit-decryption-share.ts';
import { submitUpdate, type SubmissionReceipt } from '../rounds/submit-update.ts';
import type { SignedRequest, SimulatedSite } from './simulated-site.ts';

/** What a poll tells a site (the part simulated sites use). */
export interface PollAnswer {
  tasks: Task[];
  studies: Array<{ studyId: string; status: string; failureReason: string | null }>;
}

/**
 * How simulated sites reach the hub: straight into the domain (below), through the tRPC caller
 * (@consilium/api tests) or over HTTP (apps/hub tests). Every implementation signs each request
 * with the site's key and lets the hub verify it, as the real agent's requests are.
 */
export interface HubTransport {
  /**
   * Redeems a token. The site's operator approves taking part at enrolment unless `approveStudy`
   * is false (then the membership is pending until a site administrator decides).
   */
  enroll(site: SimulatedSite, token: string, options?: { approveStudy?: boolean }): Promise<{ siteId: string; studyStarted: boolean; consent: string }>;
  poll(site: SimulatedSite): Promise<PollAnswer>;
  submitKeyShare(site: SimulatedSite, envelope: Uint8Array): Promise<KeyShareReceipt>;
  submitDealing(site: SimulatedSite, envelope: Uint8Array): Promise<DealingReceipt>;
  confirmKey(site: SimulatedSite, input: { studyId: string; epoch: number; publicKeyHash: string }): Promise<KeyConfirmation>;
  reportRefusal(site: SimulatedSite, input: { roundId: string; reason: string }): Promise<{ recorded: boolean }>;
  /** The committee's signed key-ceremony uploads, as an envelope (a signed download). */
  keyShares(site: SimulatedSite, studyId: string): Promise<Uint8Array>;
  /** The shares dealt to this site, as an envelope (a signed download). */
  dealtShares(site: SimulatedSite, studyId: string): Promise<Uint8Array>;
  /** A sealed round's signed submissions, as an envelope (a signed download, decryptors only). */
  submissions(site: SimulatedSite, roundId: string): Promise<Uint8Array>;
  submitUpdate(site: SimulatedSite, envelope: Uint8Array): Promise<SubmissionReceipt>;
  submitDecryptionShare(site: SimulatedSite, envelope: Uint8Array): Promise<DecryptionShareReceipt>;
  /** The study's collective public key (a signed download). */
  publicKey(site: SimulatedSite, studyId: string): Promise<Uint8Array>;
  /** The sealed aggregate, as an envelope (a signed download, decryptors only). */
  aggregate(site: SimulatedSite, roundId: string): Promise<Uint8Array>;
}

/**
 * The domain functions behind each API procedure, reached the way the API reaches them: the
 * request is signed at the hub's clock and authenticated with `authenticateSiteRequest`.
 */
export function domainTransport(ctx: DomainContext): HubTransport {
  const authenticate = async (site: SimulatedSite, method: string, path: string, body?: Uint8Array | string): Promise<AuthenticatedSite> =>
    authenticateSigned(ctx, site.signRequest({ method, path, body, now: ctx.now().getTime() }));
  return {
    enroll: async (site, token, options) =>
      enrollSite(ctx, { token, publicKey: site.identity.publicKey, agentVersion: 'simulated', approveStudy: options?.approveStudy ?? true }),
    poll: async (site) => {
      const input = { agentVersion: 'simulated', backend: null };
      return pollTasks(ctx, await authenticate(site, 'POST', '/trpc/agent.poll', JSON.stringify(input)), input);
    },
    submitKeyShare: async (site, envelope) => submitKeyShare(ctx, await authenticate(site, 'POST', '/trpc/agent.submitKeyShare', envelope), envelope),
    submitUpdate: async (site, envelope) => submitUpdate(ctx, await authenticate(site, 'POST', '/trpc/agent.submitUpdate', envelope), envelope),
    submitDecryptionShare: async (site, envelope) =>
      submitDecryptionShare(ctx, await authenticate(site, 'POST', '/trpc/agent.submitDecryptionShare', envelope), envelope),
    publicKey: async (site, studyId) => {
      const { siteId } = await authenticate(site, 'GET', `/v1/studies/${studyId}/public-key`);
      return (await getCollectivePublicKey(ctx, { studyId, siteId })).publicKey;
    },
    aggregate: async (site, roundId) => asEnvelope(await getAggregateForDecryption(ctx, await authenticate(site, 'GET', `/v1/rounds/${roundId}/aggregate`), roundId)),
    submitDealing: async (site, envelope) => submitDealing(ctx, await authenticate(site, 'POST', '/trpc/agent.submitDealing', envelope), envelope),
    confirmKey: async (site, input) => confirmKey(ctx, await authenticate(site, 'POST', '/trpc/agent.confirmKey', JSON.stringify(input)), input),
    reportRefusal: async (site, input) => reportDecryptionRefusal(ctx, await authenticate(site, 'POST', '/trpc/agent.reportRefusal', JSON.stringify(input)), input),
    keyShares: async (site, studyId) => asEnvelope(await getCeremonyKeyShares(ctx, await authenticate(site, 'GET', `/v1/studies/${studyId}/key-shares`), studyId)),
    dealtShares: async (site, studyId) => asEnvelope(await getDealtShares(ctx, await authenticate(site, 'GET', `/v1/studies/${studyId}/dealt-shares`), studyId)),
    submissions: async (site, roundId) => asStreamedEnvelope(await getRoundSubmissions(ctx, await authenticate(site, 'GET', `/v1/rounds/${roundId}/submissions`), roundId)),
  };
}

/** A binary download as the hub's routes send it. */
export function asEnvelope(download: { header: object; parts: Uint8Array[] }): Uint8Array {
  return encodeEnvelope(download.header, download.parts);
}

/** A streamed download as the hub's route sends it: the same bytes as if its parts had been in memory. */
export async function asStreamedEnvelope(download: StreamedDownload<object>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of download.parts) parts.push(part);
  const bytes = parts.reduce((n, p) => n + p.byteLength, 0);
  if (parts.length !== download.partCount || bytes !== download.partBytes) {
    throw new Error(`Streamed download announced ${download.partCount} parts of ${download.partBytes} bytes and yielded ${parts.length} of ${bytes}`);
  }
  return encodeEnvelope(download.header, parts);
}

/** What the API's siteProcedure does with a request before any procedure runs. */
export async function authenticateSigned(ctx: DomainContext, request: SignedRequest): Promise<AuthenticatedSite> {
  const signed = readSignedHeaders(request.headers);
  if (!signed) throw new AppError(ErrorCode.UNAUTHENTICATED, 'This operation needs a signed agent request');
  return authenticateSiteRequest(ctx, { signed, method: request.method, path: request.path, bodySha256: request.bodySha256 });
}
