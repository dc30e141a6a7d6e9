import { readFile } from 'node:fs/promises';
import { describeError } from '@consilium/errors';
import { parseStudySpec } from '@consilium/schemas';
import { TRPCClientError } from '@trpc/client';
import { Command } from 'commander';
import pino from 'pino';
import { adminClient, resolveAdminToken } from './admin-client.ts';
import { createHub } from './create-hub.ts';
import { readEnv } from './env.ts';
import { formatStudyProgress } from './format-progress.ts';

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
  .action(async (opts: { port: string; host: string; dataDir: string; databaseUrl?: string; consortiumName: string; tickMs: string }) => {
    // Logs go to stderr; stdout carries only the machine-readable 'listening' line.
    const logger = pino({ name: 'consilium-hub', level: env.CONSILIUM_LOG_LEVEL }, pino.destination(2));
    const hub = createHub({
      port: Number(opts.port),
      host: opts.host,
      dataDir: opts.dataDir,
      databaseUrl: opts.databaseUrl,
      consortiumName: opts.consortiumName,
      tickIntervalMs: Number(opts.tickMs),
      logger,
    });
    const started = await hub.start();
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
  });

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

function print(value: unknown): void {
  process.stdout.write(typeof value === 'string' ? `${value}\n` : `${JSON.stringify(value, null, 2)}\n`);
}

program.parseAsync().catch((error: unknown) => {
  const message = error instanceof TRPCClientError ? `${(error.data as { appCode?: string } | undefined)?.appCode ?? 'ERROR'}: ${error.message}` : describeError(error);
  process.stderr.write(`consilium-hub: ${message}\n`);
  process.exit(1);
});
