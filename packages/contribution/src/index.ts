/**
 * @consilium/contribution: who contributed what to a study, and what it earns them. Pure functions
 * and a ledger model, no transport and no database: the hub feeds in what it measured, what sites
 * signed and what came out of the encrypted aggregates, and stores the ledger entries it gets back.
 * See README.md for each component's source of truth and how a lying site is caught or bounded.
 */
export {
  computeContribution,
  creditedEpochs,
  creditedSamples,
  dataContribution,
  qualityFromAgreement,
  rarityFactor,
  uptimeBonus,
  validationService,
} from './components.ts';
export type {
  Bounded,
  QualityOptions,
  RarityOptions,
  SiteDeclaration,
  StudyLimits,
  TrainingClaim,
  UptimeOptions,
  ValidationServiceInput,
} from './components.ts';
export { MAD_TO_SIGMA, mad, median, robustScale, robustZ, robustZScores } from './robust-stats.ts';
export type { RobustZOptions } from './robust-stats.ts';
export { isProof, PROOF_REASONS } from './evidence.ts';
export type { Evidence, MetricEvidence, MetricReason, SubmissionEvidence, SubmissionReason } from './evidence.ts';
export { checkParticipationHarm, checkValidationReports } from './anomalies.ts';
export type { ParticipationHarmOptions, RoundOutcome, ValidationCheckOptions, ValidationCheckResult, ValidationReport } from './anomalies.ts';
export { checkLabelCounts, checkTrainingClaim, protocolViolation } from './submissions.ts';
export { confirmMisconduct, DEFAULT_SLASH_POLICY, slashAmount } from './misconduct.ts';
export type { MisconductBasis, MisconductInput, MisconductOptions, MisconductVerdict, SlashPolicy, ValidatorVote } from './misconduct.ts';
export { initialReputation, updateReputation } from './reputation.ts';
export type { ReputationObservation, ReputationOptions } from './reputation.ts';
export { parseRewardWeights, RewardWeights, roundRewards, SCORE_SCALE } from './reward.ts';
export type { RewardWeightsInput, RoundRewards, SiteReward, SiteRoundContribution } from './reward.ts';
export {
  accounts,
  deposit,
  EXTERNAL,
  fund,
  Ledger,
  MICRO_PER_CREDIT,
  parseAccount,
  release,
  replay,
  reward,
  slash,
  stake,
  validateEntry,
} from './ledger.ts';
export type { AccountType, EntryKind, LedgerEntry, LedgerState, Posting } from './ledger.ts';
export { apportion, BASIS_POINTS, formatPercent, ownershipFromLedger, ownershipShares, PERCENT_UNITS } from './ownership.ts';
export type { OwnershipOptions, OwnershipShare } from './ownership.ts';
export { creditedSamplesOf, openContribution, settleRound } from './settlement.ts';
export type { ContributionPolicy, ContributionState, Settlement, SiteOpening, SiteRoundInput, SiteRoundRecord, SiteState } from './settlement.ts';
export { ledgerToNdjson, parseLedgerNdjson } from './ledger-ndjson.ts';
export {
  buildOwnershipStatement,
  formatMicroCredits,
  ledgerDigest,
  OWNERSHIP_STATEMENT_FORMAT,
  OwnershipStatement,
  ownershipStatementProblem,
  ownershipStatementProblems,
  ownershipStatementSigningBytes,
  parseOwnershipStatement,
  renderOwnershipStatementHtml,
  signOwnershipStatement,
} from './statement.ts';
export type { OwnershipStatementBody, OwnershipStatementCheck, OwnershipStatementInput, OwnershipStatementShare } from './statement.ts';
