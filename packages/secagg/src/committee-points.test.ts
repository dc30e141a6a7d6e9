import { ErrorCode } from '@consilium/errors';
import { describe, expect, it } from 'vitest';
import { expectAppError } from '../test/support.ts';
import { checkDecryptorSet, encodePointSet, lagrangeAtZero } from './committee-points.ts';

const Q = 1152921504606830593n;
const mod = (value: bigint): bigint => ((value % Q) + Q) % Q;

describe('lagrangeAtZero', () => {
  it('gives the weights of f(1), f(2), f(3) in f(0): 3, −3 and 1', () => {
    expect([1, 2, 3].map((self) => lagrangeAtZero([1, 2, 3], self, Q))).toEqual([3n, mod(-3n), 1n]);
    expect(lagrangeAtZero([7], 7, Q)).toBe(1n);
  });

  it('recombines f(0) of a random polynomial of degree < |points| from any such set', () => {
    const coefficients = [123456789n, 987654321n, 5n];
    const f = (x: number): bigint => mod(coefficients.reduce((sum, c, d) => sum + c * BigInt(x) ** BigInt(d), 0n));
    for (const points of [
      [1, 2, 3],
      [2, 9, 40],
      [65535, 1, 300, 17],
    ]) {
      const recombined = points.reduce((sum, point) => mod(sum + lagrangeAtZero(points, point, Q) * f(point)), 0n);
      expect(recombined).toBe(coefficients[0]);
    }
  });
});

describe('decryptor sets', () => {
  it('encode sorted, so the order a set is listed in does not matter', () => {
    expect(encodePointSet([3, 1, 2])).toEqual(encodePointSet([1, 2, 3]));
    expect(Array.from(encodePointSet([258, 1]))).toEqual([2, 0, 0, 0, 1, 0, 2, 1]);
  });

  it('must be distinct committee points that include self', () => {
    expect(() => checkDecryptorSet(2, [1, 2])).not.toThrow();
    expectAppError(() => checkDecryptorSet(3, [1, 2]), ErrorCode.INVALID_INPUT, /not one of the decryptors/);
    expectAppError(() => checkDecryptorSet(1, [1, 1]), ErrorCode.INVALID_INPUT, /twice/);
    expectAppError(() => checkDecryptorSet(0, [0]), ErrorCode.INVALID_INPUT, /decryptors\[0\]/);
    expectAppError(() => checkDecryptorSet(1, 'all' as unknown as number[]), ErrorCode.INVALID_INPUT, /at least one/);
  });
});
