import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHubClient } from '@consilium/api/client';
import { describe, expect, it } from 'vitest';
import { adminClientOf } from '../orchestrator/hub-client.ts';
import { startHubProcess } from '../orchestrator/hub-process.ts';
import { DEMO_ADMIN, ensureDemoAdmin } from './admin-account.ts';

describe('ensureDemoAdmin (a real hub process, twice on the same data directory)', () => {
  it('creates the administrator once, with a one-time password that signs in; the next run finds it and shows no password', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'consilium-demo-admin-'));
    const dataDir = path.join(dir, 'hub');

    const first = await startHubProcess({ dataDir, logFile: path.join(dir, 'hub-1.log') });
    let created;
    try {
      created = await ensureDemoAdmin(adminClientOf(first));
      expect(created).toMatchObject({ status: 'created', email: DEMO_ADMIN.email });
      if (created.status !== 'created') throw new Error('expected a new account');
      // The one-time password signs in, and the hub wants it changed.
      const login = await createHubClient({ url: first.url }).auth.login.mutate({ email: DEMO_ADMIN.email, password: created.oneTimePassword });
      expect(login.token).toEqual(expect.any(String));
      // Asked again while the same hub runs: the same account, no new password.
      expect(await ensureDemoAdmin(adminClientOf(first))).toEqual({ status: 'existing', email: DEMO_ADMIN.email, passwordChangeRequired: true, disabled: false });
    } finally {
      await first.stop();
    }

    const second = await startHubProcess({ dataDir, logFile: path.join(dir, 'hub-2.log') });
    try {
      expect(await ensureDemoAdmin(adminClientOf(second))).toEqual({ status: 'existing', email: DEMO_ADMIN.email, passwordChangeRequired: true, disabled: false });
      const users = await adminClientOf(second).users.list.query();
      expect(users.filter((u) => u.email === DEMO_ADMIN.email)).toHaveLength(1);
    } finally {
      await second.stop();
    }
  }, 120_000);
});
