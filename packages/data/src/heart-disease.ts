/**
 * @consilium/data/heart-disease: the UCI Heart Disease data (four hospitals, the FLamby
 * Fed-Heart-Disease benchmark), read from a directory outside the repository.
 */
export { HEART_DISEASE_HOSPITALS, defaultHeartDiseaseDir, locateHeartDiseaseFiles } from './heart-disease/hospitals.ts';
export type { HeartDiseaseSlug, HeartDiseaseFile } from './heart-disease/hospitals.ts';
export { heartDiseaseSchema, heartDiseaseStudySpec } from './heart-disease/heart-disease-schema.ts';
export { loadHeartDiseaseHospitals } from './heart-disease/load-heart-disease.ts';
export type { HeartDiseaseHospital } from './heart-disease/load-heart-disease.ts';
