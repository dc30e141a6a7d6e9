/**
 * @consilium/dp: differential privacy for federated averaging — a Rényi-DP accountant for the
 * Gaussian mechanism (with zCDP and exact-Gaussian cross-checks), noise calibration, L2 clipping and
 * distributed Gaussian noise shares drawn from node:crypto. No TensorFlow.js; the hub imports it.
 * See README.md for how it maps onto the FedAvg vector.
 */
export { DEFAULT_ORDERS, epsilonFromRdp, gaussianEpsilon, rdpGaussian } from './rdp.ts';
export { createAccountant } from './accountant.ts';
export type { PrivacyAccountant } from './accountant.ts';
export { zcdpEpsilon, zcdpGaussian } from './zcdp.ts';
export { calibrateNoiseMultiplier } from './calibrate.ts';
export { exactGaussianEpsilon, gaussianDelta, normalCdf } from './analytic-gaussian.ts';
export { clipL2 } from './clip.ts';
export type { ClipResult } from './clip.ts';
export { gaussianNoise, gaussianNoiseShare } from './noise.ts';
export { assertPrivacyBudget, budgetStatus, dpPlanForSpec, dpValueBound, NOISE_TAIL_SIGMAS, privacyBudgetCheck } from './study-plan.ts';
export type { DpPlan, DpStudySpec, PrivacyBudgetStatus } from './study-plan.ts';
