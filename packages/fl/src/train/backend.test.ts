import { AppError, ErrorCode } from '@consilium/errors';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from './backend.ts';

// One process-wide engine: these steps run in order and each builds on the previous one.
describe('initBackend', () => {
  it("picks wasm under 'auto' when no native TensorFlow package is installed", async () => {
    // Execute
    const [first, concurrent] = await Promise.all([initBackend('auto'), initBackend('auto')]);

    // Assert
    expect(first).toBe('wasm');
    expect(concurrent).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('rejects an explicit backend that cannot load, naming the package, and keeps the active one', async () => {
    // Execute
    const failure = await initBackend('tensorflow').catch((error: unknown) => error);

    // Assert
    expect(failure).toBeInstanceOf(AppError);
    expect((failure as AppError).code).toBe(ErrorCode.INVALID_INPUT);
    expect((failure as AppError).message).toMatch(/@tensorflow\/tfjs-node/);
    expect(tf.getBackend()).toBe('wasm');
    await expect(initBackend('auto')).resolves.toBe('wasm');
  });

  it("switches on an explicit request, after which 'auto' keeps the active backend", async () => {
    // Execute
    const switched = await initBackend('cpu');
    const auto = await initBackend('auto');

    // Assert
    expect(switched).toBe('cpu');
    expect(auto).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
