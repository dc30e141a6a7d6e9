/**
 * Downloads of a study's global model version, with the person's session:
 *   ?file=model.json       the TensorFlow.js layers model (topology and weights manifest)
 *   ?file=weights.bin      its weights; save both in one folder and tf.loadLayersModel('…/model.json')
 *   ?file=model-card.md    the model card: schema, training, sites (aggregate counts), metrics,
 *   ?file=model-card.json  privacy settings and hashes (of the parameters and of both files)
 * The hub decides who may (the same people as the study's progress page) and serves the flat
 * parameters; the portal checks them against the version's recorded hash and builds the files.
 */
import type { NextRequest } from 'next/server';
import { MODEL_FILE_CONTENT_TYPES, modelFileName, parseModelFile, parseModelVersion } from '../../../../../lib/model-card.ts';
import { getModelParameters, getStudyProgress, type HubProblem, type HubProblemKind } from '../../../../../server/hub.ts';
import { buildModelDownload } from '../../../../../server/model-files.ts';

const PROBLEM_STATUS: Record<HubProblemKind, number> = {
  misconfigured: 500,
  unreachable: 502,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'hub-error': 409,
};

function text(status: number, body: string): Response {
  return new Response(`${body}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
}

function problem(p: HubProblem): Response {
  return text(PROBLEM_STATUS[p.kind], `The model could not be downloaded. ${p.title}: ${p.detail}${p.hint ? `\n${p.hint}` : ''}`);
}

export async function GET(request: NextRequest, { params }: { params: Promise<{ id: string; version: string }> }): Promise<Response> {
  const { id, version: versionParam } = await params;
  const file = parseModelFile(request.nextUrl.searchParams.get('file'));
  if (file === null) return text(400, 'Unknown file: use ?file=model.json, ?file=weights.bin, ?file=model-card.md or ?file=model-card.json.');
  const version = parseModelVersion(versionParam);
  if (version === null) return text(404, 'There is no such model version.');

  const progress = await getStudyProgress(id);
  if (!progress.ok) return problem(progress.problem);
  const study = progress.data;
  const model = study.models.find((m) => m.version === version);
  if (!model) return text(404, `Study "${study.name}" has no model version ${version}.`);

  const parameters = await getModelParameters(study.id, model.id);
  if (!parameters.ok) return problem(parameters.problem);
  let files;
  try {
    files = await buildModelDownload(study, version, parameters.data, new Date());
  } catch (error) {
    return text(409, `The model could not be built: ${error instanceof Error ? error.message : String(error)}`);
  }

  const headers: Record<string, string> = {
    'content-type': MODEL_FILE_CONTENT_TYPES[file],
    'cache-control': 'no-store',
    'content-disposition': `attachment; filename="${modelFileName(study.name, version, file)}"`,
    'x-consilium-parameters-sha256': model.parametersHash,
  };
  switch (file) {
    case 'model.json':
      return new Response(files.modelJson, { status: 200, headers });
    case 'weights.bin':
      return new Response(Buffer.from(files.weightsBin), { status: 200, headers });
    case 'model-card.md':
      return new Response(files.cardMarkdown, { status: 200, headers });
    case 'model-card.json':
      return new Response(`${JSON.stringify(files.card, null, 2)}\n`, { status: 200, headers });
  }
}
