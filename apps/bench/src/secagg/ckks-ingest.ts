import { addWireCiphertext, packCiphertext, readWireCiphertext } from '@consilium/secagg';
import type { CkksContext } from '@consilium/secagg';
import { encryptChunks } from './ckks-protocol.ts';
import { sampleMemory, timed } from './measure.ts';
import type { MemorySample } from './measure.ts';
import { encodeSite, siteUpdate } from './updates.ts';
import type { RoundData } from './updates.ts';

/** The hub's state after each submission: the accumulator must not grow with the sites. */
export interface HubMemoryStep extends MemorySample {
  sites_added: number;
  accumulator_bytes: number;
}

export interface Ingest {
  /** The hub's accumulator: one summed ciphertext per chunk. */
  aggregates: Uint8Array[];
  uploadBytes: number;
  encodeS: number[];
  encryptS: number[];
  /** Process CPU seconds spent encrypting (all sites). */
  encryptCpuS: number;
  hubValidateS: number;
  hubAddS: number;
  hubMemory: HubMemoryStep[];
}

/**
 * Site after site: encode the FedAvg vector, encrypt it as a stream of ciphertexts, and the hub
 * validates and adds each ciphertext into its accumulator as it arrives, so no site's ciphertexts
 * are ever held. The site's work and the hub's are timed apart: on their own machines they do not
 * share a core.
 */
export function ingestSubmissions(ctx: CkksContext, publicKey: Uint8Array, data: RoundData, scaleBits: number, log: (line: string) => void): Ingest {
  const sites = data.numExamples.length;
  const ingest: Ingest = { aggregates: [], uploadBytes: 0, encodeS: [], encryptS: [], encryptCpuS: 0, hubValidateS: 0, hubAddS: 0, hubMemory: [] };
  const { aggregates } = ingest;
  for (let site = 0; site < sites; site++) {
    const update = siteUpdate(data, site);
    const encoded = timed(() => encodeSite(data, update));
    ingest.encodeS.push(encoded.wallS);
    // The argument checks (every value within the scale's budget, the key's format) are the site's work too.
    const started = timed(() => encryptChunks(ctx, publicKey, encoded.value, scaleBits));
    let encryptS = started.wallS;
    ingest.encryptCpuS += started.cpuS;
    const chunks = started.value;
    let chunk = 0;
    try {
      for (;;) {
        const next = timed(() => chunks.next());
        encryptS += next.wallS;
        ingest.encryptCpuS += next.cpuS;
        if (next.value.done === true) break;
        // The site uploads the compact wire format (packing is the site's work)…
        const packed = timed(() => packCiphertext(ctx, next.value.value as Uint8Array, scaleBits));
        encryptS += packed.wallS;
        ingest.encryptCpuS += packed.cpuS;
        ingest.uploadBytes += packed.value.length;
        // …and the hub's strict reader checks it, then adds its coefficients into the accumulator (as packages/domain does).
        const read = timed(() => readWireCiphertext(ctx, packed.value, { scaleBits }));
        ingest.hubValidateS += read.wallS;
        const accumulator = aggregates[chunk] ?? null;
        const added = timed(() => addWireCiphertext(ctx, accumulator, read.value));
        if (accumulator === null) {
          // Starting the accumulator (serializing the first ciphertext) is ingest work, not an addition.
          aggregates.push(added.value);
          ingest.hubValidateS += added.wallS;
        } else {
          aggregates[chunk] = added.value;
          ingest.hubAddS += added.wallS;
        }
        chunk++;
      }
    } finally {
      // Frees the generator's SEAL objects if the hub refused a ciphertext half-way.
      chunks.return();
    }
    ingest.encryptS.push(encryptS);
    const step = { sites_added: site + 1, accumulator_bytes: aggregates.reduce((sum, c) => sum + c.length, 0), ...sampleMemory() };
    ingest.hubMemory.push(step);
    log(`ckks: site ${site + 1}/${sites} encrypted ${data.params} params in ${encryptS.toFixed(2)} s (${chunk} ciphertexts); hub accumulator ${mib(step.accumulator_bytes)}, RSS ${mib(step.rss_bytes)}`);
  }
  return ingest;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
