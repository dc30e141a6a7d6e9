/**
 * A global model version's parameters for people (the portal's model download, the CLI with an
 * administrator token): `GET /v1/studies/<studyId>/models/<modelVersionId>/parameters`.
 *
 * Authenticated like the people's procedures (session bearer token, session cookie, or
 * administrator token) and authorised by the access policy of `studies.progress` on the study: its
 * lead, consortium administrators, compliance officers and the administrators of its member sites.
 * The study is checked before the model is looked up, so outsiders learn nothing about model ids;
 * a model of another study is not found. Sites keep their signed `/v1/models/<id>/parameters`.
 * The body is the flat float32 little-endian parameters, as the hub stores them.
 */
import type { ServerResponse } from 'node:http';
import { authorizeStudyDownload } from '@consilium/api';
import { getModelVersion, type DomainContext } from '@consilium/domain';
import { AppError, ErrorCode } from '@consilium/errors';
import { sendBytes } from './responses.ts';

const ROUTE = /^\/v1\/studies\/([0-9a-f-]{36})\/models\/([0-9a-f-]{36})\/parameters$/;

/** The access policy entry this download borrows (who may see the study's model versions). */
export const MODEL_DOWNLOAD_POLICY = 'studies.progress';

/** Answers the people's model download; false when the path is another route's. */
export async function handleModelDownload(domain: DomainContext, req: { method: string; path: string; headers: Headers }, res: ServerResponse): Promise<boolean> {
  const match = ROUTE.exec(req.path.split('?')[0] ?? '');
  if (!match) return false;
  if (req.method !== 'GET') throw new AppError(ErrorCode.INVALID_INPUT, `${req.method} is not allowed here; use GET`);
  const [, studyId, modelVersionId] = match as unknown as [string, string, string];
  await authorizeStudyDownload(domain, req.headers, { procedure: MODEL_DOWNLOAD_POLICY, studyId });
  const model = await getModelVersion(domain, { modelVersionId, siteId: null });
  if (model.studyId !== studyId) throw new AppError(ErrorCode.NOT_FOUND, `Study ${studyId} has no model version ${modelVersionId}`);
  sendBytes(res, model.parameters, 'application/octet-stream', {
    'cache-control': 'no-store',
    'x-consilium-sha256': model.parametersHash,
    'x-consilium-model-version': String(model.version),
    'x-consilium-round-index': String(model.roundIndex),
    'x-consilium-created-at': model.createdAt.toISOString(),
  });
  return true;
}
