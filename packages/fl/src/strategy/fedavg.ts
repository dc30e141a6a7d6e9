import { AppError, ErrorCode } from '@consilium/errors';
import type { TrainingConfig } from '@consilium/schemas';
import { clipInPlace, firstNonFinite, scaleInto } from '../kernels.ts';
import type {
  AggregationInput,
  AggregationResult,
  EncodedUpdate,
  EncodingContext,
  RoundPlan,
  SiteUpdate,
  Strategy,
} from './types.ts';

/**
 * Weighted federated averaging (McMahan et al. 2017, https://arxiv.org/abs/1602.05629), as a sum.
 *
 * A site with n_i of the consortium's N training rows sends, with w_i = n_i / N and M the
 * study's maxAbsParameter,
 *
 *     [w_i·θ_1, …, w_i·θ_P, w_i·M, w_i·loss_i]
 *
 * and the hub divides the first P and the last entries of the sum by the summed weight Σw_i. The
 * weight travels as w_i·M rather than w_i: under encryption every entry carries the same absolute
 * noise, and dividing by the weight multiplies the weight's noise by |mean| (up to M) — scaling
 * the weight up by M keeps that term as small as the parameters' own. The
 * result is the n-weighted mean of the parameters (and losses) of the sites that replied, whether
 * or not all of them did. Because parameters are clipped to ±maxAbsParameter and Σw_i ≤ 1, every
 * entry of every vector, and of their sum, stays within ±maxAbsParameter: the bound the encryption
 * scale is chosen from.
 */
export class FedAvg implements Strategy {
  readonly name = 'fedavg';

  /** P parameters, the weight and the weighted loss. */
  vectorLength(parameterCount: number): number {
    return parameterCount + 2;
  }

  /** The weight slot w_i·M: sample counts are public (the statistics round reports N). */
  publicEntries(parameterCount: number): readonly number[] {
    return [parameterCount];
  }

  /** Every round trains with the study's configuration, unchanged. */
  configureRound(roundIndex: number, base: TrainingConfig): RoundPlan {
    return { roundIndex, config: { ...base } };
  }

  /**
   * Site side. Parameters beyond ±maxAbsParameter and a loss above it are clipped (and counted in
   * `clipped`); non-finite values are refused, because clipping NaN cannot repair a diverged model
   * and one NaN would poison the whole sum.
   */
  encodeUpdate(update: SiteUpdate, context: EncodingContext): EncodedUpdate {
    const { totalSamples, maxAbsParameter } = context;
    if (!Number.isInteger(totalSamples) || totalSamples < 1)
      throw new AppError(ErrorCode.INVALID_INPUT, `totalSamples must be a positive integer, got ${totalSamples}`);
    // The weight entry itself lies in [0, 1]; a bound below 1 could not carry it.
    if (!(maxAbsParameter >= 1 && Number.isFinite(maxAbsParameter)))
      throw new AppError(ErrorCode.ENCODING_RANGE, `maxAbsParameter must be a finite number ≥ 1, got ${maxAbsParameter}`);
    const { parameters, numExamples, trainLoss } = update;
    if (!Number.isInteger(numExamples) || numExamples < 0 || numExamples > totalSamples)
      throw new AppError(
        ErrorCode.INVALID_INPUT,
        `numExamples must be an integer in [0, totalSamples = ${totalSamples}], got ${numExamples}`,
        { details: { numExamples, totalSamples } },
      );
    const bad = firstNonFinite(parameters);
    if (bad >= 0)
      throw new AppError(ErrorCode.INVALID_INPUT, `Parameter ${bad} is ${parameters[bad]}: local training diverged`, {
        details: { index: bad },
      });
    if (!(trainLoss >= 0 && Number.isFinite(trainLoss)))
      throw new AppError(ErrorCode.INVALID_INPUT, `trainLoss must be a finite number ≥ 0, got ${trainLoss}`);

    const count = parameters.length;
    const vector = new Float64Array(count + 2);
    vector.set(parameters);
    let clipped = clipInPlace(vector.subarray(0, count), maxAbsParameter);
    vector[count] = maxAbsParameter;
    vector[count + 1] = Math.min(trainLoss, maxAbsParameter);
    if (trainLoss > maxAbsParameter) clipped++;
    scaleInto(vector, vector, numExamples / totalSamples);
    return { vector, clipped };
  }

  /**
   * Hub side. Returns null when fewer than max(1, minReplies) distinct sites replied ok, or when
   * the summed weight is not positive (every contributor had zero rows: nothing to average).
   * Failed replies are ignored: they contributed nothing to the sum.
   */
  aggregate(input: AggregationInput): AggregationResult | null {
    const { sum, replies, minReplies, maxAbsParameter } = input;
    if (sum.length < 3)
      throw new AppError(ErrorCode.INVALID_INPUT, `A FedAvg sum has at least 3 entries, got ${sum.length}`);
    const bad = firstNonFinite(sum);
    if (bad >= 0) throw new AppError(ErrorCode.INVALID_INPUT, `Aggregate entry ${bad} is ${sum[bad]}`);

    const contributors = new Set(replies.filter((reply) => reply.ok).map((reply) => reply.siteId)).size;
    if (contributors === 0 || contributors < minReplies) return null;
    const count = sum.length - 2;
    const totalWeight = sum[count]! / maxAbsParameter;
    if (!(totalWeight > 0)) return null;

    const parameters = new Float32Array(count);
    for (let i = 0; i < count; i++) parameters[i] = sum[i]! / totalWeight;
    return { parameters, totalWeight, trainLoss: sum[count + 1]! / totalWeight, contributors };
  }
}
