import { AppError, ErrorCode } from '@consilium/errors';

/**
 * CKKS parameters of a study's multiparty key. Structurally the same as @consilium/schemas'
 * `CkksParams`, declared here so this package stays independent of the schemas.
 */
export interface CkksParameters {
  /** Ring dimension N: N real values per ciphertext (two per CKKS slot). */
  polyModulusDegree: 4096 | 8192;
  /** Bit sizes of the RNS primes: data prime(s) first, the special (key-switching) prime last. */
  coeffModulusBits: number[];
  /** log2 of the standard deviation of the smudging noise each site adds to its partial decryption. */
  smudgingSigmaBits: number;
}

/** Ring dimensions this package supports. */
export const POLY_MODULUS_DEGREES = [4096, 8192] as const;
/** Allowed prime bit sizes (SEAL's NTT primes go up to 60 bits). */
export const PRIME_BITS = { min: 20, max: 60 } as const;
/** Allowed number of primes: at least one data prime plus the special prime. */
export const PRIME_COUNT = { min: 2, max: 4 } as const;
/** Allowed smudgingSigmaBits. */
export const SMUDGING_SIGMA_BITS = { min: 0, max: 40 } as const;

/**
 * Checks the parameters' shape (the 128-bit security bound needs SEAL and is checked by
 * createCkksContext) and returns a frozen copy. Throws INVALID_INPUT naming every bad field.
 */
export function checkCkksParameters(params: CkksParameters): Readonly<CkksParameters> {
  const issues: string[] = [];
  const n: unknown = params?.polyModulusDegree;
  if (!POLY_MODULUS_DEGREES.includes(n as 4096)) issues.push(`polyModulusDegree: must be 4096 or 8192, got ${String(n)}`);
  const bits: unknown = params?.coeffModulusBits;
  if (!Array.isArray(bits) || bits.length < PRIME_COUNT.min || bits.length > PRIME_COUNT.max) {
    issues.push(`coeffModulusBits: must list ${PRIME_COUNT.min} to ${PRIME_COUNT.max} prime sizes (data primes, then the special prime)`);
  } else {
    bits.forEach((b: unknown, i) => {
      if (!Number.isInteger(b) || (b as number) < PRIME_BITS.min || (b as number) > PRIME_BITS.max) {
        issues.push(`coeffModulusBits[${i}]: must be an integer from ${PRIME_BITS.min} to ${PRIME_BITS.max}, got ${String(b)}`);
      }
    });
  }
  const sigmaBits: unknown = params?.smudgingSigmaBits;
  if (!Number.isInteger(sigmaBits) || (sigmaBits as number) < SMUDGING_SIGMA_BITS.min || (sigmaBits as number) > SMUDGING_SIGMA_BITS.max) {
    issues.push(`smudgingSigmaBits: must be an integer from ${SMUDGING_SIGMA_BITS.min} to ${SMUDGING_SIGMA_BITS.max}, got ${String(sigmaBits)}`);
  }
  if (issues.length > 0) {
    throw new AppError(ErrorCode.INVALID_INPUT, `Invalid CKKS parameters: ${issues.join('; ')}`, { details: { issues } });
  }
  return Object.freeze({
    polyModulusDegree: params.polyModulusDegree,
    coeffModulusBits: Object.freeze([...params.coeffModulusBits]) as number[],
    smudgingSigmaBits: params.smudgingSigmaBits,
  });
}
