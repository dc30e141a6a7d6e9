/**
 * Federated-learning strategies and an in-memory transport. Free of TensorFlow.js: the hub imports
 * this entry point.
 */
export type * from './types.ts';
export { FedAvg } from './fedavg.ts';
export { trainingConfigOf } from './plan.ts';
export { runInMemoryFederation } from './in-memory.ts';
export type {
  InMemoryFederationOptions,
  InMemoryFederationResult,
  InMemorySite,
  RoundRecord,
} from './in-memory.ts';
