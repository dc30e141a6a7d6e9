import { rounds, sites, studies, submissions, type Executor } from '@consilium/db';
import { count, sql, sum } from 'drizzle-orm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The hub's Prometheus metrics, served at /metrics. Two kinds:
 *  - per-replica traffic (requests, latency, bytes received), counted as requests are answered;
 *  - consortium state (studies, rounds and sites by status, submissions and their bytes), read from
 *    the database at scrape time, so every replica reports the same totals and a restart loses none.
 * One registry per hub (not prom-client's global one): tests run several hubs in one process.
 * Labels are bounded: routes are normalised (ids replaced), never raw paths.
 */
export interface HubMetrics {
  registry: Registry;
  /** Records one answered request. */
  observeRequest(request: { method: string; path: string; status: number; seconds: number; bodyBytes: number }): void;
}

export function createHubMetrics(db: Executor): HubMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'consilium_hub_' });

  const requests = new Counter({ name: 'consilium_http_requests_total', help: 'HTTP requests answered, by route, method and status', labelNames: ['route', 'method', 'status'], registers: [registry] });
  const latency = new Histogram({
    name: 'consilium_http_request_duration_seconds',
    help: 'Time to answer a request (long polls wait up to 20 s by design: watch them by route)',
    labelNames: ['route', 'method'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const received = new Counter({ name: 'consilium_http_received_bytes_total', help: 'Request body bytes received, by route', labelNames: ['route'], registers: [registry] });

  const byStatus = (name: string, help: string, read: () => Promise<Array<{ status: string; n: number }>>) =>
    new Gauge({
      name,
      help,
      labelNames: ['status'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await read()) this.set({ status: row.status }, Number(row.n));
      },
    });
  byStatus('consilium_studies', 'Studies by status', () => db.select({ status: studies.status, n: count() }).from(studies).groupBy(studies.status));
  byStatus('consilium_rounds', 'Rounds by status (failed rounds are retried)', () => db.select({ status: rounds.status, n: count() }).from(rounds).groupBy(rounds.status));
  byStatus('consilium_sites', 'Enrolled sites by status', () => db.select({ status: sites.status, n: count() }).from(sites).groupBy(sites.status));
  new Gauge({
    name: 'consilium_submissions',
    help: 'Accepted submissions (encrypted updates and statistics) over all rounds',
    registers: [registry],
    async collect() {
      const [row] = await db.select({ n: count() }).from(submissions);
      this.set(Number(row?.n ?? 0));
    },
  });
  new Gauge({
    name: 'consilium_submission_bytes',
    help: 'Bytes of all accepted submissions',
    registers: [registry],
    async collect() {
      const [row] = await db.select({ bytes: sum(submissions.payloadBytes) }).from(submissions);
      this.set(Number(row?.bytes ?? 0));
    },
  });
  new Gauge({
    name: 'consilium_sites_seen_last_5m',
    help: 'Active sites whose agent polled in the last 5 minutes',
    registers: [registry],
    async collect() {
      const [row] = await db
        .select({ n: count() })
        .from(sites)
        .where(sql`${sites.status} = 'active' and ${sites.lastSeenAt} > now() - interval '5 minutes'`);
      this.set(Number(row?.n ?? 0));
    },
  });

  return {
    registry,
    observeRequest({ method, path, status, seconds, bodyBytes }) {
      const route = routeOf(path);
      requests.inc({ route, method, status: String(status) });
      latency.observe({ route, method }, seconds);
      if (bodyBytes > 0) received.inc({ route }, bodyBytes);
    },
  };
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** A path as a bounded label: the tRPC procedure(s), or the binary route with ids as :id; anything else is "other". */
export function routeOf(path: string): string {
  const bare = path.split('?')[0] ?? '';
  if (bare.startsWith('/trpc/')) {
    const procedures = bare.slice('/trpc/'.length);
    // Batched calls name several procedures; only known-shaped names become labels.
    return /^[a-zA-Z]+\.[a-zA-Z]+(,[a-zA-Z]+\.[a-zA-Z]+)*$/.test(procedures) ? `/trpc/${procedures}` : '/trpc/other';
  }
  if (bare.startsWith('/v1/')) {
    const shape = bare.replace(UUID, ':id');
    return /^\/v1\/[a-z-]+\/:id(\/[a-z-]+)?$/.test(shape) ? shape : '/v1/other';
  }
  if (bare === '/healthz' || bare === '/readyz' || bare === '/metrics') return bare;
  return 'other';
}
