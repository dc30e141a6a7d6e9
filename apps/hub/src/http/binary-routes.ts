import type { ServerResponse } from 'node:http';
import {
  authenticateAdmin,
  authenticateSiteRequest,
  getAggregateForDecryption,
  getCeremonyKeyShares,
  getCollectivePublicKey,
  getDealtShares,
  getModelVersion,
  getRoundSubmissions,
  type AuthenticatedSite,
  type DomainContext,
  type StreamedDownload,
} from '@consilium/domain';
import type { SiteRateLimiter } from '@consilium/api';
import { AppError, ErrorCode } from '@consilium/errors';
import { encodeEnvelope, envelopeContentType, readSignedHeaders } from '@consilium/protocol';
import { sendBytes } from './responses.ts';
import { sendEnvelopeStream } from './stream-envelope.ts';

export interface BinaryRequest {
  method: string;
  path: string;
  bodySha256: string;
  headers: Headers;
}

type EnvelopeDownload = (
  domain: DomainContext,
  site: AuthenticatedSite,
  id: string,
) => Promise<{ header: object; parts: Uint8Array[] } | StreamedDownload<object>>;

/**
 * Signed site downloads answered with an envelope (header + binary parts). The domain decides who
 * may fetch each: committee members for ceremony material, the round's decryptors for the rest.
 * A round's submissions are streamed (see getRoundSubmissions); the others are small enough to send whole.
 */
const envelopeRoutes: Array<{ pattern: RegExp; load: EnvelopeDownload }> = [
  { pattern: /^\/v1\/rounds\/([0-9a-f-]{36})\/aggregate$/, load: getAggregateForDecryption },
  { pattern: /^\/v1\/rounds\/([0-9a-f-]{36})\/submissions$/, load: getRoundSubmissions },
  { pattern: /^\/v1\/studies\/([0-9a-f-]{36})\/key-shares$/, load: getCeremonyKeyShares },
  { pattern: /^\/v1\/studies\/([0-9a-f-]{36})\/dealt-shares$/, load: getDealtShares },
];

/**
 * Downloads of binary objects, which tRPC cannot return: the collective public key, a round's sealed
 * aggregate and signed submissions (for a decryptor to check and partially decrypt), the key
 * ceremony's material, and a model's parameters. Returns false when no route matches.
 */
export async function handleBinaryRoute(domain: DomainContext, req: BinaryRequest, res: ServerResponse, limiter?: SiteRateLimiter): Promise<boolean> {
  const pathname = req.path.split('?')[0] ?? '';
  const publicKey = /^\/v1\/studies\/([0-9a-f-]{36})\/public-key$/.exec(pathname);
  const model = /^\/v1\/models\/([0-9a-f-]{36})\/parameters$/.exec(pathname);
  const envelope = envelopeRoutes.map((r) => ({ load: r.load, match: r.pattern.exec(pathname) })).find((r) => r.match);
  if (!publicKey && !model && !envelope) return false;
  if (req.method !== 'GET') throw new AppError(ErrorCode.INVALID_INPUT, `${req.method} is not allowed here; use GET`);

  if (envelope) {
    const site = await authenticateSite(domain, req, limiter);
    const download = await envelope.load(domain, site, envelope.match![1]!);
    if ('partCount' in download) await sendEnvelopeStream(res, download);
    else sendBytes(res, encodeEnvelope(download.header, download.parts), envelopeContentType);
    return true;
  }
  if (publicKey) {
    const site = await authenticateSite(domain, req, limiter);
    const key = await getCollectivePublicKey(domain, { studyId: publicKey[1]!, siteId: site.siteId });
    sendBytes(res, key.publicKey, 'application/octet-stream', { 'x-consilium-sha256': key.hash });
    return true;
  }
  // Model parameters: a member site, or an administrator.
  const siteId = req.headers.get('authorization') ? (await authenticateBearer(domain, req), null) : (await authenticateSite(domain, req, limiter)).siteId;
  const parameters = await getModelVersion(domain, { modelVersionId: model![1]!, siteId });
  sendBytes(res, parameters.parameters, 'application/octet-stream', {
    'x-consilium-sha256': parameters.parametersHash,
    'x-consilium-model-version': String(parameters.version),
  });
  return true;
}

/** The signed request's site, once its signature verifies; the request then counts against the site's rate limit. */
async function authenticateSite(domain: DomainContext, req: BinaryRequest, limiter: SiteRateLimiter | undefined): Promise<AuthenticatedSite> {
  const signed = readSignedHeaders(req.headers);
  if (!signed) throw new AppError(ErrorCode.UNAUTHENTICATED, 'This download needs a signed agent request');
  const site = await authenticateSiteRequest(domain, { signed, method: req.method, path: req.path, bodySha256: req.bodySha256 });
  limiter?.take(site.siteId);
  return site;
}

async function authenticateBearer(domain: DomainContext, req: BinaryRequest) {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.get('authorization') ?? '')?.[1];
  if (!token) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Malformed Authorization header (expected "Bearer <token>")');
  return authenticateAdmin(domain, token);
}
