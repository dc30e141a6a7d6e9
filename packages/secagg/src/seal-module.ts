import { readFile } from 'node:fs/promises';
import { AppError, ErrorCode, describeError } from '@consilium/errors';
import type { MainModule } from 'node-seal';
import { wasm } from './wasm-api.ts';
import type { WasmException, WasmInstance, WasmMemory } from './wasm-api.ts';

/** The node-seal (SEAL 4.1, "throws" build) module: raw embind classes. */
export type SealModule = MainModule;

/** The node-seal release this package is written against (package.json pins it exactly). */
export const NODE_SEAL_VERSION = '7.0.0';

/**
 * The (minified) names under which node-seal 7.0.0's seal_throws.wasm exports Emscripten's stack
 * pointer accessors; its glue (seal_throws.js) reads them as
 * `_emscripten_stack_get_current=wasmExports["$"]` and `__emscripten_stack_restore=wasmExports["Z"]`.
 * Another node-seal build may rename them: checkSealUnwinding then refuses to load SEAL.
 */
export const SEAL_STACK_EXPORTS = { stackGetCurrent: '$', stackRestore: 'Z' } as const;

/**
 * What callSeal needs to undo what a C++ exception leaves behind when it escapes to JavaScript: the
 * frames between the throw and the JS boundary are never unwound, so Emscripten's stack pointer stays
 * lower (about 16 bytes per exception; the 64 KiB stack is gone after ~3 800 of them), and nothing
 * frees the exception object (~150 bytes of heap).
 */
export interface SealUnwinder {
  /** Emscripten's stack pointer (emscripten_stack_get_current). */
  stackPointer(): number;
  /** Sets Emscripten's stack pointer back to what stackPointer() returned (_emscripten_stack_restore). */
  restoreStackPointer(pointer: number): void;
  /** The tag C++ exceptions are thrown with (the module's only exported WebAssembly.Tag). */
  readonly exceptionTag: object;
  /**
   * Frees the C++ exception object behind a WebAssembly.Exception thrown with exceptionTag (node-seal's
   * decrementExceptionRefcount). Its JS `message` stays readable; node-seal's getExceptionMessage on
   * it afterwards would read freed memory. Call it once per exception.
   */
  releaseException(exception: WasmException): void;
}

let loading: Promise<SealModule> | undefined;
let heap: WasmMemory | undefined;
let unwinder: SealUnwinder | undefined;

/**
 * The SEAL module, loaded once per process (about 50 ms). Throws INTERNAL with the Node version when
 * the WebAssembly cannot be loaded: node-seal 7 needs Node 22 or newer (exception-handling opcodes);
 * and INTERNAL naming node-seal 7.0.0 when the module lacks what callSeal needs to recover from
 * SEAL's exceptions (checkSealUnwinding), rather than leaking WASM stack on every refusal. Context
 * creation awaits this, so such a node-seal fails there.
 */
export async function loadSeal(): Promise<SealModule> {
  loading ??= instantiateSeal().then(
    (loaded) => {
      heap = loaded.memory;
      unwinder = loaded.unwinder;
      return loaded.seal;
    },
    (error: unknown) => {
      // A failed load is not cached: the next call tries again.
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/**
 * Bytes of SEAL's WebAssembly heap (it grows, never shrinks, up to 4 GB), or undefined before
 * loadSeal has resolved. A heap that keeps growing under a steady load means SEAL objects leak.
 */
export function sealHeapBytes(): number | undefined {
  return heap?.buffer.byteLength;
}

/**
 * The unwinder of the SEAL module loadSeal loaded, or undefined before it has resolved (no SEAL
 * object, hence no SEAL exception, exists then).
 */
export function sealUnwinder(): SealUnwinder | undefined {
  return unwinder;
}

/** A node-seal instance with the parts of its WebAssembly instance this package uses. */
export interface LoadedSeal {
  readonly seal: SealModule;
  readonly memory: WasmMemory;
  readonly unwinder: SealUnwinder;
}

/**
 * Instantiates node-seal, by default from the WebAssembly binary of its "throws" build, keeping a
 * handle on its linear memory and on the stack-pointer exports callSeal needs (node-seal exposes
 * neither). Exported for tests; use loadSeal.
 */
export async function instantiateSeal(wasmUrl?: URL): Promise<LoadedSeal> {
  const { seal, memory, exports } = await instantiateModule(wasmUrl);
  return { seal, memory, unwinder: checkSealUnwinding(seal, exports) };
}

async function instantiateModule(wasmUrl?: URL): Promise<{ seal: SealModule; memory: WasmMemory; exports: Record<string, unknown> }> {
  try {
    const { default: initialize } = await import('node-seal');
    wasmUrl ??= new URL('seal_throws.wasm', import.meta.resolve('node-seal'));
    const compiled = await wasm.compile(await readFile(wasmUrl));
    let memory: WasmMemory | undefined;
    let exports: Record<string, unknown> = {};
    // Emscripten never rejects its promise when a custom instantiateWasm fails, so a failure is
    // raced against it instead of leaving the caller waiting forever.
    let failInstantiation: (reason: unknown) => void = () => undefined;
    const instantiationFailed = new Promise<never>((_, reject) => {
      failInstantiation = reject;
    });
    const ready = initialize({
      instantiateWasm(imports: object, done: (instance: WasmInstance, module: object) => void): object {
        void wasm
          .instantiate(compiled, imports)
          .then((instance) => {
            exports = instance.exports;
            memory = Object.values(instance.exports).find((value): value is WasmMemory => value instanceof wasm.Memory);
            done(instance, compiled);
          })
          .catch(failInstantiation);
        return {};
      },
    });
    const seal = await Promise.race([ready, instantiationFailed]);
    if (memory === undefined) throw new Error('the SEAL WebAssembly module exports no memory');
    return { seal, memory, exports };
  } catch (error) {
    throw new AppError(
      ErrorCode.INTERNAL,
      `Could not load the SEAL WebAssembly module (${wasmUrl?.href ?? 'node-seal'}) on Node ${process.version}: ${describeError(error)}. node-seal 7 needs Node 22 or newer.`,
      { details: { nodeVersion: process.version, wasmUrl: wasmUrl?.href }, cause: error },
    );
  }
}

/**
 * The unwinder of a node-seal instance whose WebAssembly exports are `exports`. Throws INTERNAL,
 * naming the node-seal version this package assumes, when they are not node-seal 7.0.0's: without
 * them every exception SEAL throws would leak WASM stack and heap until SEAL breaks for good.
 *
 * The names are minified, so this checks what they do, not just that they exist: setting the stack
 * pointer through one and reading it back through the other must agree.
 */
export function checkSealUnwinding(seal: object, exports: Readonly<Record<string, unknown>>): SealUnwinder {
  const fail = (problem: string): AppError =>
    new AppError(
      ErrorCode.INTERNAL,
      `node-seal does not look like node-seal ${NODE_SEAL_VERSION}: ${problem}. @consilium/secagg needs its WebAssembly exports ` +
        `"${SEAL_STACK_EXPORTS.stackGetCurrent}" (emscripten_stack_get_current) and "${SEAL_STACK_EXPORTS.stackRestore}" (_emscripten_stack_restore), ` +
        `its C++ exception tag and its decrementExceptionRefcount to recover from SEAL's exceptions, which otherwise leak WebAssembly stack until SEAL breaks; ` +
        `install node-seal ${NODE_SEAL_VERSION} or update SEAL_STACK_EXPORTS in seal-module.ts (see the glue's assignWasmExports)`,
      { details: { assumedNodeSealVersion: NODE_SEAL_VERSION, stackExports: SEAL_STACK_EXPORTS } },
    );
  const get = exports[SEAL_STACK_EXPORTS.stackGetCurrent];
  const restore = exports[SEAL_STACK_EXPORTS.stackRestore];
  const decrement = (seal as { decrementExceptionRefcount?: unknown }).decrementExceptionRefcount;
  // A WebAssembly function's length is its parameter count.
  if (typeof get !== 'function' || get.length !== 0) throw fail(`its WebAssembly module exports no 0-parameter function "${SEAL_STACK_EXPORTS.stackGetCurrent}"`);
  if (typeof restore !== 'function' || restore.length !== 1) throw fail(`its WebAssembly module exports no 1-parameter function "${SEAL_STACK_EXPORTS.stackRestore}"`);
  if (typeof decrement !== 'function') throw fail('its module has no decrementExceptionRefcount');
  const tags = Object.values(exports).filter((value) => value instanceof wasm.Tag);
  if (tags.length !== 1) throw fail(`its WebAssembly module exports ${tags.length} exception tags, not the one of C++ exceptions`);
  const exceptionTag = tags[0]!;
  const stackPointer = get as () => number;
  const restoreStackPointer = restore as (pointer: number) => void;
  const pointer = stackPointer();
  if (!Number.isSafeInteger(pointer) || pointer <= 16 || pointer % 16 !== 0) {
    throw fail(`"${SEAL_STACK_EXPORTS.stackGetCurrent}" returned ${String(pointer)}, not a stack pointer`);
  }
  restoreStackPointer(pointer - 16);
  const moved = stackPointer();
  restoreStackPointer(pointer);
  if (moved !== pointer - 16 || stackPointer() !== pointer) {
    throw fail(`"${SEAL_STACK_EXPORTS.stackRestore}" does not set what "${SEAL_STACK_EXPORTS.stackGetCurrent}" reads`);
  }
  const release = decrement as (exception: WasmException) => void;
  return { stackPointer, restoreStackPointer, exceptionTag, releaseException: (exception) => release.call(seal, exception) };
}
