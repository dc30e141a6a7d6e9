/**
 * Federated-learning strategies and an in-memory transport. Free of TensorFlow.js: the hub imports
 * this entry point.
 */
export type * from './types.ts';
export { FedAvg } from './fedavg.ts';
export { trainingConfigOf } from './plan.ts';
export { runInMemoryFederation } from './in-memory.ts';
export { withDifferentialPrivacy } from './differential-privacy.ts';
export type { DifferentialPrivacyOptions, DifferentiallyPrivateStrategy, PrivacyLedgerEntry } from './differential-privacy.ts';
// The study-level DP helpers, here too so that the hub and agents (which depend on this package)
// derive the same plan and budget from a spec.
export { assertPrivacyBudget, dpPlanForSpec, dpValueBound, privacyBudgetCheck } from '@consilium/dp';
export type { DpPlan, PrivacyBudgetStatus } from '@consilium/dp';
export type {
  InMemoryFederationOptions,
  InMemoryFederationResult,
  InMemorySite,
  RoundRecord,
} from './in-memory.ts';
