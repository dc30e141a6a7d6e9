import type { TestDatabaseTarget } from '@consilium/db/testing';
import { afterAll, beforeAll } from 'vitest';
import { ChangeFeed } from '../changes.ts';
import type { HubLimits } from '../context.ts';
import { HubCrypto } from '../crypto.ts';
import { createTestHub, type TestHub } from './test-hub.ts';
import { domainTransport, type HubTransport } from './transport.ts';

/** What a describe block of domain tests works with; readable once its beforeAll hook has run. */
export interface DomainHarness {
  readonly hub: TestHub;
  /** The simulated sites' own SEAL contexts (sites never share the hub's). */
  readonly siteCrypto: HubCrypto;
  readonly transport: HubTransport;
}

/**
 * Registers the usual hooks of a describe block: a hub on a fresh database of `target` before its
 * tests, the sites' crypto and the in-memory transport; all freed after them. With `changeFeed`,
 * the hub's context wakes long polls as the HTTP hub does.
 */
export function useDomainHarness(target: TestDatabaseTarget, options: { limits?: Partial<HubLimits>; changeFeed?: boolean } = {}): DomainHarness {
  let state: { hub: TestHub; siteCrypto: HubCrypto; transport: HubTransport } | undefined;
  const ready = () => {
    if (!state) throw new Error('the domain harness is used before its beforeAll hook ran');
    return state;
  };
  beforeAll(async () => {
    const hub = await createTestHub(target, options.limits ? { limits: options.limits } : {});
    if (options.changeFeed) hub.ctx.changes = new ChangeFeed();
    state = { hub, siteCrypto: new HubCrypto(), transport: domainTransport(hub.ctx) };
  }, 60_000);
  afterAll(async () => {
    await state?.siteCrypto.dispose();
    await state?.hub.close();
  });
  return {
    get hub() {
      return ready().hub;
    },
    get siteCrypto() {
      return ready().siteCrypto;
    },
    get transport() {
      return ready().transport;
    },
  };
}
