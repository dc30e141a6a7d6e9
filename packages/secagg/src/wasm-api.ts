/**
 * Node's `WebAssembly` global, typed to the few members this package uses.
 *
 * The shared tsconfig targets plain ES2024 without DOM typings, which is where TypeScript keeps its
 * WebAssembly declarations; declaring the handful we need here keeps that choice intact.
 */

/** A linear memory; its buffer grows (never shrinks) as SEAL allocates. */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

/** An instantiated module. */
export interface WasmInstance {
  readonly exports: Record<string, unknown>;
}

interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<WasmInstance>;
  Memory: abstract new (...args: never[]) => WasmMemory;
  Exception: abstract new (...args: never[]) => object;
}

/** The runtime's WebAssembly namespace. */
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
