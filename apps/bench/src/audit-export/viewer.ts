import { auditEventsPage, type AuditExportFilter } from '@consilium/audit';
import { createDatabase, type Executor } from '@consilium/db';
import { seededStudyId } from './seed.ts';

/** One timed viewer query: the median of a few runs after a warm-up (the first query pays for caches). */
export interface ViewerFigure {
  name: string;
  /** Events on the page. */
  events: number;
  median_ms: number;
  max_ms: number;
}

export interface ViewerWalk {
  filter: AuditExportFilter;
  page_size: number;
  pages: number;
  events: number;
  seconds: number;
  mean_page_ms: number;
}

export interface ViewerFigures {
  page_size: number;
  pages: ViewerFigure[];
  walk: ViewerWalk;
}

const RUNS = 5;
const VIEW_PAGE = 50;
const WALK_PAGE = 200;

/**
 * What the portal's audit viewer (`audit.events`) costs on the filled log: single keyset pages
 * (newest, and deep in the log with a cursor) for the filters a compliance officer uses, and a walk
 * of every page of one study's events. In the bench's own process: these are latencies, not memory.
 */
export async function measureViewer(location: { url?: string; pgliteDir?: string }, events: number): Promise<ViewerFigures> {
  const handle = await createDatabase(location.url ? { url: location.url, poolSize: 1 } : { dataDir: location.pgliteDir });
  try {
    const db = handle.db;
    const study = seededStudyId(0);
    const middle = Math.floor(events / 2);
    // The seeded log has one event a second from 2025-01-01: a day in the middle of it.
    const day = new Date(Date.parse('2025-01-01T00:00:00.000Z') + Math.floor(middle / 86_400) * 86_400_000);
    const range = { from: day.toISOString(), to: new Date(day.getTime() + 86_400_000).toISOString() };
    const cases: Array<[string, AuditExportFilter, { before?: number }]> = [
      ['newest page, no filter', {}, {}],
      ['newest page, one study (10 %)', { studyId: study }, {}],
      ['newest page, one action (round.opened, 1 %)', { action: 'round.opened' }, {}],
      ['newest page, actor hub (2 %, no index)', { actor: 'hub' }, {}],
      ['newest page, one day', range, {}],
      ['page at the middle (cursor), one study', { studyId: study }, { before: middle }],
      ['page at the middle (cursor), one action', { action: 'round.opened' }, { before: middle }],
    ];
    const pages: ViewerFigure[] = [];
    for (const [name, filter, cursor] of cases) pages.push(await timePage(db, name, filter, cursor));
    return { page_size: VIEW_PAGE, pages, walk: await walk(db, { studyId: study }) };
  } finally {
    await handle.close();
  }
}

async function timePage(db: Executor, name: string, filter: AuditExportFilter, cursor: { before?: number }): Promise<ViewerFigure> {
  await auditEventsPage(db, filter, { ...cursor, limit: VIEW_PAGE });
  const times: number[] = [];
  let count = 0;
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    count = (await auditEventsPage(db, filter, { ...cursor, limit: VIEW_PAGE })).events.length;
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { name, events: count, median_ms: times[Math.floor(RUNS / 2)]!, max_ms: times[RUNS - 1]! };
}

/** Every page of the filter, Older from the newest, as a viewer clicking through would read them. */
async function walk(db: Executor, filter: AuditExportFilter): Promise<ViewerWalk> {
  const started = performance.now();
  let pages = 0;
  let events = 0;
  let before: number | undefined;
  for (;;) {
    const page = await auditEventsPage(db, filter, { before, limit: WALK_PAGE });
    pages += 1;
    events += page.events.length;
    if (page.olderCursor === null) break;
    before = page.olderCursor;
  }
  const seconds = (performance.now() - started) / 1000;
  return { filter, page_size: WALK_PAGE, pages, events, seconds, mean_page_ms: (seconds * 1000) / pages };
}
