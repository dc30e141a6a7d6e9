/**
 * Reputation: a per-site score in [0, 1] that multiplies every reward. It is an exponentially
 * weighted moving average of what the hub observed each round (punctuality × validation agreement),
 * so it remembers, but forgives: a site that fixes its pipeline climbs back, one that keeps failing
 * sinks. Bounded in [0, 1] so it can only lower a reward, never inflate one.
 */
import { AppError, ErrorCode } from '@consilium/errors';

export interface ReputationOptions {
  /**
   * λ in r' = λ·r + (1 − λ)·observation: the weight of the past. Default 0.8, a half-life of about
   * three rounds: one missed deadline costs a fifth of the score, not the whole history.
   */
  decay?: number;
  /**
   * A newcomer's score. Default 0.5, not 1: a site that misbehaved cannot re-enrol under a new
   * identity and start better off than it left (it also loses its stake by leaving).
   */
  initial?: number;
  /**
   * Extra multiplier on confirmed misconduct, applied after the update. Default 0.25: confirmed
   * misconduct wipes most of the history at once instead of fading in over several rounds.
   */
  misconductFactor?: number;
}

/** What the hub saw of one site in one round. */
export interface ReputationObservation {
  /** Hub-measured: tasks due this round (training submission, validation report). 0 if none. */
  tasksDue: number;
  /** Hub-measured: of those, how many arrived before their deadline. */
  tasksOnTime: number;
  /**
   * Validation agreement in [0, 1] (qualityFromAgreement of this round's report). Omit when the site
   * sent no report: the missed deadline is already counted once, in tasksOnTime.
   */
  agreement?: number;
  /** Misconduct was confirmed this round (misconduct.ts). */
  misconduct?: boolean;
}

function resolve(options: ReputationOptions): Required<ReputationOptions> {
  const resolved = { decay: options.decay ?? 0.8, initial: options.initial ?? 0.5, misconductFactor: options.misconductFactor ?? 0.25 };
  for (const [name, value] of Object.entries(resolved)) {
    if (!(value >= 0 && value <= 1)) throw new AppError(ErrorCode.INVALID_INPUT, `reputation ${name} must be in [0, 1], got ${value}`);
  }
  return resolved;
}

/** A newly enrolled site's reputation. */
export function initialReputation(options: ReputationOptions = {}): number {
  return resolve(options).initial;
}

/**
 * One round's update: r' = λ·r + (1 − λ)·(reliability × agreement), then × misconductFactor if
 * misconduct was confirmed. Reliability is the on-time share of the round's tasks. A round with
 * nothing due and no report (the site was not sampled) leaves the score unchanged: sitting out is
 * neither a merit nor a fault, so partial participation stays neutral.
 */
export function updateReputation(previous: number, observation: ReputationObservation, options: ReputationOptions = {}): number {
  const { decay, misconductFactor } = resolve(options);
  if (!(previous >= 0 && previous <= 1)) throw new AppError(ErrorCode.INVALID_INPUT, `reputation must be in [0, 1], got ${previous}`);
  const { tasksDue, tasksOnTime } = observation;
  if (!(Number.isInteger(tasksDue) && Number.isInteger(tasksOnTime) && tasksOnTime >= 0 && tasksOnTime <= tasksDue))
    throw new AppError(ErrorCode.INVALID_INPUT, `need integers 0 ≤ tasksOnTime ≤ tasksDue, got ${tasksOnTime}/${tasksDue}`);
  const agreement = observation.agreement ?? 1;
  if (!(agreement >= 0 && agreement <= 1)) throw new AppError(ErrorCode.INVALID_INPUT, `agreement must be in [0, 1], got ${agreement}`);

  const observed = tasksDue > 0 || observation.agreement !== undefined;
  const reliability = tasksDue === 0 ? 1 : tasksOnTime / tasksDue;
  let next = observed ? decay * previous + (1 - decay) * reliability * agreement : previous;
  if (observation.misconduct === true) next *= misconductFactor;
  // Clamp against floating-point drift at the edges (0.8·1 + 0.2·1 can round a hair above 1).
  return Math.min(1, Math.max(0, next));
}
