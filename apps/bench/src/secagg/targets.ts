import type { HubMemoryStep } from './ckks-round.ts';
import type { SchemeFigures } from './report.ts';

/** The targets for the CKKS round, met or not. */
export function targetsOf(ckks: SchemeFigures, memory: readonly HubMemoryStep[], sitePeakRssBytes: number): Record<string, boolean> {
  return {
    encrypt_params_per_s_per_core_at_least_1e6: ckks.encrypt_params_per_s >= 1e6,
    bytes_per_param_at_most_16: ckks.bytes_per_param <= 16,
    hub_add_params_per_s_at_least_2e7: ckks.hub_add_params_per_s >= 2e7,
    hub_ingest_params_per_s_at_least_2e7: ckks.hub_ingest_params_per_s >= 2e7,
    hub_memory_independent_of_sites: memory.every((step) => step.accumulator_bytes === memory[0]!.accumulator_bytes),
    round_time_ratio_at_most_1_2: ckks.round_time_ratio_vs_plaintext <= 1.2,
    max_abs_error_at_most_1e_6: ckks.max_abs_error <= 1e-6,
    site_peak_rss_at_most_1_gb: sitePeakRssBytes <= 1e9,
  };
}
