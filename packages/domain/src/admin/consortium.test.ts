import { adminTokens, auditEvents } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useDomainHarness } from '../testing/index.ts';
import { authenticateAdmin, createBootstrapAdminToken } from './consortium.ts';

for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`bootstrap admin token on ${target.kind}`, { timeout: 60_000 }, () => {
    const harness = useDomainHarness(target);
    const ctx = () => harness.hub.ctx;

    it('is created once even when several replicas start at once', async () => {
      const results = await Promise.all([1, 2, 3, 4].map(() => createBootstrapAdminToken(ctx())));

      const created = results.filter((r) => r !== null);
      expect(created).toHaveLength(1);
      expect(await ctx().db.select().from(adminTokens)).toHaveLength(1);
      expect(await authenticateAdmin(ctx(), created[0]!.token)).toEqual({ label: 'bootstrap' });
      expect(await ctx().db.select().from(auditEvents).where(eq(auditEvents.action, 'admin.token_created'))).toHaveLength(1);
      expect(await createBootstrapAdminToken(ctx())).toBeNull();
    });
  });
}
