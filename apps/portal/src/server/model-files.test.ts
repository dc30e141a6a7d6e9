import { createHash } from 'node:crypto';
import { loadModelFromArtifacts } from '@consilium/fl/artifacts';
import { parameterCount } from '@consilium/fl/model-layout';
import { getFlatParameters } from '@consilium/fl/train';
import { StudySpec } from '@consilium/schemas';
import { describe, expect, it } from 'vitest';
import type { StudyProgress } from './hub.ts';
import { buildModelDownload } from './model-files.ts';

const spec = StudySpec.parse({
  name: 'Round trip',
  data: {
    columns: [
      { name: 'age', type: 'numeric', range: [0, 120] },
      { name: 'smoker', type: 'categorical', categories: ['no', 'yes', 'former'] },
      { name: 'event', type: 'categorical', categories: ['0', '1'] },
    ],
    target: { column: 'event', positive: ['1'] },
  },
  model: { type: 'mlp', hiddenUnits: [3], activation: 'tanh' },
});
// Inputs: age, smoker=no, smoker=yes, smoker=former.
const inputDim = 4;
const flat = Float32Array.from({ length: parameterCount(spec.model, inputDim) }, (_, i) => Math.sin(i + 1) / 2);
const bytes = new Uint8Array(flat.buffer.slice(0));
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');

const study = (parametersHash: string): StudyProgress => ({
  id: '99999999-9999-4999-8999-999999999999',
  name: spec.name,
  status: 'completed',
  failureReason: null,
  spec,
  createdAt: '2026-11-25T09:00:00.000Z',
  startedAt: null,
  completedAt: null,
  pausedAt: null,
  stoppedAt: null,
  stopReason: null,
  publicKeyHash: null,
  totalSamples: null,
  statistics: null,
  sites: [],
  rounds: [],
  models: [{ id: 'm1', version: 1, roundId: 'r1', parametersHash, metrics: { trainLoss: 0.6 }, evaluations: [], pooled: null }],
});

describe('model download files', () => {
  it('rebuild the hub\'s flat parameters as model.json + weights.bin that load back unchanged, hashed in the card', async () => {
    const files = await buildModelDownload(study(sha256(bytes)), 1, { bytes, sha256: sha256(bytes), publishedAt: null }, new Date('2026-11-26T00:00:00Z'));

    const loaded = await loadModelFromArtifacts({ modelJson: JSON.parse(files.modelJson), weightsBin: Uint8Array.from(files.weightsBin) });
    expect(Array.from(getFlatParameters(loaded))).toEqual(Array.from(flat));
    loaded.dispose();
    expect((JSON.parse(files.modelJson) as { weightsManifest: Array<{ paths: string[] }> }).weightsManifest[0]!.paths).toEqual(['weights.bin']);
    expect(files.card.hashes).toEqual({ parametersSha256: sha256(bytes), modelJsonSha256: sha256(files.modelJson), weightsSha256: sha256(files.weightsBin) });
    expect(files.card.model.parameterCount).toBe(flat.length);
    expect(files.card.generatedAt).toBe('2026-11-26T00:00:00.000Z');
    expect(files.cardMarkdown).toContain(`weights.bin: \`${sha256(files.weightsBin)}\``);
    // Every request builds the files afresh: the same version must give the same model.json (its hash is in the card).
    const again = await buildModelDownload(study(sha256(bytes)), 1, { bytes, sha256: null, publishedAt: null }, new Date());
    expect(again.modelJson).toBe(files.modelJson);
  });

  it('refuses parameters that are not the version\'s recorded ones', async () => {
    await expect(buildModelDownload(study('0'.repeat(64)), 1, { bytes, sha256: null, publishedAt: null }, new Date())).rejects.toThrow(/do not match/);
  });
});
