import { auditEvents, consortium, type DatabaseHandle } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendAuditEvent } from './append.ts';
import { verifyAuditChain } from './verify.ts';

async function appendMany(handle: DatabaseHandle, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await handle.db.transaction(async (tx) => {
      await appendAuditEvent(tx, { action: 'admin.token_created', actor: 'cli', payload: { label: `token ${i}` } });
    });
  }
}

for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`audit chain on ${target.kind}`, () => {
    let handle: DatabaseHandle;
    beforeEach(async () => {
      handle = await target.create();
    });
    afterEach(async () => {
      await handle.close();
    });

    it('verifies an untouched chain', async () => {
      await appendMany(handle, 5);
      const result = await verifyAuditChain(handle.db, { pageSize: 2 });
      expect(result).toMatchObject({ ok: true, count: 5, firstBreak: null });
    });

    it('detects an edited event and names it', async () => {
      await appendMany(handle, 5);
      await handle.db.execute(sql`update audit_events set payload = '{"label":"forged"}'::jsonb where seq = 3`);
      const result = await verifyAuditChain(handle.db);
      expect(result.ok).toBe(false);
      expect(result.firstBreak).toMatchObject({ seq: 3 });
      expect(result.firstBreak?.reason).toMatch(/modified/);
    });

    it('detects a deleted event', async () => {
      await appendMany(handle, 5);
      await handle.db.delete(auditEvents).where(eq(auditEvents.seq, 2));
      const result = await verifyAuditChain(handle.db);
      expect(result.firstBreak).toMatchObject({ seq: 2 });
      expect(result.firstBreak?.reason).toMatch(/missing/);
    });

    it('detects reordered events (contents swapped between positions)', async () => {
      await appendMany(handle, 5);
      await handle.db.execute(sql`update audit_events set seq = -2 where seq = 2`);
      await handle.db.execute(sql`update audit_events set seq = 2 where seq = 4`);
      await handle.db.execute(sql`update audit_events set seq = 4 where seq = -2`);
      const result = await verifyAuditChain(handle.db);
      expect(result.ok).toBe(false);
      expect(result.firstBreak?.seq).toBe(2);
    });

    it('detects events removed from the end', async () => {
      await appendMany(handle, 4);
      await handle.db.delete(auditEvents).where(eq(auditEvents.seq, 4));
      const result = await verifyAuditChain(handle.db);
      expect(result.ok).toBe(false);
      expect(result.firstBreak?.reason).toMatch(/head/);
    });

    it('writes nothing when the recorded change rolls back', async () => {
      await expect(
        handle.db.transaction(async (tx) => {
          await tx.insert(consortium).values({ name: 'rolled back' });
          await appendAuditEvent(tx, { action: 'consortium.initialized', actor: 'hub', payload: { name: 'rolled back' } });
          throw new Error('boom');
        }),
      ).rejects.toThrow('boom');
      expect(await handle.db.select().from(auditEvents)).toHaveLength(0);
      expect((await verifyAuditChain(handle.db)).ok).toBe(true);
    });

    it('keeps one gapless chain under concurrent appends', async () => {
      await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          handle.db.transaction(async (tx) => {
            await appendAuditEvent(tx, { action: 'admin.token_created', actor: 'cli', payload: { label: `c${i}` } });
          }),
        ),
      );
      const result = await verifyAuditChain(handle.db);
      expect(result).toMatchObject({ ok: true, count: 12 });
    });

    it('rejects a payload that does not match its action', async () => {
      await expect(
        handle.db.transaction((tx) =>
          // @ts-expect-error: the payload is wrong on purpose
          appendAuditEvent(tx, { action: 'round.failed', actor: 'hub', payload: { index: 'x' } }),
        ),
      ).rejects.toThrow(/round\.failed/);
    });
  });
}
