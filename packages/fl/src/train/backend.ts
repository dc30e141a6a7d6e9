/**
 * Chooses the TensorFlow.js compute backend at run time.
 *
 * Native backends (@tensorflow/tfjs-node, @tensorflow/tfjs-node-gpu) are optional: a site may
 * install one next to the agent and it is then picked by 'auto'. Caveat: a native package registers
 * its 'tensorflow' backend with the @tensorflow/tfjs copy it resolves. Unless its version matches
 * this package's @tensorflow/tfjs (4.22.0), npm installs a second copy, the backend lands in that
 * copy's engine and ours never sees it; initBackend detects this and refuses the backend rather
 * than silently training on another engine.
 */
import { AppError, describeError, ErrorCode } from '@consilium/errors';
import type { TrainingBackend } from '@consilium/schemas';
import * as tf from '@tensorflow/tfjs';

interface BackendSource {
  /** Package whose import registers the backend (cpu ships inside @tensorflow/tfjs). */
  module: string | null;
  /** Name the backend is registered under in the tfjs engine. */
  tfName: string;
}

const SOURCES: Record<TrainingBackend, BackendSource> = {
  'tensorflow-gpu': { module: '@tensorflow/tfjs-node-gpu', tfName: 'tensorflow' },
  tensorflow: { module: '@tensorflow/tfjs-node', tfName: 'tensorflow' },
  wasm: { module: '@tensorflow/tfjs-backend-wasm', tfName: 'wasm' },
  cpu: { module: null, tfName: 'cpu' },
};

/** Order 'auto' tries, fastest first. */
const AUTO_ORDER: readonly TrainingBackend[] = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

let active: TrainingBackend | null = null;
/** Which native package registered 'tensorflow': the CPU and GPU builds share that name. */
let nativeLoaded: TrainingBackend | null = null;
/** Serialises calls, so concurrent callers never race on the engine's global backend. */
let queue: Promise<unknown> = Promise.resolve();

/**
 * Makes `preference` the tfjs backend and resolves to the one in use. 'auto' keeps an already
 * active backend, otherwise takes the first that loads of tensorflow-gpu, tensorflow, wasm, cpu.
 * An explicit backend that cannot be loaded rejects with INVALID_INPUT and leaves the active
 * backend unchanged. Repeated calls are cheap: nothing is reloaded.
 */
export function initBackend(preference: 'auto' | TrainingBackend): Promise<TrainingBackend> {
  const result = queue.then(() => resolveBackend(preference));
  queue = result.catch(() => undefined);
  return result;
}

async function resolveBackend(preference: 'auto' | TrainingBackend): Promise<TrainingBackend> {
  if (active !== null && (preference === 'auto' || preference === active)) return active;
  if (preference !== 'auto') {
    await activate(preference);
    return preference;
  }
  const failures: Record<string, string> = {};
  for (const candidate of AUTO_ORDER) {
    try {
      await activate(candidate);
      return candidate;
    } catch (error) {
      failures[candidate] = describeError(error);
    }
  }
  throw new AppError(ErrorCode.INTERNAL, 'No TensorFlow.js backend could be initialised', { details: failures });
}

async function activate(backend: TrainingBackend): Promise<void> {
  const source = SOURCES[backend];
  if (source.tfName === 'tensorflow' && nativeLoaded !== null && nativeLoaded !== backend)
    throw unavailable(backend, `${SOURCES[nativeLoaded].module} is already loaded in this process`);
  if (source.module !== null) {
    try {
      // A variable specifier: the native packages are optional and absent at type-check time.
      const specifier: string = source.module;
      await import(specifier);
    } catch (error) {
      throw unavailable(backend, `${source.module} could not be loaded (is it installed?)`, error);
    }
  }
  if (tf.findBackendFactory(source.tfName) === null)
    throw unavailable(
      backend,
      `${source.module} loaded but registered no '${source.tfName}' backend with @tensorflow/tfjs ${tf.version.tfjs}; install the same version`,
    );
  if (source.tfName === 'tensorflow') nativeLoaded = backend;
  if (!(await tf.setBackend(source.tfName))) throw unavailable(backend, `the '${source.tfName}' backend failed to initialise`);
  await tf.ready();
  active = backend;
}

function unavailable(backend: TrainingBackend, why: string, cause?: unknown): AppError {
  return new AppError(ErrorCode.INVALID_INPUT, `Training backend '${backend}' is not available: ${why}`, {
    details: { backend },
    cause,
  });
}
