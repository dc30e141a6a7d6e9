import { randomUUID } from 'node:crypto';
import { auditEvents, auditHead, type DatabaseHandle } from '@consilium/db';
import { testDatabaseTargets } from '@consilium/db/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from './events.ts';
import { auditEventsPage, auditEventsPageSql, type AuditEventsPageOptions } from './events-page.ts';
import { parseAuditExportFilter, type AuditExportFilter } from './export-filter.ts';
import { GENESIS_HASH, hashAuditRecord } from './hash.ts';
import { verifyAuditChain } from './verify.ts';

/**
 * The viewer's keyset pages over a log of 100,000 events. No timing is asserted here (machines
 * differ; apps/bench's audit-export bench measures it): the tests check that paging Older then
 * Newer visits every matching event exactly once, in order, and — on PostgreSQL, whose planner
 * statistics are those of a real server — that a filtered page is answered from an index.
 */
const N = 100_000;
const studies = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
/** A study with 100 events among the 100,000: a selective filter, which the planner answers from (study_id, seq). */
const rareStudy = randomUUID();
/** A person with 99 events among the 100,000: answered from (actor, seq). */
const RARE_ACTOR = `user:${randomUUID()}`;
const sites = [randomUUID(), randomUUID(), randomUUID(), randomUUID(), randomUUID()];
const actions = ['round.update_accepted', 'round.opened', 'round.completed', 'site.enrolled', 'auth.login_succeeded', 'study.created', 'round.aggregated'];
const T0 = Date.parse('2025-01-01T00:00:00.000Z');

/** Event `seq` of the synthetic log: one a minute, studies, sites, actions and actors in different cycles. */
function syntheticEvent(seq: number, prevHash: string): AuditRecord {
  const unhashed = {
    seq,
    occurredAt: new Date(T0 + seq * 60_000),
    actor: seq % 1009 === 0 ? RARE_ACTOR : seq % 11 === 0 ? 'admin:ops' : seq % 5 === 0 ? 'hub' : `site:${sites[seq % sites.length]}`,
    action: actions[seq % actions.length]!,
    studyId: seq % 1000 === 0 ? rareStudy : studies[seq % studies.length]!,
    siteId: seq % 3 === 0 ? null : sites[seq % sites.length]!,
    roundId: null,
    payload: { n: seq },
    prevHash,
  };
  return { ...unhashed, hash: hashAuditRecord(unhashed) };
}

/**
 * Writes a valid 100,000-event chain in multi-row inserts (1,000 rows each), computing each hash
 * with `hashAuditRecord` as `appendAuditEvent` does, then the head: a real chain (verifyAuditChain
 * accepts it) without 100,000 transactions. The events' payloads do not follow the action
 * catalogue's schemas, which only `appendAuditEvent` checks.
 */
async function writeChain(handle: DatabaseHandle): Promise<AuditRecord[]> {
  const all: AuditRecord[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= N; seq++) {
    const record = syntheticEvent(seq, prev);
    all.push(record);
    prev = record.hash;
  }
  for (let i = 0; i < N; i += 1000) await handle.db.insert(auditEvents).values(all.slice(i, i + 1000));
  await handle.db.insert(auditHead).values({ id: 1, seq: N, hash: prev });
  await handle.db.execute(sql`ANALYZE audit_events`);
  return all;
}

const matching = (all: AuditRecord[], filter: AuditExportFilter) =>
  all.filter(
    (e) =>
      (filter.studyId === undefined || e.studyId === filter.studyId) &&
      (filter.siteId === undefined || e.siteId === filter.siteId) &&
      (filter.actor === undefined || e.actor === filter.actor) &&
      (filter.action === undefined || e.action === filter.action) &&
      (filter.from === undefined || e.occurredAt.getTime() >= Date.parse(filter.from)) &&
      (filter.to === undefined || e.occurredAt.getTime() < Date.parse(filter.to)),
  );

for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`audit log pages over ${N} events on ${target.kind}`, { timeout: 300_000 }, () => {
    let handle: DatabaseHandle;
    let all: AuditRecord[];

    beforeAll(async () => {
      handle = await target.create();
      all = await writeChain(handle);
    }, 300_000);
    afterAll(async () => {
      await handle?.close();
    });

    /** Pages Older from the newest event to the end, then Newer back to the top; returns both seq lists. */
    async function walk(filter: AuditExportFilter, limit: number): Promise<{ older: number[]; newer: number[]; pages: number }> {
      const older: number[] = [];
      let pages = 0;
      let options: AuditEventsPageOptions = { limit };
      let last = await auditEventsPage(handle.db, filter, options);
      for (;;) {
        pages += 1;
        expect(last.events.length).toBeLessThanOrEqual(limit);
        older.push(...last.events.map((e) => e.seq));
        if (last.olderCursor === null) break;
        expect(last.events).toHaveLength(limit);
        options = { before: last.olderCursor, limit };
        last = await auditEventsPage(handle.db, filter, options);
        expect(last.newerCursor).not.toBeNull();
      }
      // Back up: Newer from the oldest page's top.
      const newer: number[] = [...last.events.map((e) => e.seq)].reverse();
      while (last.newerCursor !== null) {
        last = await auditEventsPage(handle.db, filter, { after: last.newerCursor, limit });
        expect(last.olderCursor).not.toBeNull();
        newer.push(...[...last.events.map((e) => e.seq)].reverse());
      }
      return { older, newer, pages };
    }

    it('writes a chain that verifies', async () => {
      const verified = await verifyAuditChain(handle.db, { pageSize: 5000 });
      expect(verified).toMatchObject({ ok: true, count: N, firstBreak: null });
    });

    const filters: Array<[string, () => AuditExportFilter, number]> = [
      ['one study', () => parseAuditExportFilter({ studyId: studies[1] }), 200],
      ['a rare study', () => parseAuditExportFilter({ studyId: rareStudy }), 30],
      ['one action', () => parseAuditExportFilter({ action: 'site.enrolled' }), 200],
      ['a site, an action and a time range', () => parseAuditExportFilter({ siteId: sites[2], action: 'round.opened', from: '2025-01-10T00:00:00Z', to: '2025-02-20T00:00:00Z' }), 50],
      ['an actor', () => parseAuditExportFilter({ actor: 'admin:ops' }), 200],
      ['a rare actor', () => parseAuditExportFilter({ actor: RARE_ACTOR }), 20],
    ];
    for (const [name, filterOf, limit] of filters) {
      it(`visits every event of ${name} exactly once, newest first, Older then Newer`, async () => {
        const filter = filterOf();
        const expected = matching(all, filter).map((e) => e.seq).reverse();
        expect(expected.length).toBeGreaterThan(limit);
        const { older, newer, pages } = await walk(filter, limit);
        expect(older).toEqual(expected);
        expect(newer).toEqual([...expected].reverse());
        expect(pages).toBe(Math.ceil(expected.length / limit));
      });
    }

    it('pages the whole unfiltered log (100,000 events) exactly once', async () => {
      const { older, pages } = await walk({}, 1000);
      expect(pages).toBe(N / 1000);
      expect(older).toEqual(Array.from({ length: N }, (_, i) => N - i));
    });

    it('returns an empty page for a time range without events, and for a cursor past the end', async () => {
      expect(await auditEventsPage(handle.db, parseAuditExportFilter({ from: '2030-01-01' }), { limit: 50 })).toEqual({ events: [], olderCursor: null, newerCursor: null });
      const page = await auditEventsPage(handle.db, {}, { before: 1, limit: 50 });
      expect(page).toEqual({ events: [], olderCursor: null, newerCursor: 0 });
    });

    it('returns events as stored (hashes verify) with the newest first', async () => {
      const page = await auditEventsPage(handle.db, parseAuditExportFilter({ studyId: studies[1] }), { limit: 3 });
      expect(page.events.map((e) => e.seq)).toEqual([N - 3, N - 7, N - 11]);
      for (const event of page.events) expect(hashAuditRecord(event)).toBe(event.hash);
      expect(page.newerCursor).toBeNull();
    });

    /**
     * Every page is read from an index in seq order, never a scan-and-sort of the table: a selective
     * filter from its (column, seq) index, a broad one (a quarter of the log) by walking the primary
     * key backwards and stopping after n + 1 matches — the planner's choice, both bounded.
     */
    it.skipIf(target.kind !== 'postgres')('answers filtered pages from an index, never a full scan (EXPLAIN)', async () => {
      const cases: Array<[AuditExportFilter, string | null]> = [
        [{ studyId: rareStudy }, 'audit_events_study_idx'],
        [{ actor: RARE_ACTOR }, 'audit_events_actor_idx'],
        [{ studyId: studies[1]! }, null],
        [{ siteId: sites[3]! }, null],
        [{ action: 'site.enrolled' }, null],
        [parseAuditExportFilter({ siteId: sites[2], action: 'round.opened', from: '2025-01-10T00:00:00Z', to: '2025-02-20T00:00:00Z' }), null],
      ];
      for (const [filter, index] of cases) {
        for (const options of [{ limit: 50 }, { before: 50_000, limit: 50 }, { after: 50_000, limit: 50 }]) {
          const query = await auditEventsPageSql(handle.db, filter, options);
          expect(query).not.toBeNull();
          // Both drivers answer `{ rows }`; the handle's type is the union of theirs.
          const { rows } = (await handle.db.execute(sql`EXPLAIN ${query}`)) as { rows: Array<Record<string, unknown>> };
          const plan = rows.map((r) => String(r['QUERY PLAN'])).join('\n');
          const where = `${JSON.stringify(filter)} ${JSON.stringify(options)}:\n${plan}`;
          expect(plan, where).toMatch(/Index Scan/);
          // The planner may sort the few rows a selective bitmap index scan returns (its choice
          // depends on table statistics); what must never happen is reading the whole table.
          expect(plan, where).not.toMatch(/Seq Scan/);
          if (index) expect(plan, where).toContain(index);
        }
      }
    });
  });
}
