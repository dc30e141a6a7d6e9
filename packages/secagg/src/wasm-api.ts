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

/** An exception thrown by WebAssembly code (or by JS for it), carrying values under a tag. */
export interface WasmException {
  /** Whether it was thrown with `tag`. */
  is(tag: object): boolean;
  /** Its `index`th value; throws a TypeError unless it was thrown with `tag`. */
  getArg(tag: object, index: number): unknown;
}

interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  instantiate(module: object, imports: object): Promise<WasmInstance>;
  Memory: abstract new (...args: never[]) => WasmMemory;
  Exception: abstract new (...args: never[]) => WasmException;
  /** An exception tag (what C++ exceptions are thrown with, in Emscripten's WebAssembly EH). */
  Tag: abstract new (...args: never[]) => object;
  Module: { exports(module: object): readonly { readonly name: string; readonly kind: string }[] };
}

/** The runtime's WebAssembly namespace. */
export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
