import { formatTable } from '../format-table.ts';
import type { RoundTime } from './round-model.ts';
import type { SchemeCosts } from './scheme-costs.ts';

/** The figures every scheme reports under the same names. */
export interface SchemeFigures {
  bytes_per_param: number;
  upload_bytes_per_site: number;
  /** Site encode + encrypt (plaintext: encode + serialize) on one core. */
  encrypt_params_per_s: number;
  /** The hub's add alone, and validate + add. */
  hub_add_params_per_s: number;
  hub_ingest_params_per_s: number;
  hub_memory_bytes: number;
  /** One decryptor's time per 10^6 parameters (Paillier: the single key holder's). */
  partial_decrypt_s_per_1e6_params: number;
  decryptors: number;
  combine_s: number;
  round_time_s: number;
  round_time_ratio_vs_plaintext: number;
  crypto_only_round_time_s: number;
  crypto_only_round_time_ratio_vs_plaintext: number;
  round_time_components_s: RoundTime;
  max_abs_error: number;
}

export function schemeFigures(costs: SchemeCosts, params: number, round: RoundTime, plaintext: RoundTime): SchemeFigures {
  return {
    bytes_per_param: costs.uploadBytesPerSite / params,
    upload_bytes_per_site: costs.uploadBytesPerSite,
    encrypt_params_per_s: costs.encryptParamsPerS,
    hub_add_params_per_s: costs.hubAddParamsPerS,
    hub_ingest_params_per_s: costs.hubIngestParamsPerS,
    hub_memory_bytes: costs.hubMemoryBytes,
    partial_decrypt_s_per_1e6_params: (costs.partialDecryptS / params) * 1e6,
    decryptors: costs.decryptors,
    combine_s: costs.combineS,
    round_time_s: round.total_s,
    round_time_ratio_vs_plaintext: round.total_s / plaintext.total_s,
    crypto_only_round_time_s: round.crypto_only_s,
    crypto_only_round_time_ratio_vs_plaintext: round.crypto_only_s / plaintext.crypto_only_s,
    round_time_components_s: round,
    max_abs_error: costs.maxAbsError,
  };
}

/** The table: one row per scheme. */
export function figuresTable(rows: Array<[string, SchemeFigures]>): string {
  return formatTable(
    ['scheme', 'B/param', 'encrypt params/s/core', 'hub add params/s', 'hub ingest params/s', 'hub memory', 'partial decrypt s/1e6', 'combine s', 'round s', 'ratio', 'no-training ratio', 'max |error|'],
    rows.map(([name, f]) => [
      name,
      f.bytes_per_param.toFixed(2),
      rate(f.encrypt_params_per_s),
      rate(f.hub_add_params_per_s),
      rate(f.hub_ingest_params_per_s),
      `${(f.hub_memory_bytes / 2 ** 20).toFixed(1)} MiB`,
      f.partial_decrypt_s_per_1e6_params.toFixed(3),
      f.combine_s.toFixed(3),
      f.round_time_s.toFixed(2),
      `${f.round_time_ratio_vs_plaintext.toFixed(2)}×`,
      `${f.crypto_only_round_time_ratio_vs_plaintext.toFixed(2)}×`,
      f.max_abs_error.toExponential(1),
    ]),
  );
}

/** The round-time components side by side, one column per scheme. */
export function componentsTable(rows: Array<[string, SchemeFigures]>): string {
  const keys = Object.keys(rows[0]![1].round_time_components_s) as Array<keyof RoundTime>;
  return formatTable(
    ['round time (s)', ...rows.map(([name]) => name)],
    keys.map((key) => [key.replace(/_s$/, ''), ...rows.map(([, f]) => f.round_time_components_s[key].toFixed(3))]),
  );
}

function rate(perS: number): string {
  if (!Number.isFinite(perS)) return '—';
  return perS >= 1e6 ? `${(perS / 1e6).toFixed(2)} M` : perS >= 1e3 ? `${(perS / 1e3).toFixed(1)} k` : perS.toFixed(0);
}
