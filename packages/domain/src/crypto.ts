import { createCkksContext, type CkksContext, type CkksParameters } from '@consilium/secagg';

/**
 * The hub's view of the cryptography: CKKS contexts (public parameters only; the hub never holds a
 * secret key), created once per parameter set and reused, since building one costs milliseconds
 * and SEAL objects must be freed explicitly.
 */
export class HubCrypto {
  readonly #contexts = new Map<string, Promise<CkksContext>>();

  /** The CKKS context for a study's parameters. */
  context(params: CkksParameters): Promise<CkksContext> {
    const key = JSON.stringify([params.polyModulusDegree, params.coeffModulusBits, params.smudgingSigmaBits]);
    let context = this.#contexts.get(key);
    if (!context) {
      context = createCkksContext(params);
      this.#contexts.set(key, context);
      // A failed creation must not be cached forever.
      context.catch(() => this.#contexts.delete(key));
    }
    return context;
  }

  /** Frees every SEAL object (hub shutdown). */
  async dispose(): Promise<void> {
    const contexts = [...this.#contexts.values()];
    this.#contexts.clear();
    for (const context of contexts) {
      try {
        (await context).dispose();
      } catch {
        // creation failed: nothing to free
      }
    }
  }
}
