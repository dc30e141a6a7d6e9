/**
 * @consilium/demo: what `npm start` runs — a whole study on this machine, compared with a
 * centralized model — as functions other tools can call. The process orchestration itself is in
 * @consilium/demo/orchestrator.
 */
export { runDemo } from './demo/run-demo.ts';
export type { DemoContext, DemoOutcome } from './demo/run-demo.ts';
export { parseDemoArgs, parseSiteArgument } from './cli/parse-args.ts';
export type { DemoArgs, ParsedCommand } from './cli/parse-args.ts';
export { syntheticInputs, userInputs, readStudySpec, withPrivacy, SYNTHETIC_SEED } from './inputs/study-inputs.ts';
export type { StudyInputs } from './inputs/study-inputs.ts';
export { trainCentralizedBaseline } from './baseline/centralized-baseline.ts';
export type { BaselineResult } from './baseline/centralized-baseline.ts';
export { buildDemoResult } from './report/demo-result.ts';
export type { DemoResult, ModelMetrics } from './report/demo-result.ts';
export { poolSiteMetrics } from './report/pooled-metrics.ts';
export type { PooledMetrics } from './report/pooled-metrics.ts';
export { formatFinalReport } from './report/format-final-report.ts';
