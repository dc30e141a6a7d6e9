import { chooseScaleBits, createCkksContext } from '@consilium/secagg';
import type { CkksContext, CkksParameters } from '@consilium/secagg';
import { decryptAggregate } from './ckks-decrypt.ts';
import { ingestSubmissions } from './ckks-ingest.ts';
import type { HubMemoryStep } from './ckks-ingest.ts';
import { runKeyCeremony, valuesPerChunk } from './ckks-protocol.ts';
import { median, sampleMemory, timed } from './measure.ts';
import type { SchemeCosts } from './scheme-costs.ts';
import { averageOf, MAX_ABS_PARAMETER, maxAbsError } from './updates.ts';
import type { RoundData } from './updates.ts';

export type { HubMemoryStep } from './ckks-ingest.ts';

export interface CkksMeasurement {
  costs: SchemeCosts;
  json: {
    ckks_parameters: CkksParameters;
    scale_bits: number;
    values_per_ciphertext: number;
    ciphertexts_per_site: number;
    ciphertext_bytes: number;
    decryption_share_bytes: number;
    /** Once per study (or re-keying), not per round. */
    key_ceremony_s: number;
    encrypt_s_per_site: number[];
    /** Process CPU seconds / wall seconds while encrypting: ≈ 1 is one busy core, well below 1 a machine shared with other work. */
    encrypt_cpu_per_wall: number;
    /** Encryption rate per CPU second (FedAvg encoding excluded): the per-core rate when the machine is shared. */
    encrypt_params_per_cpu_s: number;
    encode_s_per_site: number[];
    hub_validate_s: number;
    hub_add_s: number;
    hub_memory_by_sites_added: HubMemoryStep[];
    partial_decrypt_s_per_decryptor: number[];
    share_validate_add_s: number;
    decode_s: number;
    average_s: number;
    peak_rss_bytes: number;
  };
}

/**
 * One CKKS round for real, with the study's default parameters: a key ceremony among every site,
 * every site's submission streamed into the hub's accumulator, `threshold` members decrypting, the
 * hub combining, decoding and averaging; checked against the float64 weighted mean.
 */
export async function measureCkksRound(
  data: RoundData,
  options: { threshold: number; params: CkksParameters },
  expected: Float64Array,
  log: (line: string) => void,
): Promise<CkksMeasurement> {
  const ctx = await createCkksContext(options.params);
  try {
    return run(ctx, data, options.threshold, expected, log);
  } finally {
    ctx.dispose();
  }
}

function run(ctx: CkksContext, data: RoundData, threshold: number, expected: Float64Array, log: (line: string) => void): CkksMeasurement {
  const sites = data.numExamples.length;
  const scaleBits = chooseScaleBits(ctx, MAX_ABS_PARAMETER);
  const ceremony = timed(() => runKeyCeremony(ctx, sites, threshold));
  const keys = ceremony.value;
  log(`ckks: key ceremony among ${sites} sites (threshold ${keys.threshold}) in ${ceremony.wallS.toFixed(2)} s`);

  const ingest = ingestSubmissions(ctx, keys.publicKey, data, scaleBits, log);
  const decryption = decryptAggregate(ctx, keys, ingest.aggregates, data.params + 2);
  log(`ckks: ${decryption.decryptors.length} decryptors, ${median(decryption.partialS).toFixed(2)} s each (median); decoded in ${decryption.decodeS.toFixed(2)} s`);
  const averaged = timed(() => averageOf(decryption.sum, data.params));
  const error = maxAbsError(averaged.value, expected);
  log(`ckks: max |error| ${error.toExponential(2)}`);

  const { hubValidateS, hubAddS, hubMemory } = ingest;
  const siteS = ingest.encryptS.map((s, i) => s + ingest.encodeS[i]!);
  return {
    costs: {
      uploadBytesPerSite: ingest.uploadBytes / sites,
      siteEncodeS: median(siteS),
      encryptParamsPerS: (sites * data.params) / siteS.reduce((a, b) => a + b, 0),
      hubIngestS: hubValidateS + hubAddS,
      // The first submission becomes the accumulator: sites − 1 additions.
      hubAddParamsPerS: ((sites - 1) * data.params) / hubAddS,
      hubIngestParamsPerS: (sites * data.params) / (hubValidateS + hubAddS),
      hubMemoryBytes: hubMemory.at(-1)!.accumulator_bytes,
      decryptors: decryption.decryptors.length,
      aggregateBytes: hubMemory.at(-1)!.accumulator_bytes,
      shareBytes: decryption.shareBytes,
      partialDecryptS: median(decryption.partialS),
      combineS: decryption.shareS + decryption.decodeS + averaged.wallS,
      maxAbsError: error,
    },
    json: {
      ckks_parameters: ctx.params,
      scale_bits: scaleBits,
      values_per_ciphertext: valuesPerChunk(ctx),
      ciphertexts_per_site: ingest.aggregates.length,
      ciphertext_bytes: ctx.ciphertextBytes,
      decryption_share_bytes: ctx.decryptionShareBytes,
      key_ceremony_s: ceremony.wallS,
      encrypt_s_per_site: ingest.encryptS,
      encrypt_cpu_per_wall: ingest.encryptCpuS / ingest.encryptS.reduce((a, b) => a + b, 0),
      encrypt_params_per_cpu_s: (sites * data.params) / ingest.encryptCpuS,
      encode_s_per_site: ingest.encodeS,
      hub_validate_s: hubValidateS,
      hub_add_s: hubAddS,
      hub_memory_by_sites_added: hubMemory,
      partial_decrypt_s_per_decryptor: decryption.partialS,
      share_validate_add_s: decryption.shareS,
      decode_s: decryption.decodeS,
      average_s: averaged.wallS,
      peak_rss_bytes: sampleMemory().peak_rss_bytes,
    },
  };
}
