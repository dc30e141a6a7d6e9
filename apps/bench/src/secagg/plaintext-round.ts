import { AppError, ErrorCode } from '@consilium/errors';
import { median, timed } from './measure.ts';
import type { SchemeCosts } from './scheme-costs.ts';
import { averageOf, encodeSite, MAX_ABS_PARAMETER, maxAbsError, siteUpdate } from './updates.ts';
import type { RoundData } from './updates.ts';

export interface PlaintextMeasurement {
  costs: SchemeCosts;
  json: { encode_s_per_site: number[]; hub_validate_s: number; hub_add_s: number; average_s: number };
}

/**
 * The same round without encryption: each site sends its FedAvg vector as float32 (4 B a value),
 * the hub checks every value (finite, within the bound) and adds it into a float64 sum, then averages.
 */
export function measurePlaintextRound(data: RoundData, expected: Float64Array, log: (line: string) => void): PlaintextMeasurement {
  const sites = data.numExamples.length;
  const length = data.params + 2;
  const sum = new Float64Array(length);
  const encodeS: number[] = [];
  let uploadBytes = 0;
  let validateS = 0;
  let addS = 0;
  for (let site = 0; site < sites; site++) {
    const update = siteUpdate(data, site);
    const encoded = timed(() => new Uint8Array(Float32Array.from(encodeSite(data, update)).buffer));
    encodeS.push(encoded.wallS);
    const bytes = encoded.value;
    uploadBytes += bytes.length;
    const parsed = timed(() => parseSubmission(bytes, length));
    validateS += parsed.wallS;
    addS += timed(() => addInto(sum, parsed.value)).wallS;
  }
  const averaged = timed(() => averageOf(sum, data.params));
  const error = maxAbsError(averaged.value, expected);
  log(`plaintext: ${sites} sites, hub ${(validateS + addS).toFixed(3)} s, max |error| ${error.toExponential(2)} (float32 upload)`);
  return {
    costs: {
      uploadBytesPerSite: uploadBytes / sites,
      siteEncodeS: median(encodeS),
      encryptParamsPerS: (sites * data.params) / encodeS.reduce((a, b) => a + b, 0),
      hubIngestS: validateS + addS,
      hubAddParamsPerS: (sites * data.params) / addS,
      hubIngestParamsPerS: (sites * data.params) / (validateS + addS),
      hubMemoryBytes: sum.byteLength,
      decryptors: 0,
      aggregateBytes: 0,
      shareBytes: 0,
      partialDecryptS: 0,
      combineS: averaged.wallS,
      maxAbsError: error,
    },
    json: { encode_s_per_site: encodeS, hub_validate_s: validateS, hub_add_s: addS, average_s: averaged.wallS },
  };
}

/** The hub's check of an untrusted plaintext submission: its length, every value finite and within the bound. */
function parseSubmission(bytes: Uint8Array, length: number): Float32Array {
  if (bytes.length !== 4 * length) throw new AppError(ErrorCode.INVALID_INPUT, `plaintext submission of ${bytes.length} bytes, expected ${4 * length}`);
  const values = new Float32Array(bytes.buffer, bytes.byteOffset, length);
  for (let i = 0; i < length; i++) {
    if (!(Math.abs(values[i]!) <= MAX_ABS_PARAMETER)) throw new AppError(ErrorCode.ENCODING_RANGE, `plaintext value #${i} (${values[i]}) is out of bounds`);
  }
  return values;
}

function addInto(sum: Float64Array, values: Float32Array): void {
  for (let i = 0; i < sum.length; i++) sum[i]! += values[i]!;
}
