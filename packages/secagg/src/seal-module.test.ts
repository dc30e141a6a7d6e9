import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { AppError, ErrorCode } from '@consilium/errors';
import { describe, expect, it } from 'vitest';
import { expectAppError } from '../test/support.ts';
import { callSeal, sealErrorText, withSealScope } from './seal-call.ts';
import { instantiateSeal, loadSeal, sealHeapBytes } from './seal-module.ts';

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
});
