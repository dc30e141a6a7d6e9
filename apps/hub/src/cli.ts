import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { AUDIT_EXPORT_FORMATS, DEFAULT_EXPORT_PAGE_SIZE, parseAuditExportFilter, writeAuditExport, type AuditExportFormat } from '@consilium/audit';
import { buildOwnershipStatement, signOwnershipStatement } from '@consilium/contribution';
import { createDatabase, sites, type Database } from '@consilium/db';
import { DEFAULT_LIMITS, HubCrypto, ownershipStatementInput, type DomainContext } from '@consilium/domain';
import { AppError, describeError, ErrorCode } from '@consilium/errors';
import { Id, parseStudySpec } from '@consilium/schemas';
import { TRPCClientError } from '@trpc/client';
import { Command, Option } from 'commander';
import { eq } from 'drizzle-orm';
import pino from 'pino';
import { adminClient, resolveAdminToken } from './admin-client.ts';
import { createHub } from './create-hub.ts';
import { readEnv } from './env.ts';
import { formatStudyProgress } from './format-progress.ts';
import { loadOrCreateHubSigningKey } from './hub-signing-key.ts';
import { OWNERSHIP_STATEMENT_FILES, writeOwnershipStatementFiles } from './ownership-statement-files.ts';
import { readTlsFiles, TransportConfigError } from './transport-security.ts';

const env = readEnv();
const program = new Command('consilium-hub').description('Consilium consortium hub: runs studies and adds encrypted updates it cannot read.');

program
  .command('serve')
  .description('Run the hub (PostgreSQL when DATABASE_URL is set, else embedded PGlite in the data directory)')
  .option('--port <port>', 'port to listen on (0 = any free port)', String(env.CONSILIUM_PORT))
  .option('--host <host>', 'interface to listen on', env.CONSILIUM_HOST)
  .option('--data-dir <dir>', 'hub data directory', env.CONSILIUM_DATA_DIR)
  .option('--database-url <url>', 'PostgreSQL connection string', env.DATABASE_URL)
  .option('--consortium-name <name>', 'name of the consortium (first start only)', env.CONSILIUM_CONSORTIUM_NAME)
  .option('--tick-ms <ms>', 'deadline check interval', '1000')
  .option('--trusted-proxies <addresses>', 'comma-separated addresses of reverse proxies (the portal) whose X-Forwarded-For is believed, for sign-in rate limits', env.CONSILIUM_TRUSTED_PROXIES)
  .option('--allowed-origins <origins>', 'comma-separated browser origins (the portal) allowed to call the hub with a session cookie', env.CONSILIUM_ALLOWED_ORIGINS)
  .option('--tls-cert <pem file>', 'certificate (chain) to serve HTTPS with, PEM; with --tls-key', env.CONSILIUM_TLS_CERT)
  .option('--tls-key <pem file>', 'private key of --tls-cert, PEM', env.CONSILIUM_TLS_KEY)
  .option('--allow-plain-http', 'serve plain HTTP on a non-loopback --host: only when a TLS-terminating proxy or ingress sits in front', env.CONSILIUM_ALLOW_PLAIN_HTTP)
  .option('--site-rate-limit <requests>', 'signed requests per minute one site may make to this hub process (0 = no limit)', env.CONSILIUM_SITE_RATE_LIMIT === undefined ? undefined : String(env.CONSILIUM_SITE_RATE_LIMIT))
  .addHelpText(
    'after',
    `
Outside loopback (127.0.0.0/8, ::1, localhost) the hub serves HTTPS only: give it --tls-cert and
--tls-key, or --allow-plain-http when a TLS-terminating proxy or ingress sits in front of it.
Otherwise it exits with code 2. With a certificate, SIGHUP re-reads both files (certificate rotation).`,
  )
  .action(async (opts: ServeOpts) => {
    // Logs go to stderr; stdout carries only the machine-readable 'listening' line.
    const logger = pino({ name: 'consilium-hub', level: env.CONSILIUM_LOG_LEVEL }, pino.destination(2));
    const siteRateLimit = opts.siteRateLimit === undefined ? undefined : Number(opts.siteRateLimit);
    if (siteRateLimit !== undefined && !(Number.isSafeInteger(siteRateLimit) && siteRateLimit >= 0)) exitWithConfigError(`--site-rate-limit must be a whole number of requests per minute (0 = no limit), got "${opts.siteRateLimit}"`);
    const tls = await readTlsFiles(opts.tlsCert, opts.tlsKey).catch((error: unknown) => exitWithConfigError(error instanceof TransportConfigError ? error.message : describeError(error)));
    const hub = createHub({
      port: Number(opts.port),
      host: opts.host,
      dataDir: opts.dataDir,
      databaseUrl: opts.databaseUrl,
      consortiumName: opts.consortiumName,
      tickIntervalMs: Number(opts.tickMs),
      trustedProxies: listOption(opts.trustedProxies),
      allowedOrigins: listOption(opts.allowedOrigins),
      ...(tls === null ? {} : { tls }),
      allowPlainHttp: opts.allowPlainHttp ?? false,
      ...(siteRateLimit === undefined ? {} : { limits: { siteRequestsPerWindow: siteRateLimit, siteRateWindowMs: 60_000 } }),
      logger,
    });
    const started = await hub.start().catch((error: unknown) => {
      if (error instanceof TransportConfigError) exitWithConfigError(error.message);
      throw error;
    });
    // One machine-readable line for orchestrators, then a human one.
    process.stdout.write(`${JSON.stringify({ event: 'listening', url: started.url, database: started.database.kind, adminTokenFile: started.adminTokenFile })}\n`);
    if (started.adminTokenFile) process.stderr.write(`First start: administrator token written to ${started.adminTokenFile} (keep it secret).\n`);
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      hub.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error({ err: error }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    if (tls !== null) {
      // Certificate rotation: replace the files, then `kill -HUP` (or restart). New connections get the new pair.
      process.on('SIGHUP', () => {
        readTlsFiles(opts.tlsCert, opts.tlsKey).then(
          (renewed) => {
            hub.reloadTls(renewed!);
            logger.info({ cert: opts.tlsCert }, 'TLS certificate reloaded');
          },
          (error: unknown) => logger.error({ err: error }, 'TLS certificate not reloaded: the hub keeps serving the previous one'),
        );
      });
    }
  });

interface ServeOpts {
  port: string;
  host: string;
  dataDir: string;
  databaseUrl?: string;
  consortiumName: string;
  tickMs: string;
  trustedProxies?: string;
  allowedOrigins?: string;
  tlsCert?: string;
  tlsKey?: string;
  allowPlainHttp?: boolean;
  siteRateLimit?: string;
}

/** A configuration the hub will not start with: say why and exit with code 2 (as for usage errors). */
function exitWithConfigError(message: string): never {
  process.stderr.write(`consilium-hub: ${message}\n`);
  process.exit(2);
}

/** Options shared by the administrator commands, which talk to a running hub. */
function adminCommand(name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .option('--hub <url>', 'hub URL', env.CONSILIUM_HUB_URL ?? `http://127.0.0.1:${env.CONSILIUM_PORT}`)
    .option('--token <token>', 'administrator token (default: CONSILIUM_ADMIN_TOKEN, then <data-dir>/admin-token)', env.CONSILIUM_ADMIN_TOKEN)
    .option('--data-dir <dir>', 'hub data directory (to find the admin token)', env.CONSILIUM_DATA_DIR)
    .option('--json', 'print machine-readable JSON');
}

interface AdminOpts {
  hub: string;
  token?: string;
  dataDir: string;
  json?: boolean;
}

async function connect(opts: AdminOpts) {
  return adminClient({ hubUrl: opts.hub, token: await resolveAdminToken({ token: opts.token, dataDir: opts.dataDir }) });
}

adminCommand('study:create', 'Create a study from a JSON spec file and issue enrolment tokens')
  .argument('<spec>', 'path to the study spec (JSON)')
  .option('--invite <sites>', 'comma-separated site names to issue one-time enrolment tokens for')
  .action(async (specPath: string, opts: AdminOpts & { invite?: string }) => {
    const text = await readFile(specPath, 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new Error(`${specPath} is not valid JSON: ${(error as Error).message}`, { cause: error });
    }
    const spec = parseStudySpec(json); // errors name the bad field, before anything is sent
    const client = await connect(opts);
    const { studyId } = await client.studies.create.mutate({ spec });
    const tokens = [];
    for (const siteName of (opts.invite ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
      tokens.push(await client.studies.issueToken.mutate({ studyId, siteName }));
    }
    if (opts.json) return print({ studyId, tokens });
    print(`Created study "${spec.name}" (${studyId}).`);
    for (const t of tokens) print(`  enrolment token for ${t.siteName} (expires ${t.expiresAt}):\n    ${t.token}`);
  });

adminCommand('user:create', 'Create a person\'s account (the first consortium administrator, a study lead, a site admin, a compliance officer)')
  .requiredOption('--email <email>', 'their e-mail address (their sign-in name)')
  .requiredOption('--name <name>', 'their name as shown in the portal')
  .addOption(new Option('--role <role>', 'their role').choices(['consortium_admin', 'study_lead', 'site_admin', 'compliance_officer']).makeOptionMandatory())
  .option('--site <id>', 'the site a site_admin administers (site:list shows ids)')
  .addHelpText('after', '\nPrints a one-time password, once: hand it over through a channel you trust. Its owner must change it at first sign-in.')
  .action(async (opts: AdminOpts & { email: string; name: string; role: 'consortium_admin' | 'study_lead' | 'site_admin' | 'compliance_officer'; site?: string }) => {
    const client = await connect(opts);
    const created = await client.users.create.mutate({ email: opts.email, displayName: opts.name, role: opts.role, siteId: opts.site ?? null });
    if (opts.json) return print(created);
    print(`Created ${created.user.role} account for ${created.user.email} (${created.user.id}).`);
    print(`One-time password (shown once; to be changed at first sign-in):\n  ${created.oneTimePassword}`);
  });

adminCommand('token:issue', 'Issue a one-time enrolment token for a site to join a study')
  .requiredOption('--study <id>', 'study id')
  .requiredOption('--site <name>', 'site name')
  .option('--ttl-hours <hours>', 'token lifetime in hours', '168')
  .action(async (opts: AdminOpts & { study: string; site: string; ttlHours: string }) => {
    const client = await connect(opts);
    const issued = await client.studies.issueToken.mutate({ studyId: opts.study, siteName: opts.site, ttlHours: Number(opts.ttlHours) });
    print(opts.json ? issued : `Enrolment token for ${issued.siteName} (expires ${issued.expiresAt}):\n  ${issued.token}`);
  });

adminCommand('token:revoke', 'Revoke an unused enrolment token')
  .argument('<tokenId>', 'token id (printed when issued)')
  .action(async (tokenId: string, opts: AdminOpts) => {
    await (await connect(opts)).studies.revokeToken.mutate({ tokenId });
    print(opts.json ? { revoked: true } : 'Token revoked.');
  });

adminCommand('study:start', 'Start a study with the sites enrolled so far')
  .argument('<studyId>')
  .action(async (studyId: string, opts: AdminOpts) => {
    await (await connect(opts)).studies.start.mutate({ studyId });
    print(opts.json ? { started: true } : 'Study started.');
  });

adminCommand('study:rekey', 'Run a fresh key ceremony for a running encrypted study whose decryption committee changed')
  .argument('<studyId>')
  .requiredOption('--reason <text>', 'why (written to the audit log)')
  .addHelpText(
    'after',
    `
When to use it:
  - a committee member left the consortium: revoke the site first (site:revoke <name>), then
    re-key, so the new key is shared among the remaining active sites only and the departed
    site's key share opens nothing encrypted from now on;
  - a new site joined the study (enrolled with token:issue) and should hold a share of the key.
The new committee's agents run the ceremony on their next polls. A round in progress is stopped
(its updates were encrypted under the old key); training resumes from the latest global model
once every committee member has confirmed the new key.`,
  )
  .action(async (studyId: string, opts: AdminOpts & { reason: string }) => {
    const result = await (await connect(opts)).studies.rekey.mutate({ studyId, reason: opts.reason });
    if (opts.json) return print(result);
    print(`Re-keying started: key epoch ${result.epoch}, committee of ${result.committee.length} site(s), any ${result.threshold} of which can decrypt.`);
    print('Member sites take part on their next poll; follow progress with study:status.');
  });

adminCommand('study:list', 'List studies').action(async (opts: AdminOpts) => {
  const studies = await (await connect(opts)).studies.list.query();
  if (opts.json) return print(studies);
  if (studies.length === 0) return print('No studies yet.');
  for (const s of studies) print(`${s.id}  ${s.status.padEnd(10)} ${String(s.modelVersions).padStart(3)}/${s.plannedRounds} rounds  ${s.sites} sites  ${s.name}`);
});

adminCommand('study:status', 'Show a study\'s sites, rounds and metrics')
  .argument('<studyId>')
  .action(async (studyId: string, opts: AdminOpts) => {
    const progress = await (await connect(opts)).studies.progress.query({ studyId });
    print(opts.json ? progress : formatStudyProgress(progress));
  });

adminCommand('site:list', 'List the consortium\'s sites').action(async (opts: AdminOpts) => {
  const sites = await (await connect(opts)).sites.list.query();
  if (opts.json) return print(sites);
  if (sites.length === 0) return print('No sites yet.');
  for (const s of sites) print(`${s.name.padEnd(30)} ${s.status.padEnd(8)} key ${s.publicKeyFingerprint}  last seen ${s.lastSeenAt ?? 'never'}`);
});

adminCommand('site:uploads', 'What left a site: every encrypted update and partial decryption the hub accepted, with its size and SHA-256 (compare with consilium-agent log)')
  .requiredOption('--site <name>', 'site name')
  .option('--study <id>', 'only this study')
  .action(async (opts: AdminOpts & { site: string; study?: string }) => {
    const uploads = await (await connect(opts)).sites.uploads.query({ siteName: opts.site, studyId: opts.study });
    if (opts.json) return print(uploads);
    if (uploads.length === 0) return print(`Nothing from ${opts.site} has been accepted${opts.study ? ' in this study' : ''}.`);
    for (const u of uploads) print(`${u.receivedAt}  ${u.studyName}  round ${u.roundIndex}  ${u.kind.padEnd(16)}  ${String(u.bytes).padStart(10)} B  sha256 ${u.payloadSha256}`);
  });

adminCommand('site:revoke', 'Refuse a site\'s requests from now on (lost or stolen key, a hospital leaving)')
  .argument('<siteName>')
  .requiredOption('--reason <text>', 'why (written to the audit log)')
  .action(async (siteName: string, opts: AdminOpts & { reason: string }) => {
    await (await connect(opts)).sites.revoke.mutate({ siteName, reason: opts.reason });
    print(opts.json ? { revoked: true } : `Site "${siteName}" revoked.`);
  });

adminCommand('audit:verify', 'Verify the audit log\'s hash chain').action(async (opts: AdminOpts) => {
  const result = await (await connect(opts)).audit.verify.query();
  if (opts.json) return print(result);
  print(result.ok ? `Audit chain intact: ${result.count} events.` : `AUDIT CHAIN BROKEN at event ${result.firstBreak?.seq}: ${result.firstBreak?.reason}`);
  if (!result.ok) process.exitCode = 2;
});

/*
 * Applies the database migrations and exits, for a Kubernetes Job or an upgrade step ahead of a
 * rollout (`serve` also migrates on start). Migrations are serialised by a PostgreSQL advisory lock,
 * so this may run while replicas start; they find the schema current and go on.
 */
program
  .command('migrate')
  .description('Apply the database migrations and exit (serve also applies them on start)')
  .option('--data-dir <dir>', 'hub data directory (embedded database)', env.CONSILIUM_DATA_DIR)
  .option('--database-url <url>', 'PostgreSQL connection string (default: the embedded database in the data directory)', env.DATABASE_URL)
  .option('--hub <url>', 'address of the hub, checked so that its embedded database is not opened under it', env.CONSILIUM_HUB_URL ?? `http://127.0.0.1:${env.CONSILIUM_PORT}`)
  .action(async (opts: { dataDir: string; databaseUrl?: string; hub: string }) => {
    const database = await openHubDatabaseForExport(opts);
    try {
      await database.migrate();
      print(`Database ${database.location} (${database.kind}) is migrated to the current schema.`);
    } finally {
      await database.close();
    }
  });

/*
 * Audit export runs against the hub's database directly, not through the admin API like the
 * commands above: an export of millions of events is streamed page by page into a file, which a
 * tRPC query (one JSON response) cannot do, and the manifest is signed with the hub's key, which
 * lives in the data directory — so this runs on the hub's host anyway. It opens the database
 * exactly as `serve` does (DATABASE_URL, else PGlite in <data-dir>/pglite) and only reads it.
 */
program
  .command('audit:export')
  .description('Export the audit log as CSV or NDJSON with a manifest signed by the hub key (reads the hub database directly)')
  .addOption(new Option('--format <format>', 'export format').choices(AUDIT_EXPORT_FORMATS).makeOptionMandatory())
  .requiredOption('--out <file>', 'export file; the signed manifest is written to <file>.manifest.json')
  .option('--study <id>', 'only events of this study (id)')
  .option('--site <id|name>', 'only events of this site (id or site name)')
  .option('--actor <actor>', 'only events by this actor: hub, cli, admin:<label>, site:<siteId>')
  .option('--action <action>', 'only events of this action, e.g. round.completed')
  .option('--from <time>', 'only events at or after this time (ISO 8601 date or date-time)')
  .option('--to <time>', 'only events before this time (exclusive)')
  .option('--data-dir <dir>', 'hub data directory (signing key; embedded database)', env.CONSILIUM_DATA_DIR)
  .option('--database-url <url>', 'PostgreSQL connection string (default: the embedded database in the data directory)', env.DATABASE_URL)
  .option('--hub <url>', 'address of the hub, checked so that its embedded database is not opened under it', env.CONSILIUM_HUB_URL ?? `http://127.0.0.1:${env.CONSILIUM_PORT}`)
  .option('--page-size <n>', 'events read per query', String(DEFAULT_EXPORT_PAGE_SIZE))
  .option('--through-seq <n>', 'stop at this event (default: the chain head); the same filter and --through-seq always give the same file, as the portal\'s downloads do')
  .option('--json', 'print the manifest as JSON')
  .addHelpText(
    'after',
    `
The export holds, for each event, its seq, time, actor, action, study/site/round ids, payload,
prev_hash and hash. The manifest (<file>.manifest.json) records the format, filter, export time,
event count, first and last event, the chain head and the file's SHA-256, signed with the hub's
Ed25519 key (see audit:public-key). Check both offline with: consilium-audit verify <file>.

Without filters the export is the complete chain and its verification follows every link. With
any filter it is a selection: events in between are left out, so links cannot be followed; each
event is still re-hashed from its own content, and the signed count, first/last event and file
digest guard the selection as a whole. Either way the hub first verifies the whole stored chain,
events 1 to the head (so a filtered export reads every event and writes the matching ones), and
refuses to write or sign an export of a log that does not verify, naming the first bad event.
The export and manifest are created readable by their owner only (mode 0600).

With the embedded database (no DATABASE_URL) stop the hub first: that database can be opened by
one process at a time. A hub on PostgreSQL can keep running; the export stops at the chain head
it saw when it began.`,
  )
  .action(async (opts: AuditExportOpts) => {
    const pageSize = Number(opts.pageSize);
    if (!Number.isSafeInteger(pageSize) || pageSize < 1) throw new AppError(ErrorCode.INVALID_INPUT, `--page-size must be a positive integer, got "${opts.pageSize}"`);
    const base = { studyId: opts.study, actor: opts.actor, action: opts.action, from: opts.from, to: opts.to };
    const throughSeq = opts.throughSeq === undefined ? undefined : Number(opts.throughSeq);
    if (throughSeq !== undefined && (!/^\d+$/.test(opts.throughSeq!) || !Number.isSafeInteger(throughSeq))) {
      throw new AppError(ErrorCode.INVALID_INPUT, `--through-seq must be a non-negative integer, got "${opts.throughSeq}"`);
    }
    parseAuditExportFilter(base); // refuse a bad filter before touching the database
    const database = await openHubDatabaseForExport(opts);
    try {
      const key = await loadOrCreateHubSigningKey(opts.dataDir);
      const siteId = opts.site === undefined ? undefined : await resolveSiteId(database.db, opts.site);
      const written = await writeAuditExport(database.db, { format: opts.format, filter: { ...base, siteId }, out: opts.out, signingKeyPem: key.privateKeyPem, pageSize, ...(throughSeq === undefined ? {} : { throughSeq }) });
      if (opts.json) return print(written.manifest);
      const m = written.manifest;
      const scope = Object.keys(m.filter).length === 0 ? `the complete chain, events 1–${m.chainHead.seq}` : `filtered: ${JSON.stringify(m.filter)}`;
      print(`Exported ${m.count} events (${m.format}, ${scope}) to ${written.file}`);
      print(`Manifest signed by the hub key ${key.fingerprint}: ${written.manifestFile}`);
      print(`Verify offline: consilium-audit verify ${written.file} --public-key <the key audit:public-key prints, passed to the auditor separately>`);
    } finally {
      await database.close();
    }
  });

interface AuditExportOpts {
  format: AuditExportFormat;
  out: string;
  study?: string;
  site?: string;
  actor?: string;
  action?: string;
  from?: string;
  to?: string;
  dataDir: string;
  databaseUrl?: string;
  hub: string;
  pageSize: string;
  throughSeq?: string;
  json?: boolean;
}

/** The hub's database, opened as `serve` opens it (without migrating: the export only reads). */
async function openHubDatabaseForExport(opts: Pick<AuditExportOpts, 'dataDir' | 'databaseUrl' | 'hub'>) {
  if (opts.databaseUrl) return createDatabase({ url: opts.databaseUrl });
  const dir = path.join(opts.dataDir, 'pglite');
  if (!existsSync(dir)) throw new AppError(ErrorCode.NOT_FOUND, `No hub database in ${dir}: pass the hub's --data-dir, or --database-url for a hub on PostgreSQL`);
  // PGlite has no lock: a second process opening the files of a running hub could corrupt them.
  const running = await fetch(new URL('/healthz', opts.hub), { signal: AbortSignal.timeout(1000) }).then(
    (res) => res.ok,
    () => false,
  );
  if (running) {
    throw new AppError(
      ErrorCode.WRONG_STATE,
      `A hub is answering at ${opts.hub}, and the embedded database in ${dir} can be opened by one process at a time: stop the hub first (or run it on PostgreSQL to export while it runs). If that hub uses another data directory, pass --hub with this one's address.`,
    );
  }
  return createDatabase({ dataDir: dir });
}

/** A site filter given by name is turned into the site's id, which is what audit events record. */
async function resolveSiteId(db: Database, site: string): Promise<string> {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(site)) return site;
  const [row] = await db.select({ id: sites.id }).from(sites).where(eq(sites.name, site));
  if (!row) throw new AppError(ErrorCode.NOT_FOUND, `No site named "${site}" (site:list shows the consortium's sites)`);
  return row.id;
}

/*
 * Like audit:export, and for the same reason (the statement is signed with the hub's key, which lives
 * in the data directory), this reads the hub's database directly. A running hub also issues
 * statements through its API (contribution.statement), signed with the same key.
 */
program
  .command('ownership:statement')
  .description("Write a study's ownership statement, signed by the hub key, with a printable page and the ledger to check it against (reads the hub database directly)")
  .argument('<studyId>', 'study id (study:list shows them)')
  .option('--out <dir>', `directory to write ${OWNERSHIP_STATEMENT_FILES.statement}, ${OWNERSHIP_STATEMENT_FILES.html} and ${OWNERSHIP_STATEMENT_FILES.ledger} to`, '.')
  .option('--data-dir <dir>', 'hub data directory (signing key; embedded database)', env.CONSILIUM_DATA_DIR)
  .option('--database-url <url>', 'PostgreSQL connection string (default: the embedded database in the data directory)', env.DATABASE_URL)
  .option('--hub <url>', 'address of the hub, checked so that its embedded database is not opened under it', env.CONSILIUM_HUB_URL ?? `http://127.0.0.1:${env.CONSILIUM_PORT}`)
  .option('--json', 'print the files written and the statement as JSON')
  .addHelpText(
    'after',
    `
The statement gives each site's share of the study's model (from its rewards in the ledger), its
remaining stake, slashes, reputation and flags, signed with the hub's Ed25519 key (see
audit:public-key). ${OWNERSHIP_STATEMENT_FILES.ledger} holds the study's ledger entries, from which a verifier
recomputes every figure offline:

  consilium-ownership verify ${OWNERSHIP_STATEMENT_FILES.statement} --public-key <hub key> --ledger ${OWNERSHIP_STATEMENT_FILES.ledger}

Refused (WRONG_STATE) while no site has earned a reward in the study. The files are created readable
by their owner only (mode 0600); earlier files of the same names are replaced. With the embedded
database (no DATABASE_URL) stop the hub first, or ask the running hub's API (contribution.statement).`,
  )
  .action(async (studyId: string, opts: { out: string; dataDir: string; databaseUrl?: string; hub: string; json?: boolean }) => {
    if (!Id.safeParse(studyId).success) throw new AppError(ErrorCode.INVALID_INPUT, `"${studyId}" is not a study id (study:list shows them)`);
    const database = await openHubDatabaseForExport(opts);
    const crypto = new HubCrypto();
    try {
      const key = await loadOrCreateHubSigningKey(opts.dataDir);
      const ctx: DomainContext = { db: database.db, crypto, limits: DEFAULT_LIMITS, now: () => new Date() };
      const { input, entries } = await ownershipStatementInput(ctx, studyId);
      const statement = signOwnershipStatement(buildOwnershipStatement(input), key.privateKeyPem);
      const files = await writeOwnershipStatementFiles(opts.out, statement, entries);
      if (opts.json) return print({ files, statement });
      print(`Ownership statement of study "${statement.study.name}" (${statement.study.id}), ${statement.status}, ${statement.rounds} settled round(s), signed by the hub key ${key.fingerprint}:`);
      for (const share of statement.shares) print(`  ${share.percent.padStart(12)}  ${share.siteName}`);
      print(`Wrote ${files.statement}, ${files.html} and ${files.ledger} (${entries.length} ledger entries).`);
      print(
        `Verify offline: consilium-ownership verify ${files.statement} --public-key <the key audit:public-key prints, passed to the verifier separately> --ledger ${files.ledger}`,
      );
    } finally {
      await crypto.dispose();
      await database.close();
    }
  });

program
  .command('audit:public-key')
  .description('Print the hub\'s public key that verifies audit exports and ownership statements (base64); creates the signing key on first use')
  .option('--data-dir <dir>', 'hub data directory', env.CONSILIUM_DATA_DIR)
  .option('--json', 'print the key, its fingerprint and the key file as JSON')
  .addHelpText('after', '\nGive this key to auditors through a channel you trust (not with the export): consilium-audit verify --public-key <key> checks exports against it.')
  .action(async (opts: { dataDir: string; json?: boolean }) => {
    const key = await loadOrCreateHubSigningKey(opts.dataDir);
    if (opts.json) return print({ publicKey: key.publicKey, fingerprint: key.fingerprint, file: key.file, created: key.created });
    // stdout is the key alone, so that `audit:public-key > hub-key.pub` gives a file the verifier reads.
    print(key.publicKey);
    process.stderr.write(`fingerprint ${key.fingerprint}${key.created ? ` (new key written to ${key.file})` : ''}\n`);
  });

/** A comma-separated option as a list (empty when unset). */
function listOption(value: string | undefined): string[] {
  return (value ?? '').split(',').map((item) => item.trim()).filter(Boolean);
}

function print(value: unknown): void {
  process.stdout.write(typeof value === 'string' ? `${value}\n` : `${JSON.stringify(value, null, 2)}\n`);
}

program.parseAsync().catch((error: unknown) => {
  const message = error instanceof TRPCClientError ? `${(error.data as { appCode?: string } | undefined)?.appCode ?? 'ERROR'}: ${error.message}` : describeError(error);
  process.stderr.write(`consilium-hub: ${message}\n`);
  process.exit(1);
});
