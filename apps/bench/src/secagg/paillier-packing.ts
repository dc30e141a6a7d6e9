import { AppError, ErrorCode } from '@consilium/errors';

/**
 * Fixed-point packing of many values into one Paillier plaintext. Each site submits
 * q = round((v + M)·2^f) per value (|v| ≤ M, so 0 ≤ q ≤ 2M·2^f); slots are wide enough for the sum
 * of `sites` of them, so adding ciphertexts never carries into the next slot. The hub subtracts
 * the sites' offsets after decryption.
 */
export interface Packing {
  fractionBits: number;
  slotBits: number;
  valuesPerCiphertext: number;
  bound: number;
  sites: number;
}

/**
 * The packing for `sites` sites, values within ±bound, and a plaintext modulus of `modulusBits`:
 * enough fraction bits that rounding moves a decoded mean by at most `maxError` (each site rounds
 * by ≤ 2^−(f+1), and the FedAvg division by Σw ≈ 1 keeps that order).
 */
export function choosePacking(sites: number, bound: number, modulusBits: number, maxError = 1e-7): Packing {
  const fractionBits = Math.ceil(Math.log2(sites / maxError));
  // The largest slot sum, exactly: sites · 2M · 2^f.
  const largestSum = BigInt(sites) * BigInt(Math.ceil(2 * bound)) << BigInt(fractionBits);
  const slotBits = largestSum.toString(2).length;
  // Packed plaintexts stay below 2^(modulusBits − 1) < n.
  const valuesPerCiphertext = Math.floor((modulusBits - 1) / slotBits);
  if (valuesPerCiphertext < 1) throw new AppError(ErrorCode.INVALID_INPUT, `a ${modulusBits}-bit Paillier modulus cannot hold one ${slotBits}-bit slot`);
  return { fractionBits, slotBits, valuesPerCiphertext, bound, sites };
}

/** Values [from, from + valuesPerCiphertext) of `values` as one plaintext (slot 0 lowest). */
export function pack(packing: Packing, values: Float64Array, from: number): bigint {
  const scale = 2 ** packing.fractionBits;
  const slot = BigInt(packing.slotBits);
  let packed = 0n;
  for (let j = Math.min(values.length, from + packing.valuesPerCiphertext) - 1; j >= from; j--) {
    const v = values[j]!;
    if (!(Math.abs(v) <= packing.bound)) throw new AppError(ErrorCode.ENCODING_RANGE, `value #${j} (${v}) is outside ±${packing.bound}`);
    packed = (packed << slot) | BigInt(Math.round((v + packing.bound) * scale));
  }
  return packed;
}

/** Writes the sums of `count` values packed in `plaintext` (a sum of `sites` submissions) into out[at…]. */
export function unpackSum(packing: Packing, plaintext: bigint, out: Float64Array, at: number, count: number): void {
  const slot = BigInt(packing.slotBits);
  const mask = (1n << slot) - 1n;
  const scale = 2 ** packing.fractionBits;
  const offset = packing.sites * packing.bound;
  let rest = plaintext;
  for (let j = 0; j < count; j++) {
    out[at + j] = Number(rest & mask) / scale - offset;
    rest >>= slot;
  }
}

/** Fixed-width big-endian bytes of a ciphertext (what crosses the network). */
export function toBytes(value: bigint, byteLength: number): Uint8Array {
  const hex = value.toString(16).padStart(2 * byteLength, '0');
  if (hex.length > 2 * byteLength) throw new AppError(ErrorCode.INTERNAL, `a ${hex.length * 4}-bit value does not fit ${byteLength} bytes`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** The hub's parse of an untrusted ciphertext: its size, and 0 < c < n². */
export function fromBytes(bytes: Uint8Array, byteLength: number, n2: bigint): bigint {
  if (bytes.length !== byteLength) throw new AppError(ErrorCode.INVALID_CIPHERTEXT, `Paillier ciphertext of ${bytes.length} bytes, expected ${byteLength}`);
  const value = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
  if (value <= 0n || value >= n2) throw new AppError(ErrorCode.INVALID_CIPHERTEXT, 'Paillier ciphertext out of range');
  return value;
}
