import { addCiphertexts, chooseScaleBits, createCkksContext, validateCiphertext } from '@consilium/secagg';
import type { CkksContext, CkksParameters } from '@consilium/secagg';
import { addShare, decodeSum, decryptorsOf, encryptChunks, partialDecryptor, runKeyCeremony, valuesPerChunk } from './ckks-protocol.ts';
import { median, sampleMemory, timed } from './measure.ts';
import type { MemorySample } from './measure.ts';
import type { SchemeCosts } from './scheme-costs.ts';
import { averageOf, encodeSite, MAX_ABS_PARAMETER, maxAbsError, siteUpdate } from './updates.ts';
import type { RoundData } from './updates.ts';

/** The hub's state after each submission: the accumulator must not grow with the sites. */
export interface HubMemoryStep extends MemorySample {
  sites_added: number;
  accumulator_bytes: number;
}

export interface CkksMeasurement {
  costs: SchemeCosts;
  json: {
    ckks_parameters: CkksParameters;
    scale_bits: number;
    values_per_ciphertext: number;
    ciphertexts_per_site: number;
    ciphertext_bytes: number;
    decryption_share_bytes: number;
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
 * One CKKS round for real: key ceremony among every site, then site after site encodes its FedAvg
 * vector, encrypts it chunk batch by chunk batch, and the hub validates and adds each ciphertext into
 * its accumulator as it arrives (nothing is held per site); `threshold` members partially decrypt
 * every chunk, the hub validates and sums the shares, decodes and averages.
 */
export async function measureCkksRound(
  data: RoundData,
  options: { threshold: number; params: CkksParameters },
  expected: Float64Array,
  log: (line: string) => void,
): Promise<CkksMeasurement> {
  const ctx = await createCkksContext(options.params);
  try {
    return run(ctx, data, options, expected, log);
  } finally {
    ctx.dispose();
  }
}

function run(ctx: CkksContext, data: RoundData, options: { threshold: number; params: CkksParameters }, expected: Float64Array, log: (line: string) => void): CkksMeasurement {
  const sites = data.numExamples.length;
  const length = data.params + 2;
  const scaleBits = chooseScaleBits(ctx, MAX_ABS_PARAMETER);
  const ceremony = timed(() => runKeyCeremony(ctx, sites, options.threshold));
  const keys = ceremony.value;
  log(`ckks: key ceremony among ${sites} sites (threshold ${keys.threshold}) in ${ceremony.wallS.toFixed(2)} s`);

  let aggregates: Uint8Array[] = [];
  let uploadBytes = 0;
  let hubValidateS = 0;
  let hubAddS = 0;
  let encryptCpuS = 0;
  const encryptS: number[] = [];
  const encodeS: number[] = [];
  const hubMemory: HubMemoryStep[] = [];
  for (let site = 0; site < sites; site++) {
    const update = siteUpdate(data, site);
    const encoded = timed(() => encodeSite(data, update));
    encodeS.push(encoded.wallS);
    // The argument checks (every value within the scale's budget, the key's format) are the site's work too.
    const started = timed(() => encryptChunks(ctx, keys.publicKey, encoded.value, scaleBits));
    let siteEncryptS = started.wallS;
    encryptCpuS += started.cpuS;
    const chunks = started.value;
    let chunk = 0;
    try {
      for (;;) {
        // The site's work and the hub's are timed apart: on their own machines they do not share a core.
        const next = timed(() => chunks.next());
        siteEncryptS += next.wallS;
        encryptCpuS += next.cpuS;
        if (next.value.done === true) break;
        const ciphertext = next.value.value;
        uploadBytes += ciphertext.length;
        hubValidateS += timed(() => validateCiphertext(ctx, ciphertext, { scaleBits })).wallS;
        const accumulator = aggregates[chunk];
        if (accumulator === undefined) aggregates.push(ciphertext);
        else hubAddS += timed(() => (aggregates[chunk] = addCiphertexts(ctx, accumulator, ciphertext))).wallS;
        chunk++;
      }
    } finally {
      // Frees the generator's SEAL objects if the hub refused a ciphertext half-way.
      chunks.return();
    }
    encryptS.push(siteEncryptS);
    hubMemory.push({ sites_added: site + 1, accumulator_bytes: aggregates.reduce((sum, c) => sum + c.length, 0), ...sampleMemory() });
    log(`ckks: site ${site + 1}/${sites} encrypted ${data.params} params in ${siteEncryptS.toFixed(2)} s (${chunk} ciphertexts); hub accumulator ${mib(hubMemory.at(-1)!.accumulator_bytes)}, RSS ${mib(hubMemory.at(-1)!.rss_bytes)}`);
  }

  const decryptors = decryptorsOf(keys);
  const partialS = decryptors.map(() => 0);
  let shareS = 0;
  let shareSums: Uint8Array[] = [];
  // Each decryptor's setup (weighting its key share for this set) is part of its time.
  const decrypt = decryptors.map((self, i) => {
    const made = timed(() => partialDecryptor(ctx, keys, self, decryptors));
    partialS[i]! += made.wallS;
    return made.value;
  });
  try {
    // Chunk by chunk, so only one chunk's shares are in flight; each decryptor's time is its own.
    shareSums = aggregates.map((aggregate) => {
      let sum: Uint8Array | undefined;
      decrypt.forEach((partial, i) => {
        const share = timed(() => partial.decrypt(aggregate));
        partialS[i]! += share.wallS;
        shareS += timed(() => (sum = addShare(ctx, sum, share.value, aggregate, decryptors))).wallS;
      });
      return sum!;
    });
  } finally {
    decrypt.forEach((partial) => partial.dispose());
  }
  log(`ckks: ${decryptors.length} decryptors, ${median(partialS).toFixed(2)} s each (median)`);
  const decoded = timed(() => decodeSum(ctx, aggregates, shareSums, length, decryptors));
  const averaged = timed(() => averageOf(decoded.value, data.params));
  const error = maxAbsError(averaged.value, expected);
  const aggregateBytes = aggregates.reduce((sum, c) => sum + c.length, 0);
  const shareBytes = shareSums.reduce((sum, s) => sum + s.length, 0);
  const ciphertextCount = aggregates.length;
  aggregates = [];
  log(`ckks: decoded and averaged in ${(decoded.wallS + averaged.wallS).toFixed(2)} s, max |error| ${error.toExponential(2)}`);

  const totalEncryptS = encryptS.reduce((a, b) => a + b, 0);
  const siteS = encryptS.map((s, i) => s + encodeS[i]!);
  return {
    costs: {
      uploadBytesPerSite: uploadBytes / sites,
      siteEncodeS: median(siteS),
      encryptParamsPerS: (sites * data.params) / siteS.reduce((a, b) => a + b, 0),
      hubIngestS: hubValidateS + hubAddS,
      // The first submission becomes the accumulator: sites − 1 additions.
      hubAddParamsPerS: ((sites - 1) * data.params) / hubAddS,
      hubIngestParamsPerS: (sites * data.params) / (hubValidateS + hubAddS),
      hubMemoryBytes: hubMemory.at(-1)!.accumulator_bytes,
      decryptors: decryptors.length,
      aggregateBytes,
      shareBytes,
      partialDecryptS: median(partialS),
      combineS: shareS + decoded.wallS + averaged.wallS,
      maxAbsError: error,
    },
    json: {
      ckks_parameters: ctx.params,
      scale_bits: scaleBits,
      values_per_ciphertext: valuesPerChunk(ctx),
      ciphertexts_per_site: ciphertextCount,
      ciphertext_bytes: ctx.ciphertextBytes,
      decryption_share_bytes: ctx.decryptionShareBytes,
      key_ceremony_s: ceremony.wallS,
      encrypt_s_per_site: encryptS,
      encrypt_cpu_per_wall: encryptCpuS / totalEncryptS,
      encrypt_params_per_cpu_s: (sites * data.params) / encryptCpuS,
      encode_s_per_site: encodeS,
      hub_validate_s: hubValidateS,
      hub_add_s: hubAddS,
      hub_memory_by_sites_added: hubMemory,
      partial_decrypt_s_per_decryptor: partialS,
      share_validate_add_s: shareS,
      decode_s: decoded.wallS,
      average_s: averaged.wallS,
      peak_rss_bytes: sampleMemory().peak_rss_bytes,
    },
  };
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
