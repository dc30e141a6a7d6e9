import { DataSchema, parseOrThrow } from '@consilium/schemas';
import type { DataSchemaInput, StudySpecInput } from '@consilium/schemas';

/**
 * The synthetic cohort's columns: adults presenting with suspected coronary disease, with routine
 * measurements and whether they had a major adverse cardiac event (MACE: cardiovascular death,
 * myocardial infarction or urgent revascularisation) within a year. Ranges are plausible clinical
 * bounds, wide enough for any real patient and narrow enough to catch unit mix-ups.
 */
const SYNTHETIC_COHORT_SCHEMA: DataSchemaInput = {
  header: true,
  delimiter: ',',
  missingPolicy: 'drop_row',
  categoricalEncoding: 'one_hot_drop_first',
  columns: [
    { name: 'record_id', type: 'ignore', description: 'Pseudonymous record number, local to the hospital.' },
    { name: 'age', type: 'numeric', range: [18, 100], unit: 'years', description: 'Age at presentation.' },
    { name: 'sex', type: 'categorical', categories: ['female', 'male'] },
    { name: 'bmi', type: 'numeric', range: [12, 70], unit: 'kg/m²', description: 'Body-mass index.' },
    { name: 'systolic_bp', type: 'numeric', range: [70, 250], unit: 'mmHg', description: 'Systolic blood pressure at rest.' },
    { name: 'ldl_cholesterol', type: 'numeric', range: [0.5, 10], unit: 'mmol/L', description: 'LDL cholesterol; not always measured.' },
    { name: 'hba1c', type: 'numeric', range: [3, 18], unit: '%', description: 'Glycated haemoglobin (DCCT %); not always measured.' },
    { name: 'egfr', type: 'numeric', range: [5, 150], unit: 'mL/min/1.73m²', description: 'Estimated glomerular filtration rate (CKD-EPI).' },
    { name: 'smoking', type: 'categorical', categories: ['never', 'former', 'current'] },
    { name: 'diabetes', type: 'categorical', categories: ['no', 'yes'], description: 'Diagnosed diabetes mellitus (type 1 or 2).' },
    {
      name: 'chest_pain',
      type: 'categorical',
      categories: ['non_anginal', 'atypical_angina', 'typical_angina', 'asymptomatic'],
      description: 'Chest-pain type at presentation.',
    },
    { name: 'resting_ecg', type: 'categorical', categories: ['normal', 'st_t_abnormality', 'lvh'], description: 'Resting ECG: normal, ST-T wave abnormality, or left-ventricular hypertrophy.' },
    { name: 'mace_1y', type: 'categorical', categories: ['no', 'yes'], description: 'Major adverse cardiac event within one year.' },
  ],
  target: { column: 'mace_1y', positive: ['yes'] },
};

/** The data schema of the synthetic cardiovascular-risk cohort (target: `mace_1y` = yes). */
export function syntheticCohortSchema(): DataSchema {
  return parseOrThrow(DataSchema, SYNTHETIC_COHORT_SCHEMA, 'synthetic cohort schema');
}

/**
 * A complete study over the synthetic cohort, as the demo runs it: logistic regression, federated
 * standardisation, secure aggregation under a multiparty CKKS key.
 */
export function syntheticStudySpec(): StudySpecInput {
  return {
    name: 'Cardiovascular risk: 1-year MACE (synthetic cohort)',
    description:
      'Predicts a major adverse cardiac event within one year of presentation with suspected coronary disease, ' +
      'from age, sex, BMI, blood pressure, LDL cholesterol, HbA1c, eGFR, smoking, diabetes, chest-pain type and resting ECG. ' +
      'Synthetic data: four hospitals with different populations, case mix and event rates.',
    data: SYNTHETIC_COHORT_SCHEMA,
    model: { type: 'logistic_regression' },
    training: {
      rounds: 12,
      localEpochs: 2,
      batchSize: 32,
      learningRate: 0.2,
      optimizer: 'sgd',
      l2: 0.001,
      seed: 42,
      testFraction: 0.34,
      threshold: 0.5,
    },
    federation: { minSitesPerRound: 2 },
    privacy: { secureAggregation: 'ckks-multiparty' },
    preprocessing: { standardize: 'federated' },
  };
}
