import { StudySpec } from '@consilium/schemas/study';
import { describe, expect, it } from 'vitest';
import type { DraftColumn } from './csv-schema.ts';
import {
  assembleSpec,
  defaultDraft,
  durationInWords,
  errorsForSteps,
  errorsFromIssues,
  firstStepWithErrors,
  locateIssue,
  parseHiddenUnits,
  specFileText,
  stepHasErrors,
  validateDraft,
  type StudyDraft,
} from './study-spec.ts';

const column = (name: string, type: DraftColumn['type'], extra: Partial<DraftColumn> = {}): DraftColumn => ({ name, type, min: '', max: '', categories: '', unit: '', note: '', ...extra });

function validDraft(): StudyDraft {
  const draft = defaultDraft();
  draft.name = 'Heart disease';
  draft.description = 'Predicts heart disease.';
  draft.data.columns = [column('patient_id', 'ignore'), column('age', 'numeric', { min: '0', max: '120', unit: 'years' }), column('sex', 'categorical', { categories: '0, 1' }), column('target', 'categorical', { categories: '0, 1' })];
  draft.data.target = 'target';
  draft.data.positive = ['1'];
  return draft;
}

describe('defaultDraft', () => {
  it('takes the spec schema defaults', () => {
    const draft = defaultDraft();
    expect(draft.training).toMatchObject({ rounds: 20, localEpochs: 1, batchSize: 32, learningRate: 0.05 });
    expect(draft.federation).toMatchObject({ minSitesPerRound: 2, roundDeadlineSeconds: 600, autoStart: true });
    expect(draft.privacy).toMatchObject({ secureAggregation: 'ckks-multiparty', differentialPrivacy: false, delta: 1e-5 });
  });
});

describe('validateDraft', () => {
  it('accepts a complete draft; the spec file round-trips through StudySpec', () => {
    const result = validateDraft(validDraft());
    expect(result.ok).toBe(true);
    const spec = JSON.parse(specFileText(result.spec!)) as unknown;
    expect(StudySpec.parse(spec)).toEqual(result.spec);
    expect(result.spec!.data.columns[1]).toEqual({ name: 'age', type: 'numeric', range: [0, 120], unit: 'years' });
    expect(result.spec!.model).toEqual({ type: 'logistic_regression' });
  });

  it('puts issues on the fields of each step', () => {
    const draft = validDraft();
    draft.name = 'ab';
    draft.data.columns[1] = column('age', 'numeric', { min: '', max: '120' });
    draft.training.rounds = 0;
    const { errors } = validateDraft(draft);
    expect(errors.fields.name).toBe('Use at least 3 characters.');
    expect(errors.fields['data.columns[1].range']).toBe('Enter a number.');
    expect(errors.fields['training.rounds']).toBe('Must be at least 1.');
    expect(firstStepWithErrors(errors)).toBe('basics');
    expect(stepHasErrors(errors, 'federation')).toBe(false);
    expect(Object.keys(errorsForSteps(errors, ['basics']).fields)).toEqual(['name']);
  });

  it('keeps the schema\'s own messages, in sentences', () => {
    const draft = validDraft();
    draft.data.columns[2] = column('sex', 'categorical', { categories: '0' });
    draft.data.columns[1] = column('age', 'numeric', { min: '120', max: '0' });
    const { errors } = validateDraft(draft);
    expect(errors.fields['data.columns[2].categories']).toBe('A categorical column needs at least 2 categories.');
    expect(errors.fields['data.columns[1].range']).toBe('Range must be [min, max] with min < max.');
  });

  it('reports the data schema rules while another step is wrong', () => {
    const draft = validDraft();
    draft.name = '';
    draft.data.target = 'age';
    const { errors } = validateDraft(draft);
    expect(errors.fields['data.target.column']).toMatch(/must be a categorical column/);
  });

  it('reports missing differential privacy settings and privacy without encryption', () => {
    const draft = validDraft();
    draft.privacy.differentialPrivacy = true;
    expect(validateDraft(draft).errors.fields['privacy.differentialPrivacy.epsilon']).toBe('Enter a number.');
    draft.privacy.epsilon = 3;
    draft.privacy.clipNorm = 1;
    draft.privacy.secureAggregation = 'none';
    draft.federation.minSitesPerRound = 1;
    expect(validateDraft(draft).errors.fields['privacy.differentialPrivacy']).toMatch(/needs secure aggregation/i);
  });

  it('applies the spec-level rule: two sites per round under encryption', () => {
    const draft = validDraft();
    draft.federation.minSitesPerRound = 1;
    expect(validateDraft(draft).errors.fields['federation.minSitesPerRound']).toMatch(/at least 2 under secure aggregation/);
  });

  it('builds a multilayer perceptron from the hidden layers text', () => {
    const draft = validDraft();
    draft.model = { type: 'mlp', hiddenUnits: '32, 16', activation: 'tanh' };
    expect(assembleSpec(draft).model).toEqual({ type: 'mlp', hiddenUnits: [32, 16], activation: 'tanh' });
    draft.model.hiddenUnits = '32, x';
    expect(validateDraft(draft).errors.fields['model.hiddenUnits']).toBe('Enter a number.');
    expect(parseHiddenUnits('')).toEqual([]);
  });
});

describe('locateIssue', () => {
  it('maps hub paths (with the spec. prefix) and nested paths to fields', () => {
    expect(locateIssue('spec.name')).toEqual({ field: 'name', step: 'basics' });
    expect(locateIssue('spec.data.columns[3].range[0]')).toEqual({ field: 'data.columns[3].range', step: 'data' });
    expect(locateIssue('data.columns[2]')).toEqual({ field: 'data.columns[2].name', step: 'data' });
    expect(locateIssue('data.target.positive[0]')).toEqual({ field: 'data.target.positive', step: 'data' });
    expect(locateIssue('model.hiddenUnits[1]')).toEqual({ field: 'model.hiddenUnits', step: 'model' });
    expect(locateIssue('privacy.ckks.polyModulusDegree')).toEqual({ field: null, step: 'privacy' });
    expect(locateIssue('contribution.stake')).toEqual({ field: null, step: 'review' });
    expect(locateIssue('spec')).toEqual({ field: null, step: 'review' });
  });

  it('collects unplaced messages per step without repeats', () => {
    const errors = errorsFromIssues([
      { path: 'spec.contribution.stake', message: 'Too big' },
      { path: 'spec.contribution.stake', message: 'Too big' },
      { path: 'spec.name', message: 'Short' },
      { path: 'name', message: 'Second' },
    ]);
    expect(errors).toEqual({ fields: { name: 'Short' }, general: { review: ['contribution.stake: Too big'] } });
  });
});

describe('durationInWords', () => {
  it('says durations as people do', () => {
    expect(durationInWords(600)).toBe('10 minutes');
    expect(durationInWords(5400)).toBe('1 hour 30 minutes');
    expect(durationInWords(86_401)).toBe('1 day 1 second');
    expect(durationInWords(Number.NaN)).toBe('');
  });
});
