import { chmod, mkdir, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createSiteRateLimiter } from '@consilium/api';
import { createDatabase, type DatabaseHandle } from '@consilium/db';
import { advanceDeadlines, ChangeFeed, createBootstrapAdminToken, DEFAULT_LIMITS, ensureConsortium, HubCrypto, timingDummyHash, type DomainContext, type HubLimits } from '@consilium/domain';
import { sql } from 'drizzle-orm';
import pino, { type Logger } from 'pino';
import { createHubMetrics } from './http/metrics.ts';
import { createHttpServer, type HubServer, type TlsCredentials } from './http/server.ts';
import { loadOrCreateHubSigningKey, type HubSigningKey } from './hub-signing-key.ts';
import { checkTransport } from './transport-security.ts';

export interface HubOptions {
  /** PostgreSQL connection string; without it the hub uses embedded PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  /** Where the hub keeps local files (PGlite data, the bootstrap admin token, the signing key). */
  dataDir: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  consortiumName?: string;
  limits?: Partial<HubLimits>;
  /** How often deadlines are enforced. */
  tickIntervalMs?: number;
  logger?: Logger;
  now?: () => Date;
  /** Reverse proxies (and the portal's server) whose X-Forwarded-For names the client's address. */
  trustedProxies?: readonly string[];
  /** Origins besides the hub's own whose cookie-authenticated changes are accepted (the portal's). */
  allowedOrigins?: readonly string[];
  /** Certificate chain and private key (PEM): the hub serves HTTPS. */
  tls?: TlsCredentials;
  /**
   * Serve plain HTTP on a non-loopback `host` (a TLS-terminating proxy or ingress sits in front).
   * Without it, or `tls`, start() refuses such a host (transport-security.ts).
   */
  allowPlainHttp?: boolean;
}

export interface StartedHub {
  url: string;
  /** Set when this start created the first administrator token and wrote it here (mode 0600). */
  adminTokenFile: string | null;
  database: { kind: string; location: string };
}

export interface Hub {
  start(): Promise<StartedHub>;
  stop(): Promise<void>;
  /** Replaces the certificate and key of a hub serving HTTPS (new connections use them). */
  reloadTls(tls: TlsCredentials): void;
  /** The domain context (for tests and embedding). Available after start(). */
  readonly domain: DomainContext;
}

/** Builds a hub. Nothing happens until `start()`: open and migrate the database, listen, run deadlines. */
export function createHub(options: HubOptions): Hub {
  const logger = options.logger ?? pino({ name: 'consilium-hub' });
  const now = options.now ?? (() => new Date());
  const crypto = new HubCrypto();
  let database: DatabaseHandle | null = null;
  let server: HubServer | null = null;
  let ticker: NodeJS.Timeout | null = null;
  let domain: DomainContext | null = null;

  async function start(): Promise<StartedHub> {
    checkTransport({ host: options.host ?? '127.0.0.1', tls: options.tls !== undefined, allowPlainHttp: options.allowPlainHttp ?? false });
    await mkdir(options.dataDir, { recursive: true });
    database = await createDatabase({ url: options.databaseUrl, dataDir: path.join(options.dataDir, 'pglite') });
    await database.migrate();
    const ctx: DomainContext = { db: database.db, crypto, limits: { ...DEFAULT_LIMITS, ...options.limits }, now, changes: new ChangeFeed() };
    domain = ctx;
    await ensureConsortium(ctx, options.consortiumName ?? 'Consilium consortium');
    // Made now, so that the first sign-in with an unknown e-mail costs what a known one does.
    await timingDummyHash();
    const adminTokenFile = await bootstrapAdminToken(ctx, options.dataDir);
    const signingKey = await loadSigningKey(options.dataDir, logger);

    server = createHttpServer({
      domain: ctx,
      logger,
      trustedProxies: options.trustedProxies ?? [],
      allowedOrigins: options.allowedOrigins ?? [],
      metrics: createHubMetrics(ctx.db),
      ...(signingKey === null ? {} : { hubSigningKeyPem: signingKey.privateKeyPem }),
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      // In this process's memory: each replica of the hub counts a site's requests on its own.
      siteRateLimiter: createSiteRateLimiter({ requests: ctx.limits.siteRequestsPerWindow, windowMs: ctx.limits.siteRateWindowMs }),
      isReady: async () => {
        await ctx.db.execute(sql`select 1`);
        return true;
      },
    });
    // Large uploads on slow hospital links: don't cut them off mid-body.
    server.requestTimeout = 15 * 60 * 1000;
    const srv = server;
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const address = srv.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `${options.tls ? 'https' : 'http'}://${host}:${address.port}`;
    startTicker(ctx);
    logger.info({ url, database: database.kind, location: database.location }, 'hub started');
    return { url, adminTokenFile, database: { kind: database.kind, location: database.location } };
  }

  function startTicker(ctx: DomainContext): void {
    let running = false;
    ticker = setInterval(() => {
      if (running) return;
      running = true;
      advanceDeadlines(ctx)
        .then((report) => {
          for (const problem of report.errors) logger.error(problem, 'deadline enforcement failed for one item');
          if (report.closed || report.failedRounds || report.failedStudies) {
            logger.info(report, 'deadlines enforced');
            ctx.changes?.notify();
          }
        })
        .catch((error: unknown) => logger.error({ err: error }, 'deadline check failed'))
        .finally(() => {
          running = false;
        });
    }, options.tickIntervalMs ?? 1000);
    ticker.unref();
  }

  async function stop(): Promise<void> {
    if (ticker) clearInterval(ticker);
    ticker = null;
    if (server) {
      const srv = server;
      server = null;
      await new Promise<void>((resolve) => {
        srv.close(() => resolve());
        srv.closeAllConnections();
      });
    }
    if (database) {
      const db = database;
      database = null;
      await db.close();
    }
    await crypto.dispose();
    logger.info('hub stopped');
  }

  function reloadTls(tls: TlsCredentials): void {
    if (!server || !('setSecureContext' in server)) throw new Error('The hub is not serving HTTPS');
    server.setSecureContext({ cert: tls.cert, key: tls.key });
  }

  return {
    start,
    stop,
    reloadTls,
    get domain() {
      if (!domain) throw new Error('The hub has not been started');
      return domain;
    },
  };
}

/**
 * The hub's signing key (hub-signing-key.ts: created in the data directory on first use, as for
 * audit exports), which signs the ownership statements the API issues. A key file the hub may not
 * use (readable by others, not a key) is logged and the hub runs without it: training does not
 * depend on it, and the API refuses statements until it is fixed.
 */
async function loadSigningKey(dataDir: string, logger: Logger): Promise<HubSigningKey | null> {
  try {
    const key = await loadOrCreateHubSigningKey(dataDir);
    logger.info({ fingerprint: key.fingerprint, file: key.file, created: key.created }, 'hub signing key loaded');
    return key;
  } catch (error) {
    logger.error({ err: error }, 'hub signing key unusable: ownership statements cannot be signed until it is fixed');
    return null;
  }
}

/**
 * On the very first start there is no administrator: create a token and leave it in the data
 * directory, readable by the hub's user only, for the admin CLI (and the person running it).
 * With several replicas starting at once, only one creates it (and has the file).
 */
async function bootstrapAdminToken(ctx: DomainContext, dataDir: string): Promise<string | null> {
  const created = await createBootstrapAdminToken(ctx);
  if (created === null) return null;
  const { token } = created;
  const file = path.join(dataDir, 'admin-token');
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}
