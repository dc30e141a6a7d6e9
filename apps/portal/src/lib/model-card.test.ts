import { StudySpec } from '@consilium/schemas';
import { describe, expect, it } from 'vitest';
import type { StudyProgress } from '../server/hub.ts';
import { buildModelCard, modelCardMarkdown, modelFileName, parseModelFile, parseModelVersion, type ModelCardInput } from './model-card.ts';
import { metricsChartRows, metricsOverVersions, metricsSummary } from './model-metrics.ts';

const SITE_A = '11111111-1111-4111-8111-111111111111';
const SITE_B = '22222222-2222-4222-8222-222222222222';

const spec = StudySpec.parse({
  name: 'MACE | risk',
  description: 'Major adverse cardiac events\nwithin *one* year.',
  data: {
    columns: [
      { name: 'age', type: 'numeric', range: [18, 100], unit: 'years', description: 'Age at admission' },
      { name: 'sex', type: 'categorical', categories: ['F', 'M'] },
      { name: 'patient_id', type: 'ignore' },
      { name: 'mace', type: 'categorical', categories: ['no', 'yes'] },
    ],
    target: { column: 'mace', positive: ['yes'] },
  },
  model: { type: 'mlp', hiddenUnits: [8, 4], activation: 'relu' },
  training: { rounds: 3 },
  privacy: { committee: { threshold: 2 }, differentialPrivacy: { epsilon: 4, clipNorm: 1 } },
});

const round = (id: string, index: number, kind: 'stats' | 'train', status: 'complete' | 'collecting', submitted: string[]): StudyProgress['rounds'][number] => ({
  id,
  index,
  kind,
  status,
  openedAt: '2026-11-25T10:00:00Z',
  deadlineAt: '2026-11-25T10:10:00Z',
  decryptDeadlineAt: null,
  completedAt: status === 'complete' ? '2026-11-25T10:05:00Z' : null,
  failureReason: null,
  participants: [SITE_A, SITE_B],
  submitted,
  decryptors: [SITE_A, SITE_B],
  decrypted: [],
  uploadedBytes: 0,
  result: null,
});

const evaluation = (siteId: string, siteName: string, n: number, accuracy: number, auc: number | null, loss: number) => ({
  siteId,
  siteName,
  final: false,
  metrics: { n, accuracy, auc, loss, positiveRate: 0.25 },
});

const study: StudyProgress = {
  id: '99999999-9999-4999-8999-999999999999',
  name: spec.name,
  status: 'running',
  failureReason: null,
  spec,
  createdAt: '2026-11-25T09:00:00.000Z',
  startedAt: '2026-11-25T09:30:00.000Z',
  completedAt: null,
  pausedAt: null,
  stoppedAt: null,
  stopReason: null,
  publicKeyHash: 'f'.repeat(64),
  totalSamples: 1200,
  statistics: { totalSamples: 1200, positives: 300, numeric: { age: { mean: 61.5, std: 12.25 } } },
  sites: [
    { siteId: SITE_A, name: 'Hôpital Saint-Louis', lastSeenAt: null, agentVersion: null, backend: null, keySharePublished: true, consent: 'approved', consentDecidedAt: null },
    { siteId: SITE_B, name: 'Karolinska | Solna', lastSeenAt: null, agentVersion: null, backend: null, keySharePublished: true, consent: 'approved', consentDecidedAt: null },
  ],
  rounds: [round('r0', 0, 'stats', 'complete', [SITE_A, SITE_B]), round('r1', 1, 'train', 'complete', [SITE_A, SITE_B]), round('r2', 2, 'train', 'complete', [SITE_A]), round('r3', 3, 'train', 'collecting', [])],
  models: [
    {
      id: 'm2',
      version: 2,
      roundId: 'r2',
      parametersHash: 'b'.repeat(64),
      metrics: { trainLoss: 0.5, contributors: 1, totalWeight: 400, epsilonSpent: 2.5 },
      evaluations: [evaluation(SITE_A, 'Hôpital Saint-Louis', 300, 0.8, 0.9, 0.45)],
      pooled: null,
    },
    {
      id: 'm1',
      version: 1,
      roundId: 'r1',
      parametersHash: 'a'.repeat(64),
      metrics: { trainLoss: 0.69, contributors: 2, totalWeight: 800, epsilonSpent: 1.5 },
      // AUC weighted by held-out rows: (0.7·100 + 0.8·300) / 400 = 0.775; a site without AUC is left out of it.
      evaluations: [evaluation(SITE_A, 'Hôpital Saint-Louis', 100, 0.6, 0.7, 0.7), evaluation(SITE_B, 'Karolinska | Solna', 300, 0.8, 0.8, 0.5), evaluation(SITE_B, 'x', 0, 0.5, null, 1)],
      pooled: null,
    },
  ],
};

const files: ModelCardInput['files'] = {
  modelJsonSha256: '1'.repeat(64),
  weightsSha256: '2'.repeat(64),
  weightsBytes: 4 * 57,
  parametersSha256: 'b'.repeat(64),
  parameterCount: 57,
};

describe('model metrics', () => {
  it('per version, oldest first: training loss from the model, validation weighted by held-out rows', () => {
    const metrics = metricsOverVersions(study.models, study.rounds);
    expect(metrics.map((m) => m.version)).toEqual([1, 2]);
    expect(metrics[0]).toMatchObject({ round: 1, trainLoss: 0.69, contributors: 2, epsilonSpent: 1.5, n: 400, sites: 3 });
    expect(metrics[0]!.accuracy).toBeCloseTo(0.75, 10);
    expect(metrics[0]!.loss).toBeCloseTo(0.55, 10);
    expect(metrics[0]!.auc).toBeCloseTo(0.775, 10);
    expect(metricsChartRows(metrics)[1]).toEqual({ version: 2, round: 2, trainLoss: 0.5, accuracy: 0.8, auc: 0.9 });
    expect(metricsSummary(metrics)).toBe(
      'Model version 2 (round 2): training loss 0.500, validation accuracy 80.0 %, validation AUC 0.900. Version 1: training loss 0.690, validation accuracy 75.0 %, validation AUC 0.775.',
    );
  });

  it('leaves out what the hub did not record', () => {
    const bare = { ...study.models[0]!, metrics: null, evaluations: [] };
    const [m] = metricsOverVersions([bare], study.rounds);
    expect(m).toMatchObject({ trainLoss: null, accuracy: null, auc: null, loss: null, n: 0, sites: 0 });
    expect(metricsChartRows([m!])).toEqual([{ version: 2, round: 2 }]);
    expect(metricsSummary([])).toBe('No model version yet.');
  });
});

describe('model card', () => {
  const card = buildModelCard({ study, version: 2, files, publishedAt: '2026-11-25T10:06:00.000Z', generatedAt: '2026-11-26T00:00:00.000Z' });

  it('describes the schema, training, sites (aggregate counts only), metrics up to the version, privacy and hashes', () => {
    expect(card.format).toBe('consilium-model-card/1');
    expect(card.study).toMatchObject({ id: study.id, name: 'MACE | risk', status: 'running' });
    expect(card.model).toMatchObject({ version: 2, modelVersionId: 'm2', round: 2, final: false, parameterCount: 57, publishedAt: '2026-11-25T10:06:00.000Z' });
    expect(card.model.architecture).toEqual({ type: 'mlp', hiddenUnits: [8, 4], activation: 'relu' });
    expect(card.data.features.map((f) => f.name)).toEqual(['age', 'sex']);
    expect(card.data.features[0]).toEqual({ name: 'age', type: 'numeric', range: [18, 100], unit: 'years', description: 'Age at admission' });
    expect(card.data.label).toEqual({ column: 'mace', positive: ['yes'], negative: ['no'] });
    expect(card.data.inputs).toEqual(['age', 'sex=F', 'sex=M']);
    expect(card.data.preprocessing).toEqual({ standardize: 'federated', numericMoments: { age: { mean: 61.5, std: 12.25 } } });
    // Rounds 1 and 2 are complete training rounds up to version 2's round; round 3 is still collecting.
    expect(card.federation).toMatchObject({ plannedRounds: 3, roundsCompleted: 2, totalTrainingRows: 1200 });
    expect(card.federation.sites).toEqual([
      { name: 'Hôpital Saint-Louis', heldOutRows: 300, submittedRounds: 2 },
      { name: 'Karolinska | Solna', heldOutRows: null, submittedRounds: 1 },
    ]);
    expect(card.metrics.perVersion.map((m) => m.version)).toEqual([1, 2]);
    expect(card.metrics.perSite).toEqual([{ site: 'Hôpital Saint-Louis', n: 300, accuracy: 0.8, loss: 0.45, auc: 0.9, positiveRate: 0.25, final: false }]);
    expect(card.privacy).toMatchObject({
      secureAggregation: 'ckks-multiparty',
      committee: { size: 2, threshold: 2 },
      differentialPrivacy: { epsilon: 4, delta: 1e-5, clipNorm: 1, epsilonSpent: 2.5 },
      collectivePublicKeySha256: 'f'.repeat(64),
    });
    expect(card.hashes).toEqual({ parametersSha256: 'b'.repeat(64), modelJsonSha256: '1'.repeat(64), weightsSha256: '2'.repeat(64) });
    // Never a row of data: only these aggregate numbers.
    expect(JSON.stringify(card)).not.toContain('patient_id');
  });

  it('limits metrics to versions up to the one described; the latest version of a completed study is final', () => {
    const first = buildModelCard({ study: { ...study, status: 'completed' }, version: 1, files, publishedAt: null, generatedAt: '2026-11-26T00:00:00.000Z' });
    expect(first.metrics.perVersion.map((m) => m.version)).toEqual([1]);
    expect(first.model.final).toBe(false);
    expect(first.federation.roundsCompleted).toBe(1);
    expect(buildModelCard({ study: { ...study, status: 'completed' }, version: 2, files, publishedAt: null, generatedAt: 'x' }).model.final).toBe(true);
    expect(() => buildModelCard({ study, version: 7, files, publishedAt: null, generatedAt: 'x' })).toThrow(/no model version 7/);
  });

  it('renders Markdown with escaped hub text, tables and every hash', () => {
    const markdown = modelCardMarkdown(card);
    expect(markdown).toMatch(/^# Model card: MACE \\\| risk, version 2\n/);
    expect(markdown).toContain('Major adverse cardiac events within \\*one\\* year.');
    expect(markdown).toContain('| Karolinska \\| Solna | 1 | — |');
    expect(markdown).toContain('| `age` | numeric | 18 – 100 | years | Age at admission |');
    expect(markdown).toContain('| 2 | 2 | 0.500 | 80.0 % | 0.900 | 0.450 | 300 | 1 |');
    expect(markdown).toContain('| `age` | 61.5 | 12.25 |');
    expect(markdown).toContain('- Decryption committee: any 2 of 2 sites');
    expect(markdown).toContain('(ε = 4, δ = 0.00001) over all rounds, clip norm 1; ε spent up to this version 2.500');
    expect(markdown).toContain('- Federated rounds: 2 completed of 3 planned');
    for (const hash of ['b'.repeat(64), '1'.repeat(64), '2'.repeat(64)]) expect(markdown).toContain(`\`${hash}\``);
  });

  it('parses the download parameters and names the files', () => {
    expect(parseModelFile('model.json')).toBe('model.json');
    expect(parseModelFile('model-card.md')).toBe('model-card.md');
    expect(parseModelFile('../etc/passwd')).toBeNull();
    expect(parseModelFile(null)).toBeNull();
    expect(parseModelVersion('12')).toBe(12);
    expect(parseModelVersion('0')).toBeNull();
    expect(parseModelVersion('1e3')).toBeNull();
    expect(modelFileName('MACE | risk', 2, 'weights.bin')).toBe('weights.bin');
    expect(modelFileName('MACE | risk', 2, 'model-card.md')).toBe('mace-risk-v2-model-card.md');
    expect(modelFileName('***', 1, 'model-card.json')).toBe('study-v1-model-card.json');
  });
});
