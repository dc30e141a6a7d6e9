/**
 * Wakes long-polling agents when something they may be waiting for has changed (a round sealed, a
 * ceremony stage completed, a round opened). Transport layers call `notify()` after a mutation has
 * committed; `wait()` resolves at the next notification or after `ms`, whichever comes first. It is
 * per process: with several hub replicas an agent long-polling one replica learns of another's
 * changes at its next re-check (`wait`'s timeout), so correctness never depends on it.
 */
export class ChangeFeed {
  #waiters = new Set<() => void>();

  notify(): void {
    const waiters = this.#waiters;
    this.#waiters = new Set();
    for (const wake of waiters) wake();
  }

  wait(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.#waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
