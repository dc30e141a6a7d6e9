import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError, ErrorCode } from '@consilium/errors';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_PARAMS, expectAppError } from '../test/support.ts';
import { createCkksContext, internalsOf, rnsLevels } from './context.ts';
import type { CkksContext } from './context.ts';
import { expandCrp } from './crp.ts';
import type { RnsLevel } from './rns.ts';
import { callSeal, saveUncompressed, sealErrorText, withSealScope } from './seal-call.ts';
import { checkSealUnwinding, instantiateSeal, loadSeal, NODE_SEAL_VERSION, SEAL_STACK_EXPORTS, sealHeapBytes, sealUnwinder } from './seal-module.ts';
import type { SealUnwinder } from './seal-module.ts';
import {
  buildCiphertext,
  buildPlaintext,
  CIPHERTEXT_LAYOUT,
  parseCiphertext,
  parsePlaintext,
  parseSecretKey,
  PLAINTEXT_LAYOUT,
  SEAL_MAGIC,
  SEAL_VERSION,
} from './serialization.ts';
import { wasm } from './wasm-api.ts';
import type { WasmException } from './wasm-api.ts';
import { asBigUint64 } from './words.ts';

describe('loadSeal', () => {
  it('loads once and reports the heap size', async () => {
    const seal = await loadSeal();
    expect(await loadSeal()).toBe(seal);
    expect(sealHeapBytes()).toBeGreaterThanOrEqual(16 * 1024 * 1024);
  });

  it('turns a load failure into an INTERNAL AppError naming the Node version, without hanging', async () => {
    const missing = new URL('file:///nonexistent/seal_throws.wasm');
    const error = await instantiateSeal(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(ErrorCode.INTERNAL);
    expect((error as AppError).message).toMatch(new RegExp(`Node ${process.version}.*Node 22 or newer`));

    const directory = await mkdtemp(join(tmpdir(), 'secagg-'));
    const notWasm = join(directory, 'seal_throws.wasm');
    await writeFile(notWasm, 'not a wasm module');
    const compileError = await instantiateSeal(pathToFileURL(notWasm)).catch((e: unknown) => e);
    expect((compileError as AppError).code).toBe(ErrorCode.INTERNAL);
  });
});

describe('callSeal', () => {
  it("wraps SEAL's C++ exceptions with the caller's code and SEAL's text", async () => {
    const seal = await loadSeal();
    const error = withSealScope((scope) => {
      const parms = scope.add(new seal.EncryptionParameters(seal.SchemeType.ckks));
      return expectAppError(
        () => callSeal(ErrorCode.INVALID_CIPHERTEXT, 'Loading junk', () => parms.loadFromArray(new Uint8Array(10))),
        ErrorCode.INVALID_CIPHERTEXT,
        /^Loading junk failed in SEAL: std::/,
      );
    });
    expect(error.details?.sealError).toMatch(/^std::\w+: /);
    expect(error.cause).toBeDefined();
  });

  it('passes AppErrors through and reports memory exhaustion as INTERNAL', () => {
    const original = new AppError(ErrorCode.ENCODING_RANGE, 'mine');
    expect(() =>
      callSeal(ErrorCode.INVALID_CIPHERTEXT, 'x', () => {
        throw original;
      }),
    ).toThrow(original);
    expectAppError(
      () =>
        callSeal(ErrorCode.INVALID_CIPHERTEXT, 'Loading', () => {
          throw new RangeError('Array buffer allocation failed');
        }),
      ErrorCode.INTERNAL,
      /out of WebAssembly memory/,
    );
    expect(sealErrorText('plain')).toBe('plain');
  });

  /** `count` refusals by SEAL through callSeal, each with its WebAssembly.Exception (the cause). */
  async function refusals(count: number): Promise<{ unwinder: SealUnwinder; causes: WasmException[]; stackPointers: number[] }> {
    const seal = await loadSeal();
    const unwinder = sealUnwinder();
    if (unwinder === undefined) throw new Error('loadSeal left no unwinder');
    const causes: WasmException[] = [];
    const stackPointers: number[] = [];
    withSealScope((scope) => {
      const parms = scope.add(new seal.EncryptionParameters(seal.SchemeType.ckks));
      for (let i = 0; i < count; i++) {
        const before = unwinder.stackPointer();
        const error = expectAppError(
          () => callSeal(ErrorCode.INVALID_CIPHERTEXT, 'Loading junk', () => parms.loadFromArray(new Uint8Array(10))),
          ErrorCode.INVALID_CIPHERTEXT,
        );
        stackPointers.push(unwinder.stackPointer() - before);
        expect(error.cause).toBeInstanceOf(wasm.Exception);
        causes.push(error.cause as WasmException);
      }
    });
    return { unwinder, causes, stackPointers };
  }

  it("leaves Emscripten's stack pointer where it was after SEAL throws (each exception used to leak ~16 bytes of the 64 KiB stack)", async () => {
    const { stackPointers } = await refusals(20);
    expect(stackPointers).toEqual(Array.from({ length: 20 }, () => 0));
  });

  it("frees each C++ exception object: SEAL's next exception reuses its memory", async () => {
    const { unwinder, causes } = await refusals(50);
    // The payload of a C++ exception is the address of its object in the WASM heap. Objects that
    // were never freed would all be alive at once, at 50 distinct addresses.
    const addresses = new Set(causes.map((cause) => cause.getArg(unwinder.exceptionTag, 0)));
    expect(addresses.size).toBeLessThanOrEqual(3);
    // The message was read before the object was freed.
    expect(causes.every((cause) => Array.isArray((cause as unknown as { message: unknown }).message))).toBe(true);
  });
});

describe('node-seal is pinned to 7.0.0 (SEAL 4.1), whose layout serialization.ts implements', () => {
  const json = (url: URL): Record<string, unknown> => JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;

  it('package.json names an exact version, and the installed and locked node-seal are that version', () => {
    const dependencies = json(new URL('../package.json', import.meta.url)).dependencies as Record<string, string>;
    // No range: a caret would let a reinstall pick up a SEAL with another serialization.
    expect(dependencies['node-seal']).toBe('7.0.0');
    const installed = json(new URL('../package.json', import.meta.resolve('node-seal')));
    expect([installed.name, installed.version]).toEqual(['node-seal', '7.0.0']);
    const locked = (json(new URL('../../../package-lock.json', import.meta.url)).packages as Record<string, { version?: string; integrity?: string }>)['node_modules/node-seal'];
    expect(locked?.version).toBe('7.0.0');
    expect(locked?.integrity).toMatch(/^sha512-/);
    expect(NODE_SEAL_VERSION).toBe('7.0.0');
  });

  it("its WebAssembly exports the stack-pointer accessors callSeal uses under the minified names it assumes, and one exception tag", async () => {
    expect(SEAL_STACK_EXPORTS).toEqual({ stackGetCurrent: '$', stackRestore: 'Z' });
    // node-seal's Emscripten glue says which export is which.
    const glue = readFileSync(new URL('seal_throws.js', import.meta.resolve('node-seal')), 'utf8');
    expect(glue).toContain(`_emscripten_stack_get_current=wasmExports["${SEAL_STACK_EXPORTS.stackGetCurrent}"]`);
    expect(glue).toContain(`__emscripten_stack_restore=wasmExports["${SEAL_STACK_EXPORTS.stackRestore}"]`);
    expect(glue).toContain('Module["decrementExceptionRefcount"]=decrementExceptionRefcount');
    const compiled = await wasm.compile(readFileSync(new URL('seal_throws.wasm', import.meta.resolve('node-seal'))));
    const exports = wasm.Module.exports(compiled);
    expect(exports).toContainEqual({ name: SEAL_STACK_EXPORTS.stackGetCurrent, kind: 'function' });
    expect(exports).toContainEqual({ name: SEAL_STACK_EXPORTS.stackRestore, kind: 'function' });
    expect(exports.filter((e) => e.kind === 'tag')).toHaveLength(1);
    // And loading SEAL checked them: the unwinder is in place.
    await loadSeal();
    expect(sealUnwinder()?.stackPointer()).toBeGreaterThan(0);
  });
});

describe('checkSealUnwinding: a node-seal without what callSeal needs fails loudly at load, naming the version assumed', () => {
  /** A working stand-in for node-seal's exports: a stack pointer at 4096 and a C++ exception tag. */
  function fakeSeal(): { seal: object; exports: Record<string, unknown> } {
    let pointer = 4096;
    const Tag = (globalThis as unknown as { WebAssembly: { Tag: new (type: { parameters: string[] }) => object } }).WebAssembly.Tag;
    return {
      seal: { decrementExceptionRefcount: (): void => undefined },
      exports: {
        [SEAL_STACK_EXPORTS.stackGetCurrent]: (): number => pointer,
        [SEAL_STACK_EXPORTS.stackRestore]: (value: number): void => {
          pointer = value;
        },
        ca: new Tag({ parameters: ['i32'] }),
      },
    };
  }

  it('accepts exports that behave as node-seal 7.0.0 says', () => {
    const { seal, exports } = fakeSeal();
    const unwinder = checkSealUnwinding(seal, exports);
    expect(unwinder.stackPointer()).toBe(4096);
    unwinder.restoreStackPointer(2048);
    expect(unwinder.stackPointer()).toBe(2048);
  });

  it.each([
    ['no stack_get_current export', (f: ReturnType<typeof fakeSeal>) => delete f.exports[SEAL_STACK_EXPORTS.stackGetCurrent], /exports no 0-parameter function "\$"/],
    ['no stack_restore export', (f: ReturnType<typeof fakeSeal>) => delete f.exports[SEAL_STACK_EXPORTS.stackRestore], /exports no 1-parameter function "Z"/],
    ['a stack_restore that does not move the stack pointer', (f: ReturnType<typeof fakeSeal>) => (f.exports[SEAL_STACK_EXPORTS.stackRestore] = (_: number) => undefined), /"Z" does not set what "\$" reads/],
    ['a stack_get_current that returns no pointer', (f: ReturnType<typeof fakeSeal>) => (f.exports[SEAL_STACK_EXPORTS.stackGetCurrent] = () => undefined), /"\$" returned undefined/],
    ['no decrementExceptionRefcount', (f: ReturnType<typeof fakeSeal>) => (f.seal = {}), /no decrementExceptionRefcount/],
    ['no exception tag', (f: ReturnType<typeof fakeSeal>) => delete f.exports.ca, /exports 0 exception tags/],
  ] as const)('%s', (_, breakIt, problem) => {
    const fake = fakeSeal();
    breakIt(fake);
    const error = expectAppError(() => checkSealUnwinding(fake.seal, fake.exports), ErrorCode.INTERNAL, problem);
    expect(error.message).toMatch(/node-seal does not look like node-seal 7\.0\.0: .* leak WebAssembly stack/);
    expect(error.details).toMatchObject({ assumedNodeSealVersion: '7.0.0' });
  });
});

describe("SEAL's layout, as the parser and builder assume it", () => {
  let ctx: CkksContext;
  /** Two data primes ([40, 30]) and a special prime: tells prime blocks apart. */
  let multi: CkksContext;

  beforeAll(async () => {
    ctx = await createCkksContext(DEFAULT_PARAMS);
    multi = await createCkksContext({ polyModulusDegree: 4096, coeffModulusBits: [40, 30, 38], smudgingSigmaBits: 20 });
  });
  afterAll(() => {
    ctx?.dispose();
    multi?.dispose();
  });

  function header(bytes: Uint8Array, at = 0): { magic: number; headerSize: number; version: string; compression: number; reserved: number; size: bigint } {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return {
      magic: view.getUint16(at, true),
      headerSize: view.getUint8(at + 2),
      version: `${view.getUint8(at + 3)}.${view.getUint8(at + 4)}`,
      compression: view.getUint8(at + 5),
      reserved: view.getUint16(at + 6, true),
      size: view.getBigUint64(at + 8, true),
    };
  }

  function parmsIdAt(bytes: Uint8Array, at: number): bigint[] {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return [0, 1, 2, 3].map((i) => view.getBigUint64(at + 8 * i, true));
  }

  /** A fresh SEAL key pair and an encryption of `values`, all as SEAL writes them. */
  function sealObjects(c: CkksContext, values: Float64Array, scaleBits: number): { secretKey: Uint8Array; publicKey: Uint8Array; ciphertext: Uint8Array } {
    const { seal, context, encoder } = internalsOf(c);
    return withSealScope((scope) => {
      const generator = scope.add(new seal.KeyGenerator(context));
      const publicKey = scope.add(generator.createPublicKey());
      const plaintext = scope.add(new seal.Plaintext());
      encoder.encode(values, 2 ** scaleBits, plaintext);
      const ciphertext = scope.add(new seal.Ciphertext());
      scope.add(new seal.Encryptor(context, publicKey)).encrypt(plaintext, ciphertext);
      return {
        secretKey: saveUncompressed(seal, scope.add(generator.secretKey())),
        publicKey: saveUncompressed(seal, publicKey),
        ciphertext: saveUncompressed(seal, ciphertext),
      };
    });
  }

  it('every object SEAL writes starts with the 16-byte header: magic 0xA15E, version 4.1, no compression, its exact size', () => {
    const { secretKey, publicKey, ciphertext } = sealObjects(ctx, Float64Array.of(1, 2), 40);
    const { key } = rnsLevels(ctx);
    for (const [bytes, arrayHeader] of [
      [ciphertext, CIPHERTEXT_LAYOUT.arrayHeader],
      [publicKey, CIPHERTEXT_LAYOUT.arrayHeader],
      [secretKey, PLAINTEXT_LAYOUT.arrayHeader],
    ] as const) {
      const expected = { magic: SEAL_MAGIC, headerSize: 16, version: `${SEAL_VERSION.major}.${SEAL_VERSION.minor}`, compression: 0, reserved: 0 };
      expect(header(bytes)).toEqual({ ...expected, size: BigInt(bytes.length) });
      // The coefficient array is a SEAL object of its own, with its own header.
      expect(header(bytes, arrayHeader)).toEqual({ ...expected, size: BigInt(bytes.length - arrayHeader) });
    }
    expect(secretKey.length).toBe(PLAINTEXT_LAYOUT.data + 8 * key.primes.length * key.polyModulusDegree);
  });

  it("the compression byte is SEAL's ComprModeType (none 0, zlib 1, zstd 2), and the parser refuses the compressed ones by name", () => {
    const { seal, context } = internalsOf(ctx);
    const { data } = rnsLevels(ctx);
    const built = buildCiphertext(data, { nttForm: true, scale: 2 ** 40 }, seededWords(data, 2));
    const saved = withSealScope((scope) => {
      const ciphertext = scope.add(new seal.Ciphertext());
      ciphertext.loadFromArray(context, built);
      return (['none', 'zlib', 'zstd'] as const).map((mode) => ciphertext.saveToArray(seal.ComprModeType[mode]) as Uint8Array);
    });
    expect(saved.map((bytes) => bytes[5])).toEqual([0, 1, 2]);
    for (const [bytes, name] of [
      [saved[1]!, 'zlib'],
      [saved[2]!, 'zstd'],
    ] as const) {
      expectAppError(
        () => parseCiphertext(bytes, { what: 'ciphertext', level: data, nttForm: true, scaleBits: 40 }),
        ErrorCode.INVALID_CIPHERTEXT,
        new RegExp(`header.compr_mode is ${name}`),
      );
    }
  });

  it("parms_id is the level's: ciphertexts carry the first data level's, keys the key level's, a switched ciphertext the next level's", () => {
    const { seal, context, evaluator } = internalsOf(multi);
    const { data, key } = rnsLevels(multi);
    const { secretKey, publicKey, ciphertext } = sealObjects(multi, Float64Array.of(3), 30);
    const idOf = (parmsId: { values(): unknown; delete(): void }): bigint[] => {
      try {
        return [...(parmsId.values() as BigUint64Array)];
      } finally {
        parmsId.delete();
      }
    };
    expect(idOf(context.firstParmsId())).toEqual(data.parmsId);
    expect(idOf(context.keyParmsId())).toEqual(key.parmsId);
    expect(parmsIdAt(ciphertext, CIPHERTEXT_LAYOUT.parmsId)).toEqual(data.parmsId);
    expect(parmsIdAt(publicKey, CIPHERTEXT_LAYOUT.parmsId)).toEqual(key.parmsId);
    expect(parmsIdAt(secretKey, PLAINTEXT_LAYOUT.parmsId)).toEqual(key.parmsId);
    const switched = withSealScope((scope) => {
      const loaded = scope.add(new seal.Ciphertext());
      loaded.loadFromArray(context, ciphertext);
      evaluator.cipherModSwitchToNextInplace(loaded);
      return saveUncompressed(seal, loaded);
    });
    expect(idOf(context.lastParmsId())).toEqual(parmsIdAt(switched, CIPHERTEXT_LAYOUT.parmsId));
    expectAppError(() => parseCiphertext(switched, { what: 'ciphertext', level: data, nttForm: true, scaleBits: 'any' }), ErrorCode.INVALID_CIPHERTEXT, /parms_id/);
  });

  it('coefficients are u64s laid out polynomial × prime × N: decryption with s = 0 yields c0, with s = 1 yields c0 + c1 per prime block', () => {
    // NTT(1) is all ones, so with s = 1 SEAL's c0 + c1·s is the coefficientwise sum mod each prime.
    const { seal, context } = internalsOf(multi);
    const { data, key } = rnsLevels(multi);
    const n = data.polyModulusDegree;
    const words = seededWords(data, 2);
    const ciphertext = buildCiphertext(data, { nttForm: true, scale: 2 ** 30 }, words);
    const decryptWith = (constant: bigint): BigUint64Array => {
      const secret = new Uint32Array(2 * key.primes.length * n);
      asBigUint64(secret).fill(constant);
      return withSealScope((scope) => {
        const secretKey = scope.add(new seal.SecretKey());
        secretKey.loadFromArray(context, buildPlaintext(key, 1, secret));
        const loaded = scope.add(new seal.Ciphertext());
        loaded.loadFromArray(context, ciphertext);
        const plaintext = scope.add(new seal.Plaintext());
        scope.add(new seal.Decryptor(context, secretKey)).decrypt(loaded, plaintext);
        const bytes = saveUncompressed(seal, plaintext);
        return asBigUint64(parsePlaintext(bytes, { what: 'plaintext', level: data, scaleBits: 30 }).coefficients.slice());
      });
    };
    const c = asBigUint64(words.slice());
    const perPoly = data.primes.length * n;
    expect([...decryptWith(0n)]).toEqual([...c.subarray(0, perPoly)]);
    const expected = Array.from({ length: perPoly }, (_, i) => (c[i]! + c[perPoly + i]!) % data.primes[Math.floor(i / n)]!.value);
    expect([...decryptWith(1n)]).toEqual(expected);
  });

  it('is_ntt_form is what SEAL reports: keys and ciphertexts in NTT form, a secret key reads back as an NTT plaintext', () => {
    const { seal, context, keyLevelContext } = internalsOf(ctx);
    const { data } = rnsLevels(ctx);
    const { secretKey, publicKey, ciphertext } = sealObjects(ctx, Float64Array.of(5), 40);
    expect([publicKey[CIPHERTEXT_LAYOUT.nttForm], ciphertext[CIPHERTEXT_LAYOUT.nttForm]]).toEqual([1, 1]);
    withSealScope((scope) => {
      // SEAL holds no plaintexts at a pure key level; the helper context's data level is that level.
      const plaintext = scope.add(new seal.Plaintext());
      plaintext.loadFromArray(keyLevelContext, secretKey);
      expect(plaintext.isNttForm()).toBe(true);
      for (const nttForm of [true, false]) {
        const loaded = scope.add(new seal.Ciphertext());
        loaded.loadFromArray(context, buildCiphertext(data, { nttForm, scale: 2 ** 40 }, seededWords(data, 2)));
        // (node-seal 7.0.0's correctionFactor() returns the scale, a binding slip: that field is checked on the bytes below.)
        expect([loaded.isNttForm(), loaded.size(), loaded.coeffModulusSize(), loaded.polyModulusDegree(), loaded.scale()]).toEqual([
          nttForm,
          2,
          data.primes.length,
          data.polyModulusDegree,
          2 ** 40,
        ]);
      }
    });
    const view = new DataView(ciphertext.buffer, ciphertext.byteOffset);
    expect(view.getBigUint64(CIPHERTEXT_LAYOUT.correctionFactor, true)).toBe(1n);
  });

  it('a secret key parsed and rebuilt by this package loads in SEAL and decrypts what its public key encrypted', () => {
    const { seal, context, encoder } = internalsOf(ctx);
    const { key } = rnsLevels(ctx);
    const values = Float64Array.of(1.5, -2.25, 1000);
    const { secretKey, ciphertext } = sealObjects(ctx, values, 40);
    const rebuilt = buildPlaintext(key, 1, parseSecretKey(secretKey, key).coefficients);
    const decoded = withSealScope((scope) => {
      const sk = scope.add(new seal.SecretKey());
      sk.loadFromArray(context, rebuilt);
      const loaded = scope.add(new seal.Ciphertext());
      loaded.loadFromArray(context, ciphertext);
      const plaintext = scope.add(new seal.Plaintext());
      scope.add(new seal.Decryptor(context, sk)).decrypt(loaded, plaintext);
      return encoder.decodeFloat64(plaintext) as Float64Array;
    });
    values.forEach((v, i) => expect(decoded[i]).toBeCloseTo(v, 4));
  });

  it("SEAL seeds its PRNG from crypto.getRandomValues (node:crypto's CSPRNG), afresh for every key and every encryption", () => {
    const { seal, context, encoder } = internalsOf(ctx);
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
    try {
      withSealScope((scope) => {
        const generator = scope.add(new seal.KeyGenerator(context));
        const afterKey = spy.mock.calls.length;
        expect(afterKey).toBeGreaterThan(0);
        const encryptor = scope.add(new seal.Encryptor(context, scope.add(generator.createPublicKey())));
        const plaintext = scope.add(new seal.Plaintext());
        encoder.encode(Float64Array.of(1), 2 ** 40, plaintext);
        const ciphertext = scope.add(new seal.Ciphertext());
        const before = spy.mock.calls.length;
        encryptor.encrypt(plaintext, ciphertext);
        const first = saveUncompressed(seal, ciphertext);
        encryptor.encrypt(plaintext, ciphertext);
        expect(spy.mock.calls.length - before).toBeGreaterThanOrEqual(2);
        expect(saveUncompressed(seal, ciphertext)).not.toEqual(first);
      });
    } finally {
      spy.mockRestore();
    }
  });
});

/** `polys` polynomials of uniform reduced coefficients at `level` (the CRP expansion of a random seed per polynomial). */
function seededWords(level: RnsLevel, polys: number): Uint32Array {
  const size = 2 * level.primes.length * level.polyModulusDegree;
  const out = new Uint32Array(polys * size);
  for (let p = 0; p < polys; p++) out.set(expandCrp(level, new Uint8Array(randomBytes(32))), p * size);
  return out;
}
