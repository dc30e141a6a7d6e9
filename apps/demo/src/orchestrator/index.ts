/**
 * @consilium/demo/orchestrator: runs a consortium on this machine with real processes over real
 * HTTP on loopback — a hub, one agent per site — for the demo, benchmarks and end-to-end tests.
 * Every process logs to its own file; nothing is left running afterwards.
 */
export { runLocalConsortium } from './run-local-consortium.ts';
export type { ConsortiumPhases, ConsortiumStage, LocalConsortiumOptions, LocalConsortiumResult, LocalSite } from './run-local-consortium.ts';
export { startHubProcess, parseListeningLine } from './hub-process.ts';
export type { HubProcess, HubProcessOptions } from './hub-process.ts';
export { startAgentProcess, enrollAgent } from './agent-process.ts';
export type { AgentProcess, AgentProcessOptions, EnrollAgentOptions } from './agent-process.ts';
export { agentCliScript, hubCliScript } from './cli-scripts.ts';
export { createStudy } from './create-study.ts';
export type { CreatedStudy } from './create-study.ts';
export { adminClientOf, downloadModelParameters } from './hub-client.ts';
export type { HubConnection } from './hub-client.ts';
export { watchStudy } from './watch-study.ts';
export type { WatchStudyOptions } from './watch-study.ts';
export { describeStudyState, isStudyFinished, latestModel, sitesMissingFinalEvaluation } from './study-progress.ts';
export type { ModelProgress, RoundProgress, StudyProgress } from './study-progress.ts';
export { roundTimesMs } from './round-timings.ts';
export { readTransferLog, siteUploads } from './transfer-logs.ts';
export type { SiteUploads } from './transfer-logs.ts';
export { isInterruption } from './interrupt.ts';
export { readLogTail } from './log-tail.ts';
export type { ChildExit } from './child-process.ts';
