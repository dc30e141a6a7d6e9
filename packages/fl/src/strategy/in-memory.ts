import { AppError, describeError, ErrorCode } from '@consilium/errors';
import type { TrainingConfig } from '@consilium/schemas';
import { addInto, difference, l2Norm } from '../kernels.ts';
import type { AggregationResult, RoundPlan, SiteReply, SiteUpdate, Strategy } from './types.ts';

/**
 * An in-process federation for tests, simulations and benchmarks (the counterpart of Flower's
 * InMemoryGrid): no network, no encryption. Encoded vectors are summed in float64 exactly where the
 * privacy layer would sum ciphertexts, so the strategy code runs unchanged.
 */

/** One simulated site. */
export interface InMemorySite {
  id: string;
  /** Trains from the global parameters (a private copy). Throwing makes this round's reply a failure. */
  train(globalParameters: Float32Array, plan: RoundPlan): SiteUpdate | Promise<SiteUpdate>;
}

/** Everything a simulated study needs. */
export interface InMemoryFederationOptions {
  strategy: Strategy;
  sites: readonly InMemorySite[];
  initialParameters: Float32Array;
  /** Base training configuration; `rounds` sets how many rounds run. */
  config: TrainingConfig;
  /** Training rows across all sites (what the statistics round would report). */
  totalSamples: number;
  maxAbsParameter: number;
  minReplies: number;
  /** Called after every round, e.g. to evaluate the new global model. */
  onRound?: (record: RoundRecord, globalParameters: Float32Array) => void | Promise<void>;
}

/** What happened in one round. */
export interface RoundRecord {
  roundIndex: number;
  replies: SiteReply[];
  /** Entries clipped across all sites' encodings. */
  clipped: number;
  /** null when the strategy declined to aggregate; the global model then stays as it was. */
  result: AggregationResult | null;
  /** ‖θ_new − θ_old‖₂, 0 when the round was not aggregated. */
  updateNorm: number;
}

/** The final global model and the round-by-round history. */
export interface InMemoryFederationResult {
  parameters: Float32Array;
  rounds: RoundRecord[];
  /** Why the run ended before `config.rounds` rounds: the strategy refused to open one (privacy budget spent). */
  stoppedEarly?: string;
}

/** Runs `config.rounds` rounds of `strategy` over `sites`. */
export async function runInMemoryFederation(options: InMemoryFederationOptions): Promise<InMemoryFederationResult> {
  const { strategy, sites, config, totalSamples, maxAbsParameter, minReplies } = options;
  if (sites.length === 0) throw new AppError(ErrorCode.INVALID_INPUT, 'An in-memory federation needs at least one site');
  if (new Set(sites.map((site) => site.id)).size !== sites.length)
    throw new AppError(ErrorCode.INVALID_INPUT, 'Site ids must be unique');

  let global: Float32Array = options.initialParameters.slice();
  const length = strategy.vectorLength(global.length);
  const rounds: RoundRecord[] = [];
  let stoppedEarly: string | undefined;
  for (let roundIndex = 0; roundIndex < config.rounds; roundIndex++) {
    let plan: RoundPlan;
    try {
      plan = strategy.configureRound(roundIndex, config);
    } catch (error) {
      // A spent privacy budget ends the study, as the hub would; anything else is a bug to surface.
      if (!(error instanceof AppError && error.code === ErrorCode.PRIVACY_BUDGET_EXHAUSTED)) throw error;
      stoppedEarly = error.message;
      break;
    }
    const sum = new Float64Array(length);
    const replies: SiteReply[] = [];
    let clipped = 0;
    // Sequential on purpose: simulated sites share one TensorFlow.js engine, and a fixed order
    // makes the float64 summation, hence the whole run, reproducible.
    for (const site of sites) {
      try {
        const update = await site.train(global.slice(), plan);
        const encoded = strategy.encodeUpdate(update, { totalSamples, maxAbsParameter, globalParameters: global });
        addInto(sum, encoded.vector);
        clipped += encoded.clipped;
        replies.push({ ok: true, siteId: site.id });
      } catch (error) {
        replies.push({ ok: false, siteId: site.id, reason: describeError(error) });
      }
    }

    const result = strategy.aggregate({ sum, replies, minReplies, maxAbsParameter });
    let updateNorm = 0;
    if (result !== null) {
      updateNorm = l2Norm(difference(result.parameters, global));
      global = result.parameters;
    }
    const record: RoundRecord = { roundIndex, replies, clipped, result, updateNorm };
    rounds.push(record);
    await options.onRound?.(record, global.slice());
  }
  return stoppedEarly === undefined ? { parameters: global, rounds } : { parameters: global, rounds, stoppedEarly };
}
