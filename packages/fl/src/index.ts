/**
 * @consilium/fl: the federated-learning algorithm (strategies, kernels, metrics) and local
 * training. This entry point re-exports everything and so loads TensorFlow.js; code that must not
 * (the hub) imports the ./strategy, ./kernels, ./metrics and ./model-layout subpaths instead.
 */
export * from './kernels.ts';
export * from './metrics.ts';
export * from './strategy/index.ts';
export * from './train/index.ts';
