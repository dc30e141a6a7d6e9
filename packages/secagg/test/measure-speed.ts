/**
 * Measures the per-ciphertext costs of a round on this machine, single-threaded:
 *
 *   node packages/secagg/test/measure-speed.ts [chunks] [N=4096|8192]
 *
 * Prints ms per ciphertext (N values each) for site encryption, hub addition, one member's partial
 * decryption and the hub's combine + decode, the one-off ceremony costs, and the precision of the
 * decoded sum. A report, not a test: timings depend on the machine and its load.
 */
import { addCiphertexts } from '../src/aggregation.ts';
import { createCkksContext } from '../src/context.ts';
import { addDecryptionShares, decodeAggregate } from '../src/decryption.ts';
import { encryptVectorChunks } from '../src/encryption.ts';
import type { CkksParameters } from '../src/parameters.ts';
import { createPartialDecryptor } from '../src/partial-decryptor.ts';
import { chooseScaleBits } from '../src/scale.ts';
import { maxAbsDifference, randomVector, runCeremony } from './support.ts';

const chunks = Number(process.argv[2] ?? 50);
const n = Number(process.argv[3] ?? 4096);
const PARAMS: Record<number, CkksParameters> = {
  4096: { polyModulusDegree: 4096, coeffModulusBits: [60, 49], smudgingSigmaBits: 20 },
  8192: { polyModulusDegree: 8192, coeffModulusBits: [60, 40, 60], smudgingSigmaBits: 30 },
};
const SITES = 5;
const THRESHOLD = 3;

function timed<T>(fn: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = fn();
  return { result, ms: performance.now() - start };
}

const params = PARAMS[n];
if (params === undefined) throw new Error(`N must be 4096 or 8192, got ${n}`);
const ctx = await createCkksContext(params);
const perChunk = ctx.valuesPerChunk;
const length = chunks * perChunk;
const ceremonyTime = timed(() => runCeremony(ctx, SITES, THRESHOLD));
const ceremony = ceremonyTime.result;
const scaleBits = chooseScaleBits(ctx, 64);
const updates = [randomVector(length, 32), randomVector(length, 32)];

// Warm up SEAL and the JIT on one chunk of each step.
const [warm] = encryptVectorChunks(ctx, ceremony.publicKey, updates[0]!.subarray(0, perChunk), scaleBits);

const encrypted = updates.map((update) => timed(() => [...encryptVectorChunks(ctx, ceremony.publicKey, update, scaleBits)]));
const added = timed(() => encrypted[0]!.result.map((chunk, i) => addCiphertexts(ctx, chunk, encrypted[1]!.result[i]!)));
const aggregates = added.result;

const decryptors = [1, 3, 5];
const setup = timed(() => decryptors.map((self) => createPartialDecryptor(ctx, ceremony.keyShares[self - 1]!, { self, decryptors })));
const members = setup.result;
members[0]!.decrypt(warm!);
const shares = members.map((member) => timed(() => aggregates.map((aggregate) => member.decrypt(aggregate))));
for (const member of members) member.dispose();
const combined = timed(() =>
  aggregates.map((aggregate, i) => {
    const sum = shares.slice(1).reduce((acc, member) => addDecryptionShares(ctx, acc, member.result[i]!), shares[0]!.result[i]!);
    return decodeAggregate(ctx, aggregate, sum, decryptors);
  }),
);

const expected = updates[0]!.map((v, i) => v + updates[1]![i]!);
const decoded = new Float64Array(length);
combined.result.forEach((values, i) => decoded.set(values, i * perChunk));

const perCiphertext = (ms: number, count = chunks): string => (ms / count).toFixed(2);
const encryptMs = (encrypted[0]!.ms + encrypted[1]!.ms) / 2;
const decryptMs = shares.reduce((sum, member) => sum + member.ms, 0) / shares.length;
console.log(`N=${n} ${JSON.stringify(params.coeffModulusBits)}, σ=2^${params.smudgingSigmaBits}, ${perChunk} values per ciphertext, ${chunks} ciphertexts`);
console.log(`ciphertext: ${ctx.ciphertextBytes} bytes = ${(ctx.ciphertextBytes / perChunk).toFixed(3)} bytes per value`);
console.log(`ceremony ${SITES} members, ${THRESHOLD}-of-${SITES} dealing and combining: ${ceremonyTime.ms.toFixed(0)} ms`);
console.log(`encrypt:          ${perCiphertext(encryptMs)} ms/ciphertext  (${((perChunk * chunks) / encryptMs / 1000).toFixed(2)} M values/s)`);
console.log(`hub add:          ${perCiphertext(added.ms)} ms/ciphertext`);
console.log(`decryptor setup:  ${(setup.ms / members.length).toFixed(1)} ms per member (Lagrange weighting, once per decryptor set)`);
console.log(`partial decrypt:  ${perCiphertext(decryptMs)} ms/ciphertext  (${((decryptMs / (perChunk * chunks)) * 1e6 / 1000).toFixed(2)} s per 1e6 values per member)`);
console.log(`combine + decode: ${perCiphertext(combined.ms)} ms/ciphertext (${decryptors.length} shares)`);
console.log(`max |decoded − sum|: ${maxAbsDifference(decoded, expected).toExponential(2)} (values up to 64, scale 2^${scaleBits})`);
ctx.dispose();
