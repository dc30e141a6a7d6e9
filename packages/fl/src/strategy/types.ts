/**
 * The federated-learning strategy contract, modelled on Flower's Strategy but split around
 * additive aggregation: the hub never sees one site's update, only the SUM of every site's encoded
 * vector (summed by the privacy layer, under encryption or not). A strategy therefore has a
 * site-side half (`encodeUpdate`, a pure function of one update) and a hub-side half (`aggregate`,
 * which only ever sees the sum).
 */
import type { TrainingConfig } from '@consilium/schemas';

/** What every site is told for one round. */
export interface RoundPlan {
  roundIndex: number;
  /** Strategy-specific settings; FedAvg sends the round's TrainingConfig fields verbatim. */
  config: Record<string, unknown>;
}

/** One site's result of local training. */
export interface SiteUpdate {
  /** The locally trained model, flattened in layer order (kernel then bias per layer). */
  parameters: Float32Array;
  /** Training rows this update was computed on; the FedAvg weight is numExamples / totalSamples. */
  numExamples: number;
  /** Mean training loss the site observed. */
  trainLoss: number;
}

/** Whether a site took part in the sum. Failures arrive as data, not exceptions. */
export type SiteReply = { ok: true; siteId: string } | { ok: false; siteId: string; reason: string };

/** Facts a site needs to encode its update, all of them known before training starts. */
export interface EncodingContext {
  /** Training rows across the consortium (from the statistics round). */
  totalSamples: number;
  /** Bound on every entry of the additive vector; the encryption scale is chosen from it. */
  maxAbsParameter: number;
  /**
   * The global model this round's training started from. Strategies that only encode the update
   * ignore it; differential privacy needs it to clip the change θ_i − θ_global.
   */
  globalParameters?: Float32Array;
}

/** A site's additive vector and how many of its entries had to be clipped to respect the bound. */
export interface EncodedUpdate {
  vector: Float64Array;
  clipped: number;
  /** Set by the differential-privacy layer: the update's L2 norm and the factor it was scaled by (≤ 1). */
  l2Clip?: { norm: number; scale: number };
}

/** What the hub aggregates: the element-wise sum of the encoded vectors of the `ok` replies. */
export interface AggregationInput {
  sum: Float64Array;
  replies: readonly SiteReply[];
  /** Fewer valid replies than this and the round is not aggregated. */
  minReplies: number;
  /** The bound the sites encoded with (EncodingContext.maxAbsParameter): FedAvg's weight entry carries it. */
  maxAbsParameter: number;
}

/** The new global model and the round's training summary. */
export interface AggregationResult {
  parameters: Float32Array;
  /** Σ of the sites' weights (≤ 1 for FedAvg; below 1 when sites dropped out). */
  totalWeight: number;
  /** Weighted mean of the sites' training losses. */
  trainLoss: number;
  /** Number of valid replies that made up the sum. */
  contributors: number;
}

/** A federated-learning algorithm, independent of transport and privacy layer. */
export interface Strategy {
  readonly name: string;
  /** Length of the additive vector for a model with `parameterCount` parameters. */
  vectorLength(parameterCount: number): number;
  /**
   * Indices of the vector's entries that reveal nothing beyond public facts (FedAvg's weight slot:
   * n_i / N is public). Differential privacy adds noise to every other entry; a strategy without
   * this method cannot be wrapped by it.
   */
  publicEntries?(parameterCount: number): readonly number[];
  /** Settings every site receives for round `roundIndex` (0-based). */
  configureRound(roundIndex: number, base: TrainingConfig): RoundPlan;
  /**
   * Site side: turns one update into its additive vector. Must be a pure function of its inputs so
   * that a privacy layer can wrap it (encode, then quantise/encrypt) without the strategy knowing.
   */
  encodeUpdate(update: SiteUpdate, context: EncodingContext): EncodedUpdate;
  /**
   * Hub side: the new global model from the sum, or null when the round cannot be aggregated. Each
   * strategy documents exactly when it returns null.
   */
  aggregate(input: AggregationInput): AggregationResult | null;
}
