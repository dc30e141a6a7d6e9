import { parseOrThrow, TrainingConfig } from '@consilium/schemas';
import type { RoundPlan } from './types.ts';

/**
 * The TrainingConfig a site should use for a round, validated. Strategies here (FedAvg) send the
 * round's TrainingConfig fields as the plan's config; anything else there is refused (INVALID_INPUT),
 * because a site silently ignoring an instruction would train something other than what was planned.
 */
export function trainingConfigOf(plan: RoundPlan): TrainingConfig {
  return parseOrThrow(TrainingConfig, plan.config, `training configuration for round ${plan.roundIndex}`);
}
