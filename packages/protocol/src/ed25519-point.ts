/**
 * Ed25519 public-key point checks that OpenSSL (and so `node:crypto`) skips: it imports any 32
 * bytes as a public key, and only a later `verify` fails. The hub registers keys at enrolment and
 * should refuse a bad one there, with a reason, rather than at every request afterwards.
 *
 * Arithmetic follows RFC 8032 §5.1.3 with BigInt; it runs once per key parse, not per signature.
 */

const P = 2n ** 255n - 19n;
/** The curve constant d = -121665 / 121666 mod p. */
const D = 37095705934669439343138083508754565189542113879843219016388785533085940283555n;
/** A square root of -1 mod p, 2^((p-1)/4). */
const SQRT_M1 = 19681161376707505956807079304988542015446066515923890162744021073123829784752n;

/** Why 32 bytes are not usable as an Ed25519 public key. */
export type PointProblem = 'non-canonical' | 'not-on-curve' | 'small-order';

function mod(a: bigint): bigint {
  const r = a % P;
  return r < 0n ? r + P : r;
}

function powMod(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = mod(base);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

/**
 * True when [8]P is the neutral element, i.e. P lies in the 8-torsion subgroup. Such a key is not
 * bound to any secret scalar, so signatures "by" it cannot be attributed to a site — exactly what
 * the hub's stored payload signatures must prove. Three doublings in extended coordinates (the
 * a = -1 doubling formula is complete on Ed25519, so no special cases).
 */
function hasSmallOrder(x: bigint, y: bigint): boolean {
  let X = x;
  let Y = y;
  let Z = 1n;
  for (let i = 0; i < 3; i += 1) {
    const A = (X * X) % P;
    const B = (Y * Y) % P;
    const C = (2n * Z * Z) % P;
    const E = mod((X + Y) * (X + Y) - A - B);
    const G = mod(B - A);
    const F = mod(G - C);
    const H = mod(-A - B);
    X = (E * F) % P;
    Y = (G * H) % P;
    Z = (F * G) % P;
  }
  return X === 0n && Y === Z;
}

/**
 * Checks a 32-byte encoded Ed25519 point: canonical encoding (y < p, no "negative zero" x), on the
 * curve, and not of small order. Returns what is wrong, or null when the key is usable.
 */
export function ed25519PointProblem(encoded: Uint8Array): PointProblem | null {
  const littleEndian = Buffer.from(encoded);
  const sign = (littleEndian[31] ?? 0) >> 7;
  littleEndian[31] = (littleEndian[31] ?? 0) & 0x7f;
  const y = BigInt(`0x${littleEndian.reverse().toString('hex')}`);
  if (y >= P) return 'non-canonical';

  // Recover x from x^2 = (y^2 - 1) / (d y^2 + 1) as in RFC 8032 §5.1.3 step 3.
  const y2 = (y * y) % P;
  const u = mod(y2 - 1n);
  const v = mod(D * y2 + 1n);
  const v3 = (((v * v) % P) * v) % P;
  const v7 = (((v3 * v3) % P) * v) % P;
  let x = (((u * v3) % P) * powMod((u * v7) % P, (P - 5n) / 8n)) % P;
  const vx2 = (((v * x) % P) * x) % P;
  if (vx2 !== u) {
    if (vx2 !== mod(-u)) return 'not-on-curve';
    x = (x * SQRT_M1) % P;
  }
  if (x === 0n && sign === 1) return 'non-canonical';
  // The sign of x does not change the point's order, so it need not be applied.
  return hasSmallOrder(x, y) ? 'small-order' : null;
}
