import type { DatabaseHandle } from '@consilium/db';
import type { TestDatabaseTarget } from '@consilium/db/testing';
import { DEFAULT_LIMITS, type DomainContext, type HubLimits } from '../context.ts';
import { HubCrypto } from '../crypto.ts';
import { TestClock } from './clock.ts';

/** A hub's domain over a fresh test database, with a clock the test controls. */
export interface TestHub {
  readonly handle: DatabaseHandle;
  readonly ctx: DomainContext;
  readonly clock: TestClock;
  /** Frees the CKKS contexts and drops the database. */
  close(): Promise<void>;
}

/** Builds a DomainContext on a fresh, migrated database of `target` (PGlite or PostgreSQL). */
export async function createTestHub(target: TestDatabaseTarget, options: { limits?: Partial<HubLimits> } = {}): Promise<TestHub> {
  const handle = await target.create();
  const clock = new TestClock();
  const crypto = new HubCrypto();
  const ctx: DomainContext = { db: handle.db, crypto, limits: { ...DEFAULT_LIMITS, ...options.limits }, now: clock.now };
  return {
    handle,
    ctx,
    clock,
    close: async () => {
      await crypto.dispose();
      await handle.close();
    },
  };
}
