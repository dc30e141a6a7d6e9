/**
 * Local training with TensorFlow.js. Importing this entry point loads tfjs; call initBackend before
 * building models.
 */
export { initBackend } from './backend.ts';
export { buildModel, createModel, inputDimOf, modelFromFlatParameters } from './model.ts';
export { getFlatParameters, setFlatParameters } from './parameters.ts';
export { trainLocal } from './train-local.ts';
export type { LocalTrainingResult, TrainLocalOptions, TrainProgress } from './train-local.ts';
export { evaluateModel, predictProbabilities } from './evaluate.ts';
export { exportModelArtifacts, loadModelFromArtifacts, modelArtifactsFromParameters, WEIGHTS_FILE_NAME } from './artifacts.ts';
export type { ModelArtifactsFiles } from './artifacts.ts';
export { trainCentralized } from './centralized.ts';
export type { CentralizedOptions } from './centralized.ts';
export { denseLayers, initialParameters, parameterCount } from '../model-layout.ts';
export type { DenseLayerShape } from '../model-layout.ts';
