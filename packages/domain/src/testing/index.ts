/**
 * Test kit for the hub (imported as @consilium/domain/testing; not part of the package's API): a
 * domain context on a fresh test database with a hand-moved clock, simulated sites that sign and
 * encrypt for real, a driver that performs their tasks as the agent does, and state snapshots.
 */
export { TestClock } from './clock.ts';
export { createTestHub, type TestHub } from './test-hub.ts';
export { createTestAccount, insertTestSite, type TestAccount } from './accounts.ts';
export { useDomainHarness, type DomainHarness } from './harness.ts';
export { SimulatedSite, type Contribution, type SignedRequest, type SiteProfile } from './simulated-site.ts';
export { asEnvelope, asStreamedEnvelope, authenticateSigned, domainTransport, type HubTransport, type PollAnswer } from './transport.ts';
export { driveStudy, performTask, runPendingTasks, type StudyUnderTest } from './drive.ts';
export { runStudyWithContribution } from './contribution.ts';
export { currentRound, runCeremony, setUpStudy, siteProfiles, testStudySpec, type TestStudy, type TestStudyOptions } from './test-study.ts';
export { AUDIT_TABLES, changedTables, publicTables, rowsOf, snapshotState, type StateSnapshot } from './snapshot.ts';
export { formsOf, leaks, type Secret } from './secret-forms.ts';
export { findBytesInDatabase, findSecretsInDatabase, type Finding, type MultiScanReport, type ScanReport } from './database-scan.ts';
export { refusalOf, rejectionOf, type Refusal } from './errors.ts';
export { contributionsTo, expectedFedAvg, expectedStatistics, maxAbsDifference, sumOf } from './expected.ts';
export type { LoadedRound } from '../rounds/load-round.ts';
