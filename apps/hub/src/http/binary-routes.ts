import type { ServerResponse } from 'node:http';
import { authenticateAdmin, authenticateSiteRequest, getAggregateForDecryption, getCollectivePublicKey, getModelVersion, type DomainContext } from '@consilium/domain';
import { AppError, ErrorCode } from '@consilium/errors';
import { encodeEnvelope, envelopeContentType, readSignedHeaders } from '@consilium/protocol';
import { sendBytes } from './responses.ts';

export interface BinaryRequest {
  method: string;
  path: string;
  bodySha256: string;
  headers: Headers;
}

/**
 * Downloads of binary objects, which tRPC cannot return: the collective public key, a round's sealed
 * aggregate (for partial decryption) and a model's parameters. Returns false when no route matches.
 */
export async function handleBinaryRoute(domain: DomainContext, req: BinaryRequest, res: ServerResponse): Promise<boolean> {
  const pathname = req.path.split('?')[0] ?? '';
  const match =
    /^\/v1\/studies\/([0-9a-f-]{36})\/public-key$/.exec(pathname) ??
    /^\/v1\/rounds\/([0-9a-f-]{36})\/aggregate$/.exec(pathname) ??
    /^\/v1\/models\/([0-9a-f-]{36})\/parameters$/.exec(pathname);
  if (!match) return false;
  if (req.method !== 'GET') throw new AppError(ErrorCode.INVALID_INPUT, `${req.method} is not allowed here; use GET`);
  const id = match[1]!;

  if (pathname.endsWith('/public-key')) {
    const site = await authenticateSite(domain, req);
    const key = await getCollectivePublicKey(domain, { studyId: id, siteId: site.siteId });
    sendBytes(res, key.publicKey, 'application/octet-stream', { 'x-consilium-sha256': key.hash });
    return true;
  }
  if (pathname.endsWith('/aggregate')) {
    const site = await authenticateSite(domain, req);
    const aggregate = await getAggregateForDecryption(domain, site, id);
    sendBytes(res, encodeEnvelope(aggregate.header, aggregate.parts), envelopeContentType);
    return true;
  }
  // Model parameters: a member site, or an administrator.
  const siteId = req.headers.get('authorization') ? (await authenticateBearer(domain, req), null) : (await authenticateSite(domain, req)).siteId;
  const model = await getModelVersion(domain, { modelVersionId: id, siteId });
  sendBytes(res, model.parameters, 'application/octet-stream', {
    'x-consilium-sha256': model.parametersHash,
    'x-consilium-model-version': String(model.version),
  });
  return true;
}

async function authenticateSite(domain: DomainContext, req: BinaryRequest) {
  const signed = readSignedHeaders(req.headers);
  if (!signed) throw new AppError(ErrorCode.UNAUTHENTICATED, 'This download needs a signed agent request');
  return authenticateSiteRequest(domain, { signed, method: req.method, path: req.path, bodySha256: req.bodySha256 });
}

async function authenticateBearer(domain: DomainContext, req: BinaryRequest) {
  const token = /^Bearer\s+(\S+)$/i.exec(req.headers.get('authorization') ?? '')?.[1];
  if (!token) throw new AppError(ErrorCode.UNAUTHENTICATED, 'Malformed Authorization header (expected "Bearer <token>")');
  return authenticateAdmin(domain, token);
}
