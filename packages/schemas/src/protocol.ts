import { z } from 'zod';
import { CkksParams } from './study.ts';

/**
 * What the hub and the site agents say to each other (besides the binary payloads, see
 * @consilium/protocol/envelope). Agents pull work: the hub answers `agent.poll` with tasks.
 */

export const Id = z.uuid();
export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex SHA-256');

export const RoundKind = z.enum(['stats', 'train']);
export type RoundKind = z.infer<typeof RoundKind>;

/**
 * A round's life: open → collecting (first submission) → decrypting (aggregate sealed; encrypted
 * studies) → complete, or failed at a deadline. There is no separate aggregating step: every
 * submission is added into the running aggregate as it is accepted.
 */
export const RoundStatus = z.enum(['open', 'collecting', 'decrypting', 'complete', 'failed']);
export type RoundStatus = z.infer<typeof RoundStatus>;

/** `stopped`: ended early by its lead or an administrator; like `completed` and `failed`, it has ended. */
export const StudyStatus = z.enum(['enrolling', 'keygen', 'running', 'completed', 'failed', 'stopped']);
export type StudyStatus = z.infer<typeof StudyStatus>;

/** Statuses of a study that has ended: no site joins it, no round opens, no token is issued or redeemed. */
export const ENDED_STUDY_STATUSES: readonly StudyStatus[] = ['completed', 'failed', 'stopped'];

/** Whether a study in this status has ended (completed, failed or stopped). */
export function isEndedStudyStatus(status: StudyStatus): boolean {
  return ENDED_STUDY_STATUSES.includes(status);
}

/** A site's decision on a study it was invited to: only `approved` members take part. */
export const StudyConsent = z.enum(['pending', 'approved', 'declined']);
export type StudyConsent = z.infer<typeof StudyConsent>;

/**
 * How a round's additive vector is encoded. `length` values are summed over sites; under CKKS they
 * are packed into ceil(length / valuesPerChunk) ciphertexts (two values per CKKS slot) at scale 2^scaleBits.
 */
export const VectorEncoding = z.discriminatedUnion('scheme', [
  z.strictObject({
    scheme: z.literal('ckks-multiparty'),
    ckks: CkksParams,
    scaleBits: z.number().int().min(10).max(200),
    length: z.number().int().min(1),
    chunkCount: z.number().int().min(1),
  }),
  z.strictObject({
    scheme: z.literal('plaintext'),
    length: z.number().int().min(1),
    chunkCount: z.literal(1),
  }),
]);
export type VectorEncoding = z.infer<typeof VectorEncoding>;

/** A study member as the key ceremony names it: who, and with which identity key (pinned by agents). */
export const RosterEntry = z.strictObject({
  siteId: Id,
  name: z.string().min(1).max(200),
  /** Base64 of the site's raw Ed25519 public key: every payload it signs is checked with it. */
  publicKey: z.string().min(1).max(100),
});
export type RosterEntry = z.infer<typeof RosterEntry>;

/** A decryption-committee member: its Shamir evaluation point (1-based position in the committee). */
export const CommitteeMember = z.strictObject({ siteId: Id, point: z.number().int().min(1).max(1000) });
export type CommitteeMember = z.infer<typeof CommitteeMember>;

/**
 * The threshold key ceremony, one task per stage for each committee member:
 * `share` publish p0_i = −a·s_i + e_i and a fresh X25519 box key (both signed);
 * `deal` Shamir-share s_i among the committee, each share sealed to its recipient's box key;
 * `combine` open the shares dealt to this member, sum them into its threshold key share, and confirm
 * the collective public key it recomputed itself from the signed public-key shares.
 */
export const KeygenStage = z.enum(['share', 'deal', 'combine']);
export type KeygenStage = z.infer<typeof KeygenStage>;

export const KeygenTask = z.strictObject({
  kind: z.literal('keygen'),
  stage: KeygenStage,
  studyId: Id,
  /** Increases with every re-keying of the study. */
  epoch: z.number().int().min(0),
  /** Hex of the public seed the common random polynomial is expanded from. */
  crpSeed: z.string().regex(/^[0-9a-f]{64}$/),
  ckks: CkksParams,
  threshold: z.number().int().min(1),
  committee: z.array(CommitteeMember).min(1),
  /**
   * Identity keys of every member site of the study, pinned by the agent at the first stage: later
   * stages and every decryption check signatures against the pinned keys only.
   */
  roster: z.array(RosterEntry).min(1),
  /** The study's minimum submissions per round, pinned with the roster: no smaller sum is ever decrypted. */
  minSubmissions: z.number().int().min(1),
});
export type KeygenTask = z.infer<typeof KeygenTask>;

const roundFields = {
  studyId: Id,
  roundId: Id,
  roundIndex: z.number().int().min(0),
  deadline: z.string(),
  encoding: VectorEncoding,
  /** SHA-256 of the collective public key bytes (absent for plaintext studies). */
  publicKeyHash: Sha256Hex.optional(),
};

export const StatsTask = z.strictObject({
  kind: z.literal('stats'),
  ...roundFields,
});
export type StatsTask = z.infer<typeof StatsTask>;

export const TrainTask = z.strictObject({
  kind: z.literal('train'),
  ...roundFields,
  /** The global model to start from (null in the first training round: initialise from the seed). */
  modelVersionId: Id.nullable(),
  /** Total training rows across the consortium, from the statistics round: weights are n_i / total. */
  totalSamples: z.number().int().min(1),
});
export type TrainTask = z.infer<typeof TrainTask>;

export const DecryptTask = z.strictObject({
  kind: z.literal('decrypt'),
  studyId: Id,
  roundId: Id,
  roundIndex: z.number().int().min(0),
  deadline: z.string(),
  chunkCount: z.number().int().min(1),
  /** SHA-256 over the concatenated aggregate ciphertext chunks the site must fetch and decrypt. */
  aggregateHash: Sha256Hex,
  /** The key epoch the round was encrypted under. */
  epoch: z.number().int().min(0),
  /** The t committee members asked to decrypt (their Lagrange coefficients depend on the set). */
  decryptors: z.array(CommitteeMember).min(1),
  /** 1 for the first set asked; a later attempt replaces members who did not answer. */
  attempt: z.number().int().min(1),
  /** The study's minimum number of submissions: fewer must never be decrypted. */
  minSubmissions: z.number().int().min(1),
  /** The round's CKKS scale (2^scaleBits), to read the submissions' wire format. */
  scaleBits: z.number().int().min(10).max(200),
});
export type DecryptTask = z.infer<typeof DecryptTask>;

export const EvaluateTask = z.strictObject({
  kind: z.literal('evaluate'),
  studyId: Id,
  modelVersionId: Id,
  /** true for the study's final model. */
  final: z.boolean(),
});
export type EvaluateTask = z.infer<typeof EvaluateTask>;

export const Task = z.discriminatedUnion('kind', [KeygenTask, StatsTask, TrainTask, DecryptTask, EvaluateTask]);
export type Task = z.infer<typeof Task>;

/** Metrics of a binary classifier on one data set. */
export const EvalMetrics = z.strictObject({
  n: z.number().int().min(0),
  accuracy: z.number().min(0).max(1),
  loss: z.number().min(0),
  auc: z.number().min(0).max(1).nullable(),
  positiveRate: z.number().min(0).max(1),
});
export type EvalMetrics = z.infer<typeof EvalMetrics>;

const Count = z.number().int().min(0).max(1_000_000_000);

/**
 * What a site signs about its own work, for contribution accounting (docs/contribution.md). Each is
 * bounded and cross-checked by the hub; none is trusted as such.
 *   declaration (statistics round): its training and held-out row counts and per-label training
 *     counts [negatives, positives] — the same counts it encrypts in the statistics vector;
 *   training (each training round): the samples and local epochs it trained on.
 */
export const ContributionClaim = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('declaration'), trainRows: Count, heldOutRows: Count, labelCounts: z.array(Count).length(2) }),
  z.strictObject({ kind: z.literal('training'), samples: Count, epochs: z.number().int().min(0).max(1000) }),
]);
export type ContributionClaim = z.infer<typeof ContributionClaim>;

/** Compute backend a site trains on, chosen at run time. */
export const TrainingBackend = z.enum(['wasm', 'cpu', 'tensorflow', 'tensorflow-gpu']);
export type TrainingBackend = z.infer<typeof TrainingBackend>;

/**
 * Header of every binary upload envelope (key share, submission, decryption share). The payload is
 * the envelope's parts; `payloadSha256` is SHA-256 over the parts concatenated in order, and
 * `signature` is the site's Ed25519 payload signature over it (see @consilium/protocol).
 */
export const UploadHeader = z.strictObject({
  kind: z.enum(['keyshare', 'dealing', 'submission', 'decryption-share']),
  studyId: Id,
  roundId: Id.nullable(),
  payloadSha256: Sha256Hex,
  signature: z.string().min(1).max(200),
});
export type UploadHeader = z.infer<typeof UploadHeader>;

/**
 * Header of the submissions download a decryptor checks the aggregate against: every accepted
 * submission of the round with its site's payload signature; the envelope's parts are their
 * ciphertext chunks, submission after submission.
 */
export const SubmissionsHeader = z.strictObject({
  studyId: Id,
  roundId: Id,
  chunkCount: z.number().int().min(1),
  submissions: z.array(z.strictObject({ siteId: Id, payloadSha256: Sha256Hex, signature: z.string().min(1).max(200) })).max(100_000),
});
export type SubmissionsHeader = z.infer<typeof SubmissionsHeader>;

/**
 * Header of the key-ceremony material download: each committee member's signed `share` upload
 * (parts: its public-key share, then its 32-byte box public key, member after member, in committee
 * order).
 */
export const KeySharesHeader = z.strictObject({
  studyId: Id,
  epoch: z.number().int().min(0),
  members: z.array(z.strictObject({ siteId: Id, payloadSha256: Sha256Hex, signature: z.string().min(1).max(200) })).max(1000),
});
export type KeySharesHeader = z.infer<typeof KeySharesHeader>;

/** Header of the dealt-shares download: the sealed shares every dealer addressed to the caller, in committee order. */
export const DealtSharesHeader = z.strictObject({
  studyId: Id,
  epoch: z.number().int().min(0),
  dealers: z.array(z.strictObject({ siteId: Id })).max(1000),
});
export type DealtSharesHeader = z.infer<typeof DealtSharesHeader>;

/** Header of an aggregate download (what decryptors fetch). */
export const AggregateHeader = z.strictObject({
  studyId: Id,
  roundId: Id,
  chunkCount: z.number().int().min(1),
  aggregateHash: Sha256Hex,
});
export type AggregateHeader = z.infer<typeof AggregateHeader>;
