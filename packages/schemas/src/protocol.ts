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

export const StudyStatus = z.enum(['enrolling', 'keygen', 'running', 'completed', 'failed']);
export type StudyStatus = z.infer<typeof StudyStatus>;

/**
 * How a round's additive vector is encoded. `length` values are summed over sites; under CKKS they
 * are packed into ceil(length / slotsPerChunk) ciphertexts at scale 2^scaleBits.
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

export const KeygenTask = z.strictObject({
  kind: z.literal('keygen'),
  studyId: Id,
  /** Hex of the public seed the common random polynomial is expanded from. */
  crpSeed: z.string().regex(/^[0-9a-f]{64}$/),
  ckks: CkksParams,
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

/** Compute backend a site trains on, chosen at run time. */
export const TrainingBackend = z.enum(['wasm', 'cpu', 'tensorflow', 'tensorflow-gpu']);
export type TrainingBackend = z.infer<typeof TrainingBackend>;

/**
 * Header of every binary upload envelope (key share, submission, decryption share). The payload is
 * the envelope's parts; `payloadSha256` is SHA-256 over the parts concatenated in order, and
 * `signature` is the site's Ed25519 payload signature over it (see @consilium/protocol).
 */
export const UploadHeader = z.strictObject({
  kind: z.enum(['keyshare', 'submission', 'decryption-share']),
  studyId: Id,
  roundId: Id.nullable(),
  payloadSha256: Sha256Hex,
  signature: z.string().min(1).max(200),
});
export type UploadHeader = z.infer<typeof UploadHeader>;

/** Header of an aggregate download (what decryptors fetch). */
export const AggregateHeader = z.strictObject({
  studyId: Id,
  roundId: Id,
  chunkCount: z.number().int().min(1),
  aggregateHash: Sha256Hex,
});
export type AggregateHeader = z.infer<typeof AggregateHeader>;
