/**
 * The files of a model version download, built on the portal's server: the TensorFlow.js layers
 * model (model.json + weights.bin, rebuilt from the hub's flat parameters with the study's model
 * spec) and its model card. Server-only: loads TensorFlow.js (its cpu backend; no native code).
 */
import 'server-only';
import { createHash } from 'node:crypto';
import { featureDimension } from '@consilium/data/feature-encoding';
import { modelArtifactsFromParameters } from '@consilium/fl/artifacts';
import { buildModelCard, modelCardMarkdown, type ModelCard } from '../lib/model-card.ts';
import type { ModelParameters, StudyProgress } from './hub.ts';

export interface ModelDownloadFiles {
  modelJson: string;
  weightsBin: Uint8Array;
  card: ModelCard;
  cardMarkdown: string;
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/**
 * Builds every file of version `version`. Throws when the parameters are not the ones the hub
 * recorded for the version (hash mismatch) or do not fit the study's model spec.
 */
export async function buildModelDownload(study: StudyProgress, version: number, parameters: ModelParameters, now: Date): Promise<ModelDownloadFiles> {
  const model = study.models.find((m) => m.version === version);
  if (!model) throw new Error(`The study has no model version ${version}`);
  const parametersSha256 = sha256(parameters.bytes);
  if (parametersSha256 !== model.parametersHash) {
    throw new Error(`The parameters the hub sent do not match model version ${version}'s recorded hash (${model.parametersHash}); got ${parametersSha256}`);
  }
  const artifacts = await modelArtifactsFromParameters(study.spec.model, featureDimension(study.spec.data), parameters.bytes);
  const modelJson = `${JSON.stringify(artifacts.modelJson)}\n`;
  const card = buildModelCard({
    study,
    version,
    publishedAt: parameters.publishedAt,
    generatedAt: now.toISOString(),
    files: {
      modelJsonSha256: sha256(modelJson),
      weightsSha256: sha256(artifacts.weightsBin),
      weightsBytes: artifacts.weightsBin.byteLength,
      parametersSha256,
      parameterCount: parameters.bytes.byteLength / 4,
    },
  });
  return { modelJson, weightsBin: artifacts.weightsBin, card, cardMarkdown: modelCardMarkdown(card) };
}
