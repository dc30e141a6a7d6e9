/**
 * @consilium/data/synthetic: a synthetic multi-hospital cardiovascular-risk cohort for demos and
 * tests. Realistic clinical-style columns, one shared outcome model, hospitals that differ in
 * population, case mix, event rate, size and missing values. Deterministic for a seed.
 */
export { syntheticCohortSchema, syntheticStudySpec } from './synthetic/cohort-schema.ts';
export { generateSyntheticHospitals, writeSyntheticHospitals, DEFAULT_SYNTHETIC_SITES, MAX_SYNTHETIC_SITES } from './synthetic/generate-hospitals.ts';
export type { SyntheticHospital, SyntheticOptions, WrittenHospital } from './synthetic/generate-hospitals.ts';
