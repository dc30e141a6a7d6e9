import { readFile } from 'node:fs/promises';
import { AppError, ErrorCode, describeError } from '@consilium/errors';
import type { MainModule } from 'node-seal';
import { wasm } from './wasm-api.ts';
import type { WasmInstance, WasmMemory } from './wasm-api.ts';

/** The node-seal (SEAL 4.1, "throws" build) module: raw embind classes. */
export type SealModule = MainModule;

let loading: Promise<SealModule> | undefined;
let heap: WasmMemory | undefined;

/**
 * The SEAL module, loaded once per process (about 50 ms). Throws INTERNAL with the Node version when
 * the WebAssembly cannot be loaded: node-seal 7 needs Node 22 or newer (exception-handling opcodes).
 */
export async function loadSeal(): Promise<SealModule> {
  loading ??= instantiateSeal().then(
    (loaded) => {
      heap = loaded.memory;
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
 * Instantiates node-seal, by default from the WebAssembly binary of its "throws" build, keeping a
 * handle on its linear memory (node-seal does not expose it). Exported for tests; use loadSeal.
 */
export async function instantiateSeal(wasmUrl?: URL): Promise<{ seal: SealModule; memory: WasmMemory }> {
  try {
    const { default: initialize } = await import('node-seal');
    wasmUrl ??= new URL('seal_throws.wasm', import.meta.resolve('node-seal'));
    const compiled = await wasm.compile(await readFile(wasmUrl));
    let memory: WasmMemory | undefined;
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
            memory = Object.values(instance.exports).find((value): value is WasmMemory => value instanceof wasm.Memory);
            done(instance, compiled);
          })
          .catch(failInstantiation);
        return {};
      },
    });
    const seal = await Promise.race([ready, instantiationFailed]);
    if (memory === undefined) throw new Error('the SEAL WebAssembly module exports no memory');
    return { seal, memory };
  } catch (error) {
    throw new AppError(
      ErrorCode.INTERNAL,
      `Could not load the SEAL WebAssembly module (${wasmUrl?.href ?? 'node-seal'}) on Node ${process.version}: ${describeError(error)}. node-seal 7 needs Node 22 or newer.`,
      { details: { nodeVersion: process.version, wasmUrl: wasmUrl?.href }, cause: error },
    );
  }
}
