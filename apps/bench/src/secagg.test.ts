import { describe, expect, it } from 'vitest';
import { secagg } from './secagg/index.ts';

/** The figures every scheme reports under the same names. */
const FIGURES = [
  'bytes_per_param',
  'encrypt_params_per_s',
  'hub_add_params_per_s',
  'hub_ingest_params_per_s',
  'hub_memory_bytes',
  'partial_decrypt_s_per_1e6_params',
  'combine_s',
  'round_time_s',
  'round_time_ratio_vs_plaintext',
  'crypto_only_round_time_ratio_vs_plaintext',
  'max_abs_error',
];

describe('secagg benchmark', () => {
  it('measures a tiny round under CKKS, plaintext and Paillier and reports every figure', { timeout: 180_000 }, async () => {
    // Execute
    const { json, text } = await secagg({
      flags: { params: '5000', sites: '3', threshold: '2', 'paillier-params': '200', 'train-rows': '32' },
      workDir: '/nonexistent',
      databaseUrl: undefined,
      log: () => undefined,
    });

    // Assert
    expect(json).toMatchObject({ params: 5000, sites: 3, threshold: 2 });
    for (const scheme of ['ckks', 'plaintext', 'paillier']) {
      const figures = json[scheme] as Record<string, unknown>;
      for (const name of FIGURES) expect(Number.isFinite(figures[name]), `${scheme}.${name}`).toBe(true);
    }
    const ckks = json.ckks as Record<string, number | boolean>;
    expect(ckks.max_abs_error).toBeLessThanOrEqual(1e-6);
    expect(ckks.hub_memory_independent_of_sites).toBe(true);
    expect((json.plaintext as Record<string, number>).round_time_ratio_vs_plaintext).toBe(1);
    expect((json.paillier as Record<string, number>).measured_params).toBe(200);
    expect(json.site_process).toMatchObject({ peak_rss_bytes: expect.any(Number), upload_bytes: (json.ckks as Record<string, number>).upload_bytes_per_site });
    expect((json.paillier as Record<string, number>).max_abs_error).toBeLessThanOrEqual(1e-6);
    expect(Object.values(json.targets as Record<string, unknown>).every((met) => typeof met === 'boolean')).toBe(true);
    expect(text).toMatch(/^plaintext .*\n^ckks .*\n^paillier /m);
  });
});
