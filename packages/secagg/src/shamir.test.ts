import { describe, expect, it } from 'vitest';
import { toPrime } from './rns.ts';
import { uniformResidues } from './shamir.ts';

describe('uniformResidues', () => {
  it.each([1152921504606830593n, 562949953216513n, 1073692673n])('is below q = %s and roughly uniform', (q) => {
    const values = uniformResidues(toPrime(q), 20_000);
    expect(values.every((v) => v < q)).toBe(true);
    const fractions = Array.from(values, (v) => Number(v) / Number(q));
    const mean = fractions.reduce((sum, f) => sum + f, 0) / fractions.length;
    // Uniform on [0, 1): mean 0.5 ± 0.002 (one standard error); a tenth above 0.9.
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    const top = fractions.filter((f) => f > 0.9).length / fractions.length;
    expect(top).toBeGreaterThan(0.09);
    expect(top).toBeLessThan(0.11);
  });
});
