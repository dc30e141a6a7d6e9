import { budgetStatus, clipL2, createAccountant, gaussianNoiseShare } from '@consilium/dp';
import { AppError, ErrorCode } from '@consilium/errors';
import type { TrainingConfig } from '@consilium/schemas';
import type { AggregationInput, AggregationResult, EncodedUpdate, EncodingContext, RoundPlan, SiteUpdate, Strategy } from './types.ts';

/**
 * Site-level differential privacy around any strategy that declares its public entries (FedAvg),
 * without the strategy knowing: DP-FedAvg (McMahan et al. 2018, https://arxiv.org/abs/1710.06963)
 * with the noise split across sites (distributed DP), because only the secure sum is ever seen.
 *
 * Site side (encodeUpdate): the site's change u_i = [θ_i − θ_global, λ·loss_i] is clipped to
 * ‖u_i‖₂ ≤ C, the wrapped strategy encodes θ_global + Δ̃_i and the clipped λ·loss as usual, and the
 * site adds N(0, (σC)²/m) to every entry except the public ones. Hub side (aggregate): the wrapped
 * strategy aggregates the sum, the loss is divided by λ again, and the accountant records one
 * Gaussian release. How that maps onto FedAvg's vector, and why the sensitivity is C:
 * packages/dp/README.md.
 */

/**
 * λ = C·LOSS_SHARE. The loss is released too, so it is inside the clipped vector; scaled down, a
 * loss below 1 takes at most a tenth of the norm (a hundredth of its square) whatever C is, so the
 * model update keeps nearly all of it. The price: the reported training loss carries 1/LOSS_SHARE
 * times the parameters' noise.
 */
export const LOSS_SHARE = 0.1;

export interface DifferentialPrivacyOptions {
  /** C: bound on ‖[θ_i − θ_global, λ·loss_i]‖₂ with λ = C·LOSS_SHARE. Infinity only without noise. */
  clipNorm: number;
  /** σ: the sum carries N(0, (σC)²) per private entry. 0 turns the noise off (no privacy). */
  noiseMultiplier: number;
  /** m: each site adds 1/m of the noise variance; rounds with fewer submissions are under-noised. */
  minContributors: number;
  /** δ for the ε the accountant reports (default 1e-5). */
  delta?: number;
  /** Target ε: configureRound throws PRIVACY_BUDGET_EXHAUSTED once one more round would exceed it. */
  epsilon?: number;
}

/** One release the hub side recorded. */
export interface PrivacyLedgerEntry {
  /** Distinct sites whose submissions made up the sum. */
  contributors: number;
  /** Noise multiplier the sum actually carried: σ·√(min(contributors, m)/m). */
  noiseMultiplier: number;
  /** ε spent by every release so far, this one included. */
  epsilon: number;
}

export interface DifferentiallyPrivateStrategy extends Strategy {
  /** ε spent so far by the sums this strategy aggregated (0 before the first). */
  epsilon(): number;
  /** One entry per aggregated sum, in order. */
  readonly ledger: readonly PrivacyLedgerEntry[];
}

export function withDifferentialPrivacy(inner: Strategy, options: DifferentialPrivacyOptions): DifferentiallyPrivateStrategy {
  const { clipNorm, noiseMultiplier, minContributors, delta = 1e-5, epsilon: target } = options;
  const publicEntries = inner.publicEntries?.bind(inner);
  if (!publicEntries)
    throw new AppError(ErrorCode.INVALID_INPUT, `Strategy ${inner.name} does not declare its public entries, so DP cannot tell what to noise`);
  if (!(clipNorm > 0)) throw new AppError(ErrorCode.INVALID_INPUT, `clipNorm must be > 0, got ${clipNorm}`);
  if (!(noiseMultiplier >= 0 && Number.isFinite(noiseMultiplier)))
    throw new AppError(ErrorCode.INVALID_INPUT, `noiseMultiplier must be a finite number ≥ 0, got ${noiseMultiplier}`);
  if (noiseMultiplier > 0 && !Number.isFinite(clipNorm))
    throw new AppError(ErrorCode.INVALID_INPUT, 'Noise needs a finite clipNorm: it is calibrated to σ·C');
  if (!Number.isInteger(minContributors) || minContributors < 1)
    throw new AppError(ErrorCode.INVALID_INPUT, `minContributors must be a positive integer, got ${minContributors}`);
  const sigmaTotal = noiseMultiplier * clipNorm;
  const lossScale = Number.isFinite(clipNorm) ? clipNorm * LOSS_SHARE : 1;
  const accountant = createAccountant({ delta });
  const ledger: PrivacyLedgerEntry[] = [];

  return {
    name: `dp(${inner.name})`,
    ledger,
    epsilon: () => accountant.epsilon(),
    vectorLength: (parameterCount) => inner.vectorLength(parameterCount),
    publicEntries,

    configureRound(roundIndex: number, base: TrainingConfig): RoundPlan {
      if (target !== undefined) {
        const status = budgetStatus({
          target,
          spent: accountant.epsilon(),
          next: accountant.epsilonAfter(noiseMultiplier),
          completedRounds: accountant.rounds(),
        });
        if (status.exhausted) throw new AppError(ErrorCode.PRIVACY_BUDGET_EXHAUSTED, status.message);
      }
      return inner.configureRound(roundIndex, base);
    },

    encodeUpdate(update: SiteUpdate, context: EncodingContext): EncodedUpdate {
      const { update: clipped, norm, scale } = clipUpdate(update, context.globalParameters, clipNorm, lossScale);
      const encoded = inner.encodeUpdate(clipped, context);
      const vector = encoded.vector.slice();
      if (sigmaTotal > 0) {
        const noise = gaussianNoiseShare(vector.length, { sigmaTotal, minContributors });
        const skip = new Set(publicEntries(update.parameters.length));
        for (let i = 0; i < vector.length; i++) if (!skip.has(i)) vector[i] = vector[i]! + noise[i]!;
      }
      return { vector, clipped: encoded.clipped, l2Clip: { norm, scale } };
    },

    aggregate(input: AggregationInput): AggregationResult | null {
      const contributors = new Set(input.replies.filter((reply) => reply.ok).map((reply) => reply.siteId)).size;
      // The sum has been seen, whether or not the strategy makes a model of it: that is the release.
      // Fewer sites than m carry only their shares of the noise, k/m of the variance.
      if (contributors > 0) {
        const effective = noiseMultiplier * Math.sqrt(Math.min(contributors, minContributors) / minContributors);
        accountant.spend(effective);
        ledger.push({ contributors, noiseMultiplier: effective, epsilon: accountant.epsilon() });
      }
      const result = inner.aggregate(input);
      return result && { ...result, trainLoss: result.trainLoss / lossScale };
    },
  };
}

/**
 * [θ − θ_global, λ·loss] scaled to L2 norm ≤ C, returned as a SiteUpdate around θ_global (with
 * the scaled loss as its trainLoss: that is the entry whose sensitivity is accounted). The new
 * parameters are float32, and rounding θ_global + Δ̃ can move each entry of the change by half an
 * ulp, sometimes all in the same direction. When that pushes the realised change past C, it is
 * clipped again to C minus the largest rounding error there can be (2^-24·|θ| per entry), which the
 * triangle inequality then keeps within C.
 */
function clipUpdate(
  update: SiteUpdate,
  global: Float32Array | undefined,
  clipNorm: number,
  lossScale: number,
): { update: SiteUpdate; norm: number; scale: number } {
  if (!global)
    throw new AppError(ErrorCode.INVALID_INPUT, 'Differential privacy needs the global parameters the site trained from (EncodingContext.globalParameters)');
  const count = global.length;
  if (update.parameters.length !== count)
    throw new AppError(ErrorCode.INVALID_INPUT, `The update has ${update.parameters.length} parameters but the global model ${count}`);
  const change = new Float64Array(count + 1);
  for (let i = 0; i < count; i++) change[i] = update.parameters[i]! - global[i]!;
  change[count] = update.trainLoss * lossScale;

  const first = clipL2(change, clipNorm);
  // Within the bound: the site's own parameters go through untouched.
  if (first.scale === 1) return { update: { ...update, trainLoss: update.trainLoss * lossScale }, norm: first.norm, scale: 1 };
  const attempt = rebuild(first.clipped);
  if (attempt.realised <= clipNorm) return { update: attempt.update, norm: first.norm, scale: first.scale };

  let slack = 0;
  for (let i = 0; i < count; i++) slack += (2 ** -24 * (Math.abs(global[i]!) + Math.abs(first.clipped[i]!))) ** 2;
  const bound = clipNorm - Math.sqrt(slack);
  if (!(bound > 0))
    throw new AppError(ErrorCode.INVALID_INPUT, `clipNorm ${clipNorm} is below float32 resolution for parameters this large`);
  const second = clipL2(change, bound);
  const retry = rebuild(second.clipped);
  if (!(retry.realised <= clipNorm)) throw new AppError(ErrorCode.INTERNAL, `Clipping left a change of norm ${retry.realised} above ${clipNorm}`);
  return { update: retry.update, norm: second.norm, scale: second.scale };

  function rebuild(clipped: Float64Array): { update: SiteUpdate; realised: number } {
    const parameters = new Float32Array(count);
    let sq = clipped[count]! ** 2;
    for (let i = 0; i < count; i++) {
      parameters[i] = global![i]! + clipped[i]!;
      sq += (parameters[i]! - global![i]!) ** 2;
    }
    return { update: { ...update, parameters, trainLoss: clipped[count]! }, realised: Math.sqrt(sq) };
  }
}
