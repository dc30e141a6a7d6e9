import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createDatabase } from './client.ts';
import { consortium, roundChunks, rounds, studies } from './schema.ts';
import { testDatabaseTargets } from './testing.ts';

for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`database on ${target.kind}`, () => {
    it('migrates and round-trips bytea and jsonb exactly', async () => {
      const handle = await target.create();
      try {
        const bytes = new Uint8Array(70_000).map((_, i) => (i * 7919) % 256);
        const [study] = await handle.db.insert(studies).values({ name: 'bytea check', spec: { nested: { a: [1, 2.5] } } }).returning();
        const [round] = await handle.db
          .insert(rounds)
          .values({ studyId: study!.id, index: 0, kind: 'stats', status: 'open', participants: ['x'], encoding: {}, deadlineAt: new Date() })
          .returning();
        await handle.db.insert(roundChunks).values({ roundId: round!.id, chunkIndex: 0, accumulator: bytes });
        const [row] = await handle.db.select().from(roundChunks).where(eq(roundChunks.roundId, round!.id));
        expect(row!.accumulator).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(row!.accumulator).equals(Buffer.from(bytes))).toBe(true);
        const [back] = await handle.db.select().from(studies).where(eq(studies.id, study!.id));
        expect(back!.spec).toEqual({ nested: { a: [1, 2.5] } });
      } finally {
        await handle.close();
      }
    });

    it('migrating twice is harmless', async () => {
      const handle = await target.create();
      try {
        await handle.migrate();
        expect(await handle.db.select().from(consortium)).toEqual([]);
      } finally {
        await handle.close();
      }
    });
  });
}

describe('embedded PGlite in a data directory', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'consilium-db-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps data across a close and reopen (a hub restart)', async () => {
    const first = await createDatabase({ dataDir: dir });
    await first.migrate();
    await first.db.insert(consortium).values({ name: 'Restart Consortium' });
    await first.close();

    const second = await createDatabase({ dataDir: dir });
    await second.migrate();
    const rows = await second.db.select().from(consortium);
    await second.close();
    expect(rows.map((r) => r.name)).toEqual(['Restart Consortium']);
  });
});

describe('PostgreSQL connection errors', () => {
  it('names the server it could not reach, without the password', async () => {
    await expect(createDatabase({ url: 'postgres://u:secret@127.0.0.1:1/nope' })).rejects.toThrow(/127\.0\.0\.1:1.*/);
    await expect(createDatabase({ url: 'postgres://u:secret@127.0.0.1:1/nope' })).rejects.not.toThrow(/secret/);
  });
});
