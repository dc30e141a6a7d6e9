import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createDatabase } from './client.ts';
import { createScratchPostgres, postgresTestUrl } from './testing.ts';

const url = postgresTestUrl();

describe.skipIf(!url)('concurrent migrations on PostgreSQL', () => {
  it('three replicas migrating a fresh database at once apply each migration exactly once', async () => {
    const scratch = await createScratchPostgres(url ?? '', { migrate: false });
    try {
      // The scratch handle's pool is connected to the fresh database; reuse its URL for the replicas.
      const current = (await scratch.db.execute(sql`select current_database() as name`)) as { rows: Array<{ name: string }> };
      const name = current.rows[0]!.name;
      const replicaUrl = new URL(url ?? '');
      replicaUrl.pathname = `/${name}`;
      const replicas = await Promise.all([1, 2, 3].map(() => createDatabase({ url: replicaUrl.toString(), poolSize: 2 })));
      try {
        const results = await Promise.allSettled(replicas.map((replica) => replica.migrate()));
        expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
      } finally {
        await Promise.all(replicas.map((replica) => replica.close()));
      }
      const applied = (await scratch.db.execute(sql`select hash, count(*)::int as n from drizzle.__drizzle_migrations group by hash`)) as {
        rows: Array<{ hash: string; n: number }>;
      };
      const journal = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'drizzle', 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] };
      expect(applied.rows).toHaveLength(journal.entries.length);
      expect(applied.rows.every((row) => row.n === 1)).toBe(true);
      // And the lock was released: a later migrate does not wait on it.
      await scratch.migrate();
    } finally {
      await scratch.close();
    }
  });
});
