import { AppError, ErrorCode } from '@consilium/errors';
import type { ComprModeType } from 'node-seal';
import { sealUnwinder } from './seal-module.ts';
import type { SealModule, SealUnwinder } from './seal-module.ts';
import { wasm } from './wasm-api.ts';

/**
 * Calls into SEAL with its C++ exceptions turned into AppErrors.
 *
 * SEAL's errors surface as `WebAssembly.Exception`s whose `message` node-seal fills with
 * [type, what()] (e.g. ['std::invalid_argument', 'insufficient size']). `code` says whose fault a
 * failure is (INVALID_CIPHERTEXT when SEAL refuses untrusted bytes, INTERNAL when it refuses what
 * this package built); running out of WASM memory is always INTERNAL.
 *
 * An exception that escapes to JavaScript leaves Emscripten's stack pointer where the throw was and
 * its C++ exception object allocated; after a few thousand, SEAL breaks for good. So whatever `fn`
 * throws, the stack pointer is set back to what it was before the call, and a SEAL exception's
 * object is freed once its message is read (the AppError keeps the exception as `cause`, whose
 * `message` stays readable). Only the module loadSeal loaded is unwound.
 */
export function callSeal<T>(code: ErrorCode, action: string, fn: () => T): T {
  const unwinder = sealUnwinder();
  const stackPointer = unwinder?.stackPointer();
  try {
    return fn();
  } catch (error) {
    if (unwinder !== undefined && stackPointer !== undefined) unwinder.restoreStackPointer(stackPointer);
    if (error instanceof AppError) throw error;
    const reason = sealErrorText(error);
    if (unwinder !== undefined) releaseSealException(unwinder, error);
    const outOfMemory = reason.includes('bad_alloc') || error instanceof RangeError;
    throw new AppError(
      outOfMemory ? ErrorCode.INTERNAL : code,
      `${action} failed in SEAL: ${outOfMemory ? `out of WebAssembly memory (${reason})` : reason}`,
      { details: { sealError: reason }, cause: error },
    );
  }
}

/** WebAssembly.Exceptions whose C++ object has been freed: a second release would free it twice. */
const released = new WeakSet<object>();

/** Frees the C++ object of a C++ exception (other errors own nothing in the WASM heap), once. */
function releaseSealException(unwinder: SealUnwinder, error: unknown): void {
  if (!(error instanceof wasm.Exception) || !error.is(unwinder.exceptionTag) || released.has(error)) return;
  released.add(error);
  unwinder.releaseException(error);
}

/**
 * `bytes` as SEAL's loadFromArray takes them: node-seal refuses every Uint8Array subclass (a Node
 * Buffer included) with "expected Uint8Array", so SEAL is handed a plain Uint8Array viewing the same
 * memory (a view, not a copy; made every time, so nothing an object says about its own class
 * matters). Everything that gives bytes to SEAL goes through this.
 */
export function sealBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A one-line description of anything SEAL (or embind) threw. */
export function sealErrorText(error: unknown): string {
  if (error instanceof wasm.Exception || error instanceof Error) {
    const message: unknown = (error as { message?: unknown }).message;
    if (Array.isArray(message)) return message.map(String).join(': ');
    if (typeof message === 'string') return message;
  }
  return String(error);
}

/** Anything SEAL allocates: it lives in the WASM heap until deleted (no garbage collection). */
export interface SealHandle {
  delete(): void;
  isDeleted(): boolean;
}

/** Collects SEAL handles so they are deleted together, whatever happens in between. */
export class SealScope {
  readonly #handles: SealHandle[] = [];

  /** Registers `handle` for deletion and returns it. */
  add<T extends SealHandle>(handle: T): T {
    this.#handles.push(handle);
    return handle;
  }

  /** Deletes every registered handle, newest first. */
  dispose(): void {
    for (const handle of this.#handles.splice(0).reverse()) if (!handle.isDeleted()) handle.delete();
  }
}

/** Runs `fn` with a scope whose handles are deleted when it returns or throws. */
export function withSealScope<T>(fn: (scope: SealScope) => T): T {
  const scope = new SealScope();
  try {
    return fn(scope);
  } finally {
    scope.dispose();
  }
}

/** Serialized bytes (uncompressed) of a SEAL object. */
export function saveUncompressed(seal: SealModule, object: { saveToArray(mode: ComprModeType): unknown }): Uint8Array {
  const bytes = callSeal(ErrorCode.INTERNAL, 'Serializing a SEAL object', () => object.saveToArray(seal.ComprModeType.none));
  if (!(bytes instanceof Uint8Array)) throw new AppError(ErrorCode.INTERNAL, 'SEAL serialization returned no bytes');
  return bytes;
}
