/**
 * The study wizard's draft, the spec it assembles, and validation with the spec file's own zod
 * schema (StudySpec from @consilium/schemas, the one `consilium-hub study:create` reads), with each
 * issue put on the field (and so the step) it belongs to. Pure functions, tested beside; safe in
 * the browser (the schemas package depends on zod only).
 */
import { formatPath } from '@consilium/schemas/parse';
import { DifferentialPrivacyConfig, FederationConfig, PrivacyConfig, StudySpec } from '@consilium/schemas/study';
import { TrainingConfig } from '@consilium/schemas/model';
import { DataSchema } from '@consilium/schemas/data-schema';
import type { z } from 'zod';
import { draftColumnToSpec, type DraftColumn } from './csv-schema.ts';

export const STEPS = [
  { id: 'basics', label: 'Basics' },
  { id: 'data', label: 'Data' },
  { id: 'model', label: 'Model and training' },
  { id: 'federation', label: 'Federation' },
  { id: 'privacy', label: 'Privacy' },
  { id: 'review', label: 'Review and create' },
] as const;

export type StepId = (typeof STEPS)[number]['id'];

/** A sample read in the browser: its name, size and each column's distinct values (up to a few hundred). */
export interface SampleSource {
  label: string;
  rows: number;
  truncated: boolean;
  distinct: string[][];
}

export interface StudyDraft {
  name: string;
  description: string;
  data: {
    delimiter: string;
    columns: DraftColumn[];
    /** The label column's name ('' until chosen). */
    target: string;
    /** The label's categories that count as positive. */
    positive: string[];
    /** What the columns were proposed from (not part of the spec; the file itself is never kept). */
    source: SampleSource | null;
  };
  model: {
    type: 'logistic_regression' | 'mlp';
    /** Units per hidden layer, comma-separated ("32, 16"). */
    hiddenUnits: string;
    activation: 'relu' | 'tanh';
  };
  training: { rounds: number; localEpochs: number; batchSize: number; learningRate: number; optimizer: 'sgd' | 'adam' };
  federation: { minSitesPerRound: number; roundDeadlineSeconds: number; decryptionDeadlineSeconds: number; autoStart: boolean };
  privacy: {
    secureAggregation: 'ckks-multiparty' | 'none';
    differentialPrivacy: boolean;
    /** NaN until filled in (the schema has no default for these two). */
    epsilon: number;
    delta: number;
    clipNorm: number;
  };
}

const TRAINING = TrainingConfig.parse({});
const FEDERATION = FederationConfig.parse({});
const PRIVACY = PrivacyConfig.parse({});
const DP_DELTA = DifferentialPrivacyConfig.shape.delta.parse(undefined);

/** A new draft with the spec schema's defaults. */
export function defaultDraft(): StudyDraft {
  return {
    name: '',
    description: '',
    data: { delimiter: ',', columns: [], target: '', positive: [], source: null },
    model: { type: 'logistic_regression', hiddenUnits: '16', activation: 'relu' },
    training: { rounds: TRAINING.rounds, localEpochs: TRAINING.localEpochs, batchSize: TRAINING.batchSize, learningRate: TRAINING.learningRate, optimizer: TRAINING.optimizer },
    federation: {
      minSitesPerRound: FEDERATION.minSitesPerRound,
      roundDeadlineSeconds: FEDERATION.roundDeadlineSeconds,
      decryptionDeadlineSeconds: FEDERATION.decryptionDeadlineSeconds,
      autoStart: FEDERATION.autoStart,
    },
    privacy: { secureAggregation: PRIVACY.secureAggregation, differentialPrivacy: false, epsilon: Number.NaN, delta: DP_DELTA, clipNorm: Number.NaN },
  };
}

/** "32, 16" → [32, 16]; a part that is not a whole number becomes NaN, so the schema names it. */
export function parseHiddenUnits(text: string): number[] {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return parts.map((p) => (/^\d+$/.test(p) ? Number(p) : Number.NaN));
}

/** The spec file's content for a draft (input to StudySpec: omitted parts take the schema's defaults). */
export function assembleSpec(draft: StudyDraft): Record<string, unknown> {
  const { privacy } = draft;
  return {
    name: draft.name.trim(),
    description: draft.description.trim(),
    data: {
      header: true,
      delimiter: draft.data.delimiter,
      columns: draft.data.columns.map(draftColumnToSpec),
      target: { column: draft.data.target, positive: draft.data.positive },
    },
    model: draft.model.type === 'mlp' ? { type: 'mlp', hiddenUnits: parseHiddenUnits(draft.model.hiddenUnits), activation: draft.model.activation } : { type: 'logistic_regression' },
    training: { ...draft.training },
    federation: { ...draft.federation },
    privacy: {
      secureAggregation: privacy.secureAggregation,
      ...(privacy.differentialPrivacy ? { differentialPrivacy: { epsilon: privacy.epsilon, delta: privacy.delta, clipNorm: privacy.clipNorm } } : {}),
    },
  };
}

// ─── Issues → fields ──────────────────────────────────────────────────────────

/** The wizard's fields, by the spec path they edit, and the step that shows them. */
const FIELD_STEPS: Readonly<Record<string, StepId>> = {
  name: 'basics',
  description: 'basics',
  'data.columns': 'data',
  'data.target.column': 'data',
  'data.target.positive': 'data',
  'model.type': 'model',
  'model.hiddenUnits': 'model',
  'model.activation': 'model',
  'training.rounds': 'model',
  'training.localEpochs': 'model',
  'training.batchSize': 'model',
  'training.learningRate': 'model',
  'training.optimizer': 'model',
  'federation.minSitesPerRound': 'federation',
  'federation.roundDeadlineSeconds': 'federation',
  'federation.decryptionDeadlineSeconds': 'federation',
  'federation.autoStart': 'federation',
  'privacy.secureAggregation': 'privacy',
  'privacy.differentialPrivacy': 'privacy',
  'privacy.differentialPrivacy.epsilon': 'privacy',
  'privacy.differentialPrivacy.delta': 'privacy',
  'privacy.differentialPrivacy.clipNorm': 'privacy',
};

/** Where a top-level part of the spec is edited, for issues that have no field of their own. */
const ROOT_STEPS: Readonly<Record<string, StepId>> = {
  name: 'basics',
  description: 'basics',
  data: 'data',
  model: 'model',
  training: 'model',
  federation: 'federation',
  privacy: 'privacy',
};

const COLUMN_FIELD = /^data\.columns\[(\d+)\]\.(name|type|range|categories|unit)\b/;
const COLUMN_ROW = /^data\.columns\[(\d+)\]/;

/** A field's key: the spec path it edits (`training.rounds`, `data.columns[2].range`). */
export type FieldKey = string;

export interface SpecErrors {
  /** The first message for each field. */
  fields: Record<FieldKey, string>;
  /** Messages without a field, by the step that shows them. */
  general: Partial<Record<StepId, string[]>>;
}

export interface PathIssue {
  /** A dotted path as the hub sends it (`spec.data.columns[2].range`) or as formatPath writes it. */
  path: string;
  message: string;
}

/** The field an issue path belongs to, and its step (null field: shown at the top of the step). */
export function locateIssue(rawPath: string): { field: FieldKey | null; step: StepId } {
  const path = rawPath.replace(/^spec(?:\.|$)/, '');
  const column = COLUMN_FIELD.exec(path);
  if (column) return { field: `data.columns[${column[1]}].${column[2]}`, step: 'data' };
  const row = COLUMN_ROW.exec(path);
  if (row) return { field: `data.columns[${row[1]}].name`, step: 'data' };
  // Drop array indexes (`model.hiddenUnits[1]`, `data.target.positive[0]`), then walk up to a known field.
  let key = path.replace(/\[\d+\]/g, '');
  while (key !== '') {
    const step = FIELD_STEPS[key];
    if (step) return { field: key, step };
    const dot = key.lastIndexOf('.');
    key = dot < 0 ? '' : key.slice(0, dot);
  }
  const root = path.split(/[.[]/, 1)[0] ?? '';
  return { field: null, step: ROOT_STEPS[root] ?? 'review' };
}

/** Sorts issues onto fields and steps (the first message per field wins). */
export function errorsFromIssues(issues: readonly PathIssue[]): SpecErrors {
  const errors: SpecErrors = { fields: {}, general: {} };
  for (const issue of issues) {
    const { field, step } = locateIssue(issue.path);
    if (field) {
      errors.fields[field] ??= issue.message;
    } else {
      const list = (errors.general[step] ??= []);
      const root = issue.path.replace(/^spec\.?/, '');
      const message = root === '' || root === '(root)' ? issue.message : `${root}: ${issue.message}`;
      if (!list.includes(message)) list.push(message);
    }
  }
  return errors;
}

/** Whether a step has any error (on a field or in general). */
export function stepHasErrors(errors: SpecErrors, step: StepId): boolean {
  if ((errors.general[step]?.length ?? 0) > 0) return true;
  return Object.keys(errors.fields).some((field) => locateIssue(field).step === step);
}

/** The first step, in wizard order, with an error; null when there is none. */
export function firstStepWithErrors(errors: SpecErrors): StepId | null {
  return STEPS.find((step) => stepHasErrors(errors, step.id))?.id ?? null;
}

/** Only the errors of the given steps (what the wizard shows up to the current step). */
export function errorsForSteps(errors: SpecErrors, steps: readonly StepId[]): SpecErrors {
  const fields = Object.fromEntries(Object.entries(errors.fields).filter(([field]) => steps.includes(locateIssue(field).step)));
  const general = Object.fromEntries(Object.entries(errors.general).filter(([step]) => steps.includes(step as StepId))) as SpecErrors['general'];
  return { fields, general };
}

// ─── Messages for people ──────────────────────────────────────────────────────

type Issue = z.core.$ZodIssue;

function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** A zod issue in words for hospital staff ("Enter a number.", "Must be at least 2."). */
export function friendlyMessage(issue: Issue): string {
  // The schema's own words (e.g. "a categorical column needs at least 2 categories") say more than a generic rule.
  if (!/^(?:Too (?:small|big)|Invalid)\b/.test(issue.message)) return sentence(issue.message);
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'number') return 'Enter a number.';
      if (issue.expected === 'string' || issue.input === undefined) return 'This is required.';
      return sentence(issue.message);
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'string') return min <= 1 ? 'This is required.' : `Use at least ${min} characters.`;
      if (issue.origin === 'array') return min <= 1 ? 'Add at least one.' : `Add at least ${min}.`;
      if (issue.origin === 'number' || issue.origin === 'int') return issue.inclusive === false ? `Must be more than ${min}.` : `Must be at least ${min}.`;
      return sentence(issue.message);
    }
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'string') return `Use at most ${max} characters.`;
      if (issue.origin === 'array') return `At most ${max} allowed.`;
      if (issue.origin === 'number' || issue.origin === 'int') return issue.inclusive === false ? `Must be less than ${max}.` : `Must be at most ${max}.`;
      return sentence(issue.message);
    }
    case 'invalid_value':
      return `Choose one of: ${issue.values.map(String).join(', ')}.`;
    default:
      return sentence(issue.message);
  }
}

/** A zod error's issues with their paths written like the hub writes them. */
export function pathIssues(error: z.ZodError, prefix = ''): PathIssue[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    return { path: prefix && path === '(root)' ? prefix : prefix ? `${prefix}.${path}` : path, message: friendlyMessage(issue) };
  });
}

export type DraftValidation = { ok: true; spec: StudySpec; errors: SpecErrors } | { ok: false; spec: null; errors: SpecErrors };

/**
 * Validates the draft with the spec file's schema. The data schema and privacy settings are also
 * checked on their own, so their cross-field rules (label must be categorical, privacy needs secure
 * aggregation) show while a later step still has an error.
 */
export function validateDraft(draft: StudyDraft): DraftValidation {
  const input = assembleSpec(draft);
  const result = StudySpec.safeParse(input);
  if (result.success) return { ok: true, spec: result.data, errors: { fields: {}, general: {} } };
  const issues = pathIssues(result.error);
  const data = DataSchema.safeParse(input.data);
  if (!data.success) issues.push(...pathIssues(data.error, 'data'));
  const privacy = PrivacyConfig.safeParse(input.privacy);
  if (!privacy.success) issues.push(...pathIssues(privacy.error, 'privacy'));
  return { ok: false, spec: null, errors: errorsFromIssues(issues) };
}

/** The spec file's text: every setting written out (the schema's defaults included), as study:create reads it. */
export function specFileText(spec: StudySpec): string {
  return `${JSON.stringify(spec, null, 2)}\n`;
}

/** "600 seconds" in words: "10 minutes", "1 hour 30 minutes". */
export function durationInWords(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.round(seconds);
  const days = Math.floor(s / 86_400);
  const hours = Math.floor((s % 86_400) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  const parts: string[] = [];
  const add = (n: number, unit: string) => {
    if (n > 0) parts.push(`${n} ${unit}${n === 1 ? '' : 's'}`);
  };
  add(days, 'day');
  add(hours, 'hour');
  add(minutes, 'minute');
  add(rest, 'second');
  return parts.length > 0 ? parts.join(' ') : '0 seconds';
}
