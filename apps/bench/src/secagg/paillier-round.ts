import { generateRandomKeys } from 'paillier-bigint';
import { median, timed } from './measure.ts';
import { choosePacking, fromBytes, pack, toBytes, unpackSum } from './paillier-packing.ts';
import type { Packing } from './paillier-packing.ts';
import type { SchemeCosts } from './scheme-costs.ts';
import { averageOf, encodeSite, MAX_ABS_PARAMETER, maxAbsError, siteUpdate } from './updates.ts';
import type { RoundData } from './updates.ts';

export interface PaillierMeasurement {
  /** Extrapolated to the full parameter count from the measured sample. */
  costs: SchemeCosts;
  json: {
    library: string;
    modulus_bits: number;
    measured_params: number;
    extrapolated: boolean;
    packing: Packing;
    ciphertext_bytes: number;
    ciphertexts_per_site: number;
    measured_ciphertexts_per_site: number;
    keygen_s: number;
    encrypt_s_per_ciphertext: number;
    hub_parse_s_per_ciphertext: number;
    hub_add_s_per_ciphertext: number;
    decrypt_s_per_ciphertext: number;

  };
}

/**
 * The round under Paillier (paillier-bigint as shipped: encrypt computes g^m·r^n mod n², two
 * modular exponentiations; decryption uses the CRT), packed fixed point, one private-key holder (no
 * threshold decryption, which only makes Paillier look better). Each site encrypts only its first
 * `measuredParams` parameters (plus the weight and loss entries); every per-ciphertext time is
 * measured on that sample and multiplied by the ciphertexts the full vector needs.
 */
export async function measurePaillierRound(data: RoundData, measuredParams: number, modulusBits: number, expected: Float64Array, log: (line: string) => void): Promise<PaillierMeasurement> {
  const sites = data.numExamples.length;
  const keygen = Date.now();
  const { publicKey, privateKey } = await generateRandomKeys(modulusBits, true);
  const keygenS = (Date.now() - keygen) / 1000;
  const n2 = publicKey._n2;
  const ciphertextBytes = Math.ceil(n2.toString(2).length / 8);
  const packing = choosePacking(sites, MAX_ABS_PARAMETER, publicKey.bitLength);
  const sampleLength = measuredParams + 2;
  const sampleCiphertexts = Math.ceil(sampleLength / packing.valuesPerCiphertext);
  log(`paillier: ${modulusBits}-bit keys in ${keygenS.toFixed(1)} s; ${packing.valuesPerCiphertext} values of ${packing.slotBits} bits per ciphertext; ${sites} sites × ${sampleCiphertexts} ciphertexts`);

  const aggregate: bigint[] = [];
  let encryptS = 0;
  let parseS = 0;
  let addS = 0;
  const siteS: number[] = [];
  for (let site = 0; site < sites; site++) {
    const full = encodeSite(data, siteUpdate(data, site));
    // The sample: the first parameters, then the weight and loss entries.
    const sample = new Float64Array(sampleLength);
    sample.set(full.subarray(0, measuredParams));
    sample.set(full.subarray(data.params), measuredParams);
    let thisSite = 0;
    for (let c = 0; c < sampleCiphertexts; c++) {
      const sent = timed(() => toBytes(publicKey.encrypt(pack(packing, sample, c * packing.valuesPerCiphertext)), ciphertextBytes));
      thisSite += sent.wallS;
      const parsed = timed(() => fromBytes(sent.value, ciphertextBytes, n2));
      parseS += parsed.wallS;
      const sum = aggregate[c];
      if (sum === undefined) aggregate[c] = parsed.value;
      else addS += timed(() => (aggregate[c] = publicKey.addition(sum, parsed.value))).wallS;
    }
    siteS.push(thisSite);
    encryptS += thisSite;
    log(`paillier: site ${site + 1}/${sites} encrypted ${sampleLength} values in ${thisSite.toFixed(1)} s`);
  }

  const sum = new Float64Array(sampleLength);
  const decrypted = timed(() => aggregate.forEach((c, i) => unpackSum(packing, privateKey.decrypt(c), sum, i * packing.valuesPerCiphertext, Math.min(packing.valuesPerCiphertext, sampleLength - i * packing.valuesPerCiphertext))));
  const error = maxAbsError(averageOf(sum, measuredParams), expected.subarray(0, measuredParams));
  // The division is timed on a full-length sum: it is too quick to extrapolate from the sample.
  const fullSum = new Float64Array(data.params + 2);
  fullSum[data.params] = sum[measuredParams]!;
  const averaged = timed(() => averageOf(fullSum, data.params));
  log(`paillier: decrypted ${sampleCiphertexts} ciphertexts in ${decrypted.wallS.toFixed(1)} s, max |error| ${error.toExponential(2)}`);

  const perCiphertext = {
    encrypt: encryptS / (sites * sampleCiphertexts),
    parse: parseS / (sites * sampleCiphertexts),
    // The first submission becomes the accumulator: sites − 1 additions per ciphertext.
    add: addS / ((sites - 1) * sampleCiphertexts),
    decrypt: decrypted.wallS / sampleCiphertexts,
  };
  const perParam = (secondsPerCiphertext: number): number => packing.valuesPerCiphertext / secondsPerCiphertext;
  const fullCiphertexts = Math.ceil((data.params + 2) / packing.valuesPerCiphertext);
  return {
    costs: {
      uploadBytesPerSite: fullCiphertexts * ciphertextBytes,
      siteEncodeS: (median(siteS) / sampleCiphertexts) * fullCiphertexts,
      encryptParamsPerS: perParam(perCiphertext.encrypt),
      hubIngestS: (sites * perCiphertext.parse + (sites - 1) * perCiphertext.add) * fullCiphertexts,
      hubAddParamsPerS: perParam(perCiphertext.add),
      hubIngestParamsPerS: (sites * packing.valuesPerCiphertext) / (sites * perCiphertext.parse + (sites - 1) * perCiphertext.add),
      hubMemoryBytes: fullCiphertexts * ciphertextBytes,
      decryptors: 1,
      aggregateBytes: fullCiphertexts * ciphertextBytes,
      // The key holder returns the decrypted sum as float64.
      shareBytes: 8 * (data.params + 2),
      partialDecryptS: perCiphertext.decrypt * fullCiphertexts,
      combineS: averaged.wallS,
      maxAbsError: error,
    },
    json: {
      library: 'paillier-bigint 3.4.3 (generateRandomKeys(bits, true): g = n + 1)',
      modulus_bits: publicKey.bitLength,
      measured_params: measuredParams,
      extrapolated: measuredParams < data.params,
      packing,
      ciphertext_bytes: ciphertextBytes,
      ciphertexts_per_site: fullCiphertexts,
      measured_ciphertexts_per_site: sampleCiphertexts,
      keygen_s: keygenS,
      encrypt_s_per_ciphertext: perCiphertext.encrypt,
      hub_parse_s_per_ciphertext: perCiphertext.parse,
      hub_add_s_per_ciphertext: perCiphertext.add,
      decrypt_s_per_ciphertext: perCiphertext.decrypt,
    },
  };
}
