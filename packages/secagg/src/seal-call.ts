import { AppError, ErrorCode } from '@consilium/errors';
import type { ComprModeType } from 'node-seal';
import type { SealModule } from './seal-module.ts';
import { wasm } from './wasm-api.ts';

/**
 * Calls into SEAL with its C++ exceptions turned into AppErrors.
 *
 * SEAL's errors surface as `WebAssembly.Exception`s whose `message` node-seal fills with
 * [type, what()] (e.g. ['std::invalid_argument', 'insufficient size']). `code` says whose fault a
 * failure is (INVALID_CIPHERTEXT when SEAL refuses untrusted bytes, INTERNAL when it refuses what
 * this package built); running out of WASM memory is always INTERNAL.
 */
export function callSeal<T>(code: ErrorCode, action: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof AppError) throw error;
    const reason = sealErrorText(error);
    const outOfMemory = reason.includes('bad_alloc') || error instanceof RangeError;
    throw new AppError(
      outOfMemory ? ErrorCode.INTERNAL : code,
      `${action} failed in SEAL: ${outOfMemory ? `out of WebAssembly memory (${reason})` : reason}`,
      { details: { sealError: reason }, cause: error },
    );
  }
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
