/**
 * A model card for one global model version: what the model is, what it expects, how it was
 * trained, by whom (sites and aggregate row counts only — never a row of data), how well it
 * validated, under which privacy settings, and the hashes that tie it to the hub's record and to the
 * downloaded files. Built from `studies.progress` plus the files' hashes; rendered as JSON and as
 * Markdown. Pure functions (the caller passes the clock).
 */
import { featureNames } from '@consilium/data/feature-encoding';
import { committeePlan, featureColumns } from '@consilium/schemas';
import type { StudyProgress } from '../server/hub.ts';
import { encryptionLabel } from './format.ts';
import { metricsOverVersions, versionMetrics, type VersionMetrics } from './model-metrics.ts';

export const MODEL_CARD_FORMAT = 'consilium-model-card/1';

/** The downloadable files of a model version (tfjs loads model.json and weights.bin from one folder). */
export const MODEL_FILES = ['model.json', 'weights.bin', 'model-card.md', 'model-card.json'] as const;
export type ModelFile = (typeof MODEL_FILES)[number];

export const MODEL_FILE_CONTENT_TYPES: Record<ModelFile, string> = {
  'model.json': 'application/json; charset=utf-8',
  'weights.bin': 'application/octet-stream',
  'model-card.md': 'text/markdown; charset=utf-8',
  'model-card.json': 'application/json; charset=utf-8',
};

export const MODEL_DOWNLOADS: ReadonlyArray<{ file: ModelFile; label: string }> = [
  { file: 'model.json', label: 'model.json' },
  { file: 'weights.bin', label: 'weights.bin' },
  { file: 'model-card.md', label: 'Model card' },
  { file: 'model-card.json', label: 'Model card (JSON)' },
];

/** `?file=` as a known file, or null (a 400). */
export function parseModelFile(value: string | null): ModelFile | null {
  return value !== null && (MODEL_FILES as readonly string[]).includes(value) ? (value as ModelFile) : null;
}

/** A positive integer version from the URL, or null. */
export function parseModelVersion(value: string): number | null {
  return /^[1-9][0-9]{0,8}$/.test(value) ? Number(value) : null;
}

/**
 * The name the browser saves a file under. model.json and weights.bin keep their names, which
 * model.json's weights manifest relies on; the cards name the study and version.
 */
export function modelFileName(studyName: string, version: number, file: ModelFile): string {
  if (file === 'model.json' || file === 'weights.bin') return file;
  const slug = studyName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'study';
  return `${slug}-v${version}-${file}`;
}

export interface ModelFilesInfo {
  modelJsonSha256: string;
  weightsSha256: string;
  weightsBytes: number;
  /** SHA-256 of the flat parameters as served by the hub (equals the version's parametersHash). */
  parametersSha256: string;
  parameterCount: number;
}

export interface ModelCardInput {
  study: StudyProgress;
  version: number;
  files: ModelFilesInfo;
  /** When the hub published the version (from the download), if known. */
  publishedAt: string | null;
  generatedAt: string;
}

interface FeatureDescription {
  name: string;
  type: 'numeric' | 'categorical';
  unit?: string;
  range?: [number, number];
  categories?: string[];
  description?: string;
}

export interface ModelCard {
  format: typeof MODEL_CARD_FORMAT;
  generatedAt: string;
  study: { id: string; name: string; description: string; status: string; createdAt: string; startedAt: string | null; completedAt: string | null };
  model: {
    version: number;
    modelVersionId: string;
    round: number | null;
    /** The study's latest version of a completed study. */
    final: boolean;
    publishedAt: string | null;
    architecture: StudyProgress['spec']['model'];
    output: string;
    parameterCount: number;
    format: string;
    files: Array<{ name: string; sha256: string; bytes?: number }>;
  };
  data: {
    features: FeatureDescription[];
    label: { column: string; positive: string[]; negative: string[] };
    categoricalEncoding: string;
    /** The model's inputs, in order (categorical features one-hot encoded). */
    inputs: string[];
    missingValues: { values: string[]; policy: string };
    preprocessing: { standardize: string; numericMoments: Record<string, { mean: number; std: number }> | null };
  };
  training: StudyProgress['spec']['training'];
  federation: {
    plannedRounds: number;
    roundsCompleted: number;
    minSitesPerRound: number;
    totalTrainingRows: number | null;
    sites: Array<{ name: string; heldOutRows: number | null; submittedRounds: number }>;
  };
  metrics: {
    thisVersion: VersionMetrics;
    perVersion: VersionMetrics[];
    perSite: Array<{ site: string; n: number; accuracy: number; loss: number; auc: number | null; positiveRate: number; final: boolean }>;
  };
  privacy: {
    secureAggregation: string;
    ckks: StudyProgress['spec']['privacy']['ckks'] | null;
    committee: { threshold: number; size: number } | null;
    maxAbsParameter: number;
    differentialPrivacy: { epsilon: number; delta: number; clipNorm: number; epsilonSpent: number | null } | null;
    collectivePublicKeySha256: string | null;
  };
  hashes: { parametersSha256: string; modelJsonSha256: string; weightsSha256: string };
}

function describeFeature(column: ReturnType<typeof featureColumns>[number]): FeatureDescription {
  const base = { name: column.name, type: column.type, ...(column.description ? { description: column.description } : {}) };
  return column.type === 'numeric'
    ? { ...base, range: column.range, ...(column.unit ? { unit: column.unit } : {}) }
    : { ...base, categories: column.categories };
}

/** The consortium's mean and std per numeric feature, from the decrypted statistics round, if it has them. */
function numericMoments(statistics: unknown): Record<string, { mean: number; std: number }> | null {
  if (typeof statistics !== 'object' || statistics === null) return null;
  const numeric = (statistics as { numeric?: unknown }).numeric;
  if (typeof numeric !== 'object' || numeric === null) return null;
  const out: Record<string, { mean: number; std: number }> = {};
  for (const [name, value] of Object.entries(numeric)) {
    const m = value as { mean?: unknown; std?: unknown } | null;
    if (typeof m?.mean === 'number' && typeof m.std === 'number') out[name] = { mean: m.mean, std: m.std };
  }
  return Object.keys(out).length ? out : null;
}

/** The card of version `version` of the study; throws when the study has no such version. */
export function buildModelCard(input: ModelCardInput): ModelCard {
  const { study, files } = input;
  const spec = study.spec;
  const model = study.models.find((m) => m.version === input.version);
  if (!model) throw new Error(`The study has no model version ${input.version}`);
  const round = study.rounds.find((r) => r.id === model.roundId) ?? null;
  const trainRounds = study.rounds.filter((r) => r.kind === 'train' && r.status === 'complete' && (round === null || r.index <= round.index));
  const target = spec.data.columns.find((c) => c.name === spec.data.target.column);
  const categories = target?.type === 'categorical' ? target.categories : [];
  const latest = Math.max(...study.models.map((m) => m.version));
  const encrypted = spec.privacy.secureAggregation !== 'none';
  const dp = spec.privacy.differentialPrivacy;
  const siteName = new Map(study.sites.map((s) => [s.siteId, s.name]));
  const heldOut = new Map(model.evaluations.map((e) => [e.siteId, e.metrics.n]));

  return {
    format: MODEL_CARD_FORMAT,
    generatedAt: input.generatedAt,
    study: {
      id: study.id,
      name: study.name,
      description: spec.description,
      status: study.status,
      createdAt: study.createdAt,
      startedAt: study.startedAt,
      completedAt: study.completedAt,
    },
    model: {
      version: model.version,
      modelVersionId: model.id,
      round: round?.index ?? null,
      final: study.status === 'completed' && model.version === latest,
      publishedAt: input.publishedAt,
      architecture: spec.model,
      output: `P(${spec.data.target.column} ∈ {${spec.data.target.positive.join(', ')}}): one sigmoid unit; predicted positive at ≥ ${spec.training.threshold}`,
      parameterCount: files.parameterCount,
      format: 'TensorFlow.js layers model (model.json + weights.bin in one folder; tf.loadLayersModel)',
      files: [
        { name: 'model.json', sha256: files.modelJsonSha256 },
        { name: 'weights.bin', sha256: files.weightsSha256, bytes: files.weightsBytes },
      ],
    },
    data: {
      features: featureColumns(spec.data).map(describeFeature),
      label: { column: spec.data.target.column, positive: spec.data.target.positive, negative: categories.filter((c) => !spec.data.target.positive.includes(c)) },
      categoricalEncoding: spec.data.categoricalEncoding,
      inputs: featureNames(spec.data),
      missingValues: { values: spec.data.missingValues, policy: spec.data.missingPolicy },
      preprocessing: { standardize: spec.preprocessing.standardize, numericMoments: spec.preprocessing.standardize === 'federated' ? numericMoments(study.statistics) : null },
    },
    training: spec.training,
    federation: {
      plannedRounds: spec.training.rounds,
      roundsCompleted: trainRounds.length,
      minSitesPerRound: spec.federation.minSitesPerRound,
      totalTrainingRows: study.totalSamples,
      sites: study.sites.map((s) => ({
        name: s.name,
        heldOutRows: heldOut.get(s.siteId) ?? null,
        submittedRounds: trainRounds.filter((r) => r.submitted.includes(s.siteId)).length,
      })),
    },
    metrics: {
      thisVersion: versionMetrics(model, study.rounds),
      perVersion: metricsOverVersions(study.models.filter((m) => m.version <= model.version), study.rounds),
      perSite: model.evaluations.map((e) => ({
        site: siteName.get(e.siteId) ?? e.siteName,
        n: e.metrics.n,
        accuracy: e.metrics.accuracy,
        loss: e.metrics.loss,
        auc: e.metrics.auc,
        positiveRate: e.metrics.positiveRate,
        final: e.final,
      })),
    },
    privacy: {
      secureAggregation: spec.privacy.secureAggregation,
      ckks: encrypted ? spec.privacy.ckks : null,
      committee: encrypted && study.sites.length > 0 ? committeePlan(spec, study.sites.length) : null,
      maxAbsParameter: spec.privacy.maxAbsParameter,
      differentialPrivacy: dp ? { epsilon: dp.epsilon, delta: dp.delta, clipNorm: dp.clipNorm, epsilonSpent: versionMetrics(model, study.rounds).epsilonSpent } : null,
      collectivePublicKeySha256: study.publicKeyHash,
    },
    hashes: { parametersSha256: files.parametersSha256, modelJsonSha256: files.modelJsonSha256, weightsSha256: files.weightsSha256 },
  };
}

// ─── Markdown ────────────────────────────────────────────────────────────────

/** Text from the hub as one Markdown table cell or line: no line breaks, pipes escaped, markup characters escaped. */
function md(text: string): string {
  return text.replace(/\s+/g, ' ').replace(/([\\`*_{}[\]<>#|!])/g, '\\$1').trim();
}
const num = (v: number | null, digits = 3) => (v === null ? '—' : v.toFixed(digits));
const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
const int = (v: number | null) => (v === null ? '—' : String(v));

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

export function modelCardMarkdown(card: ModelCard): string {
  const { study, model, data, training, federation, metrics, privacy, hashes } = card;
  const architecture = model.architecture.type === 'mlp' ? `MLP, hidden layers ${model.architecture.hiddenUnits.join(' → ')} (${model.architecture.activation}), sigmoid output` : 'Logistic regression (one sigmoid unit)';
  const dp = privacy.differentialPrivacy;
  const lines = [
    `# Model card: ${md(study.name)}, version ${model.version}`,
    '',
    study.description ? md(study.description) : '_No description._',
    '',
    `- Study: \`${study.id}\` (${study.status}), created ${study.createdAt}${study.completedAt ? `, completed ${study.completedAt}` : ''}`,
    `- Model version: ${model.version}${model.final ? ' (final)' : ''}, id \`${model.modelVersionId}\`, from training round ${int(model.round)}${model.publishedAt ? `, published ${model.publishedAt}` : ''}`,
    `- Generated: ${card.generatedAt}`,
    '',
    '## Model',
    '',
    `- Architecture: ${architecture}; ${model.parameterCount} parameters`,
    `- Output: ${md(model.output)}`,
    `- Format: ${model.format}`,
    '',
    '## Data schema',
    '',
    `Label: \`${md(data.label.column)}\`, positive = ${data.label.positive.map(md).join(', ')}; negative = ${data.label.negative.map(md).join(', ') || '—'}.`,
    '',
    ...table(
      ['Feature', 'Type', 'Range / categories', 'Unit', 'Description'],
      data.features.map((f) => [
        `\`${md(f.name)}\``,
        f.type,
        f.range ? `${f.range[0]} – ${f.range[1]}` : (f.categories ?? []).map(md).join(', '),
        f.unit ? md(f.unit) : '—',
        f.description ? md(f.description) : '—',
      ]),
    ),
    '',
    `Model inputs, in order (${data.inputs.length}; categorical features ${data.categoricalEncoding.replaceAll('_', ' ')}): ${data.inputs.map((i) => `\`${md(i)}\``).join(', ')}.`,
    '',
    `Missing values (${data.missingValues.values.map((v) => `"${md(v)}"`).join(', ')}): ${data.missingValues.policy.replaceAll('_', ' ')}.`,
    '',
    data.preprocessing.standardize === 'federated'
      ? 'Preprocessing: numeric features are standardised, (x − mean) / std, with the consortium\'s mean and std from the encrypted statistics round:'
      : 'Preprocessing: numeric features are used as they are (no standardisation).',
    ...(data.preprocessing.numericMoments
      ? ['', ...table(['Feature', 'Mean', 'Std'], Object.entries(data.preprocessing.numericMoments).map(([name, m]) => [`\`${md(name)}\``, String(m.mean), String(m.std)]))]
      : []),
    '',
    '## Training',
    '',
    `- Federated rounds: ${federation.roundsCompleted} completed of ${federation.plannedRounds} planned; at least ${federation.minSitesPerRound} sites per round`,
    `- Local training per round: ${training.localEpochs} epoch(s), batch ${training.batchSize}, ${training.optimizer} at learning rate ${training.learningRate}, L2 ${training.l2}`,
    `- Seed ${training.seed}; held-out fraction ${training.testFraction}; decision threshold ${training.threshold}`,
    `- Training rows in the consortium (statistics round): ${int(federation.totalTrainingRows)}`,
    '',
    '### Sites',
    '',
    'Aggregate counts only: no row of any site\'s data leaves the site.',
    '',
    ...table(['Site', 'Rounds submitted', 'Held-out rows validating this version'], federation.sites.map((s) => [md(s.name), String(s.submittedRounds), int(s.heldOutRows)])),
    '',
    '## Metrics',
    '',
    'Per version: training loss as aggregated by the round; validation pooled over the sites\' held-out rows (accuracy, loss and AUC weighted by rows).',
    '',
    ...table(
      ['Version', 'Round', 'Training loss', 'Validation accuracy', 'Validation AUC', 'Validation loss', 'Held-out rows', 'Sites'],
      metrics.perVersion.map((m) => [String(m.version), int(m.round), num(m.trainLoss), pct(m.accuracy), num(m.auc), num(m.loss), String(m.n), String(m.sites)]),
    ),
    '',
    `### Validation of version ${model.version} by site`,
    '',
    ...(metrics.perSite.length
      ? table(['Site', 'Accuracy', 'AUC', 'Loss', 'Rows', 'Positive rate'], metrics.perSite.map((s) => [md(s.site), pct(s.accuracy), num(s.auc), num(s.loss), String(s.n), pct(s.positiveRate)]))
      : ['_No site has reported its validation of this version yet._']),
    '',
    '## Privacy',
    '',
    `- Secure aggregation: ${md(encryptionLabel(privacy.secureAggregation))}${privacy.ckks ? ` (ring degree ${privacy.ckks.polyModulusDegree}, modulus bits ${privacy.ckks.coeffModulusBits.join('+')}, smudging 2^${privacy.ckks.smudgingSigmaBits})` : ''}`,
    `- Decryption committee: ${privacy.committee ? `any ${privacy.committee.threshold} of ${privacy.committee.size} sites` : '—'}`,
    `- Differential privacy: ${dp ? `(ε = ${dp.epsilon}, δ = ${dp.delta}) over all rounds, clip norm ${dp.clipNorm}${dp.epsilonSpent === null ? '' : `; ε spent up to this version ${num(dp.epsilonSpent)}`}` : 'none'}`,
    `- Parameter bound: |θ| ≤ ${privacy.maxAbsParameter}`,
    ...(privacy.collectivePublicKeySha256 ? [`- Collective public key SHA-256: \`${privacy.collectivePublicKeySha256}\``] : []),
    '',
    '## Hashes (SHA-256)',
    '',
    `- Parameters (flat float32, as the hub records them): \`${hashes.parametersSha256}\``,
    `- model.json: \`${hashes.modelJsonSha256}\``,
    `- weights.bin: \`${hashes.weightsSha256}\``,
    '',
  ];
  return lines.join('\n');
}
