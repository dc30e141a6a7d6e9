import { AppError, ErrorCode } from '@consilium/errors';
import type { CKKSEncoder, ContextData, Evaluator, SEALContext } from 'node-seal';
import { createPackingObjects } from './complex-packing.ts';
import type { PackingObjects } from './complex-packing.ts';
import { checkCkksParameters, PRIME_BITS } from './parameters.ts';
import type { CkksParameters } from './parameters.ts';
import { toPrime } from './rns.ts';
import type { Prime, RnsLevel } from './rns.ts';
import { callSeal, SealScope, withSealScope } from './seal-call.ts';
import { loadSeal } from './seal-module.ts';
import type { SealModule } from './seal-module.ts';
import { ciphertextByteLength } from './serialization.ts';
import { shareByteLength } from './share-format.ts';

/**
 * A CKKS context for one study's parameters: the SEAL objects every operation needs, created once.
 * It owns WebAssembly memory: call dispose() when done (SEAL objects are never garbage collected).
 */
export interface CkksContext {
  readonly params: CkksParameters;
  /** Real values per ciphertext: N (two per CKKS slot, see complex-packing.ts). */
  readonly valuesPerChunk: number;
  /** Primes of the data level, where ciphertexts live. */
  readonly dataModuli: readonly bigint[];
  /** Primes of the key level: the data primes plus the special prime. */
  readonly keyModuli: readonly bigint[];
  /** Exact serialized size of one fresh (or summed) data-level ciphertext. */
  readonly ciphertextBytes: number;
  /** Exact serialized size of one decryption share (and of a sum of them). */
  readonly decryptionShareBytes: number;
  /** Frees the SEAL objects; the context is unusable afterwards. Idempotent. */
  dispose(): void;
}

/** What the operations need from a context; not exported from the package. */
export interface ContextInternals extends PackingObjects {
  readonly seal: SealModule;
  readonly context: SEALContext;
  readonly encoder: CKKSEncoder;
  readonly evaluator: Evaluator;
  /**
   * SEAL only transforms ciphertexts at data levels, and keys live at the key level. This context's
   * primes are the key-level primes plus one extra, so its first data level is exactly the main key
   * level (same parms_id) and its evaluator computes key-level NTTs.
   */
  readonly keyLevelContext: SEALContext;
  readonly keyLevelEvaluator: Evaluator;
  /**
   * Where site encryption happens. SEAL encrypts at the key level and then drops the special prime,
   * which costs twice the NTTs. With a single data prime, a context made of that prime alone has the
   * data level as its key level (same parms_id), so its Encryptor, given the collective key reduced
   * to the data prime, encrypts there directly: ciphertexts are byte-compatible and about twice as
   * fast. The price is fresh noise: e·u + e1·s has σ ≈ 240·√members per coefficient instead of the
   * ≈ 15·√members the modulus switch leaves, so smudging at σ = 2^20 floods it by ~11 bits, not ~15
   * (precision is unaffected: both are far below the smudging noise). With several data primes SEAL
   * insists on a special prime, and this is the main context.
   */
  readonly encryptionContext: SEALContext;
  readonly dataLevel: RnsLevel;
  readonly keyLevel: RnsLevel;
}

const registry = new WeakMap<CkksContext, ContextInternals>();

/** The SEAL objects behind `ctx`; throws INVALID_INPUT for a disposed or foreign context. */
export function internalsOf(ctx: CkksContext): ContextInternals {
  const internals = registry.get(ctx);
  if (internals === undefined) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'CKKS context is disposed or was not made by createCkksContext');
  }
  return internals;
}

/** The data and key levels of `ctx`: what serialization.ts and crp.ts take to check or build objects. */
export function rnsLevels(ctx: CkksContext): { readonly data: RnsLevel; readonly key: RnsLevel } {
  const { dataLevel, keyLevel } = internalsOf(ctx);
  return { data: dataLevel, key: keyLevel };
}

/**
 * Creates the CKKS context for `params`. Throws INVALID_INPUT when the parameters are malformed or
 * do not give 128-bit security (total prime bits above SEAL's bound for N), and INTERNAL when SEAL
 * cannot be loaded.
 */
export async function createCkksContext(params: CkksParameters): Promise<CkksContext> {
  const checked = checkCkksParameters(params);
  const seal = await loadSeal();
  const n = checked.polyModulusDegree;
  const bits = checked.coeffModulusBits;
  const totalBits = bits.reduce((sum, b) => sum + b, 0);
  const maxBits = seal.CoeffModulus.MaxBitCount(n, seal.SecLevelType.tc128);
  if (totalBits > maxBits) {
    throw new AppError(
      ErrorCode.INVALID_INPUT,
      `Invalid CKKS parameters: coeffModulusBits total ${totalBits} bits, above the ${maxBits} that N=${n} allows at 128-bit security`,
      { details: { totalBits, maxBits, polyModulusDegree: n } },
    );
  }
  const owned = new SealScope();
  try {
    const internals = withSealScope((scope) => {
      const parms = scope.add(new seal.EncryptionParameters(seal.SchemeType.ckks));
      parms.setPolyModulusDegree(n);
      const moduli = scope.add(
        callSeal(ErrorCode.INVALID_INPUT, `Choosing primes of ${bits.join(', ')} bits for N=${n}`, () =>
          seal.CoeffModulus.Create(n, Int32Array.from(bits)),
        ),
      );
      parms.setCoeffModulus(moduli);
      const context = owned.add(
        callSeal(ErrorCode.INVALID_INPUT, 'Creating the CKKS context', () => new seal.SEALContext(parms, true, seal.SecLevelType.tc128)),
      );
      if (!context.parametersSet() || !context.usingKeyswitching()) {
        throw new AppError(ErrorCode.INVALID_INPUT, `SEAL rejects CKKS parameters N=${n}, primes of ${bits.join(', ')} bits at 128-bit security`, {
          details: { polyModulusDegree: n, coeffModulusBits: bits },
        });
      }
      const dataLevel = levelOf(scope, scope.add(context.firstContextData()));
      const keyLevel = levelOf(scope, scope.add(context.keyContextData()));

      const helperParms = scope.add(new seal.EncryptionParameters(seal.SchemeType.ckks));
      helperParms.setPolyModulusDegree(n);
      const helperModuli = scope.add(new seal.VectorModulus());
      for (const prime of keyLevel.primes) helperModuli.push_back(scope.add(new seal.Modulus(prime.value)));
      // Any prime the main chain lacks will do; a bit size it does not use guarantees that.
      const extraBits = firstUnusedBitSize(bits);
      const extra = scope.add(seal.CoeffModulus.Create(n, Int32Array.from([extraBits])));
      helperModuli.push_back(scope.add(requireDefined(extra.get(0), 'extra prime')));
      helperParms.setCoeffModulus(helperModuli);
      const keyLevelContext = owned.add(
        callSeal(ErrorCode.INTERNAL, 'Creating the key-level helper context', () => new seal.SEALContext(helperParms, true, seal.SecLevelType.none)),
      );
      const helperLevel = levelOf(scope, scope.add(keyLevelContext.firstContextData()));
      if (helperLevel.parmsId.some((word, i) => word !== keyLevel.parmsId[i])) {
        throw new AppError(ErrorCode.INTERNAL, "key-level helper context's first level does not match the key level (SEAL changed how parms_id is hashed?)");
      }
      const encryptionContext = dataLevel.primes.length === 1 ? owned.add(dataOnlyContext(seal, scope, dataLevel)) : context;
      const core = {
        seal,
        context,
        encoder: owned.add(new seal.CKKSEncoder(context)),
        evaluator: owned.add(new seal.Evaluator(context)),
        keyLevelContext,
        keyLevelEvaluator: owned.add(new seal.Evaluator(keyLevelContext)),
        encryptionContext,
        dataLevel,
        keyLevel,
      };
      return { ...core, ...createPackingObjects(core, owned) };
    });
    const ctx: CkksContext = Object.freeze({
      params: checked,
      valuesPerChunk: 2 * internals.encoder.slotCount(),
      dataModuli: Object.freeze(internals.dataLevel.primes.map((p) => p.value)),
      keyModuli: Object.freeze(internals.keyLevel.primes.map((p) => p.value)),
      ciphertextBytes: ciphertextByteLength(internals.dataLevel),
      decryptionShareBytes: shareByteLength(internals.dataLevel),
      dispose(): void {
        registry.delete(ctx);
        owned.dispose();
      },
    });
    registry.set(ctx, internals);
    return ctx;
  } catch (error) {
    owned.dispose();
    throw error;
  }
}

/** A context of the single data prime: its key level is the main context's data level (see encryptionContext). */
function dataOnlyContext(seal: SealModule, scope: SealScope, dataLevel: RnsLevel): SEALContext {
  const parms = scope.add(new seal.EncryptionParameters(seal.SchemeType.ckks));
  parms.setPolyModulusDegree(dataLevel.polyModulusDegree);
  const moduli = scope.add(new seal.VectorModulus());
  for (const prime of dataLevel.primes) moduli.push_back(scope.add(new seal.Modulus(prime.value)));
  parms.setCoeffModulus(moduli);
  const context = callSeal(ErrorCode.INTERNAL, 'Creating the encryption context', () => new seal.SEALContext(parms, true, seal.SecLevelType.tc128));
  const level = levelOf(scope, scope.add(context.keyContextData()));
  if (!context.parametersSet() || level.parmsId.some((word, i) => word !== dataLevel.parmsId[i])) {
    context.delete();
    throw new AppError(ErrorCode.INTERNAL, "the encryption context's key level does not match the data level (SEAL changed how parms_id is hashed?)");
  }
  return context;
}

function requireDefined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new AppError(ErrorCode.INTERNAL, `SEAL returned no ${what}`);
  return value;
}

function firstUnusedBitSize(bits: readonly number[]): number {
  for (let b = 30; b <= PRIME_BITS.max; b++) if (!bits.includes(b)) return b;
  throw new AppError(ErrorCode.INTERNAL, 'no free prime bit size for the helper context');
}

/** The parms_id and primes of one level of a context. */
function levelOf(scope: SealScope, data: ContextData): RnsLevel {
  const parms = scope.add(data.parms());
  const moduli = scope.add(parms.coeffModulus());
  const primes: Prime[] = [];
  for (let i = 0; i < moduli.size(); i++) primes.push(toPrime(scope.add(requireDefined(moduli.get(i), `prime ${i}`)).value()));
  const parmsId = scope.add(data.parmsId());
  const words: unknown = parmsId.values();
  if (!(words instanceof BigUint64Array) || words.length !== 4) throw new AppError(ErrorCode.INTERNAL, 'SEAL returned a malformed parms_id');
  return Object.freeze({ polyModulusDegree: parms.polyModulusDegree(), parmsId: Object.freeze([...words]), primes: Object.freeze(primes) });
}
