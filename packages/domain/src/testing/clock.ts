/**
 * A clock tests move by hand, so deadlines and request freshness can be exercised without waiting.
 * It starts at a fixed instant (not the wall clock) so that runs are reproducible.
 */
export class TestClock {
  #ms: number;

  constructor(start: Date = new Date('2030-01-01T00:00:00.000Z')) {
    this.#ms = start.getTime();
  }

  /** The current instant; pass as `DomainContext.now`. */
  readonly now = (): Date => new Date(this.#ms);

  /** Milliseconds since the epoch, for signing requests at the hub's time. */
  ms(): number {
    return this.#ms;
  }

  /** Moves the clock forward (or back, with a negative delta). */
  advance(ms: number): void {
    this.#ms += ms;
  }

  /** Moves the clock just past `instant` (1 ms after it). */
  passTo(instant: Date): void {
    this.#ms = Math.max(this.#ms, instant.getTime() + 1);
  }
}
