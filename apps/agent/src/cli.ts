import { describeError } from '@consilium/errors';
import { Command } from 'commander';
import { AgentFiles } from './agent-files.ts';
import { doctorCommand } from './commands/doctor.ts';
import { enrollCommand } from './commands/enroll.ts';
import { logCommand } from './commands/log.ts';
import { runCommand } from './commands/run.ts';
import { statusCommand } from './commands/status.ts';
import { readEnv } from './env.ts';
import { createLogger } from './logger.ts';
import { createProgress } from './progress.ts';
import { AGENT_VERSION } from './version.ts';

const env = readEnv();
const print = (line: string) => process.stdout.write(`${line}\n`);
const program = new Command('consilium-agent')
  .description('Consilium site agent: trains on this hospital\'s data; only encrypted updates leave the site.')
  .version(AGENT_VERSION)
  .option('--dir <dir>', 'agent data directory (identity key, config, state, logs)', env.CONSILIUM_AGENT_DIR);

const files = () => new AgentFiles(program.opts<{ dir: string }>().dir);

program
  .command('enroll')
  .description('Join a study with a one-time enrolment token (creates this site\'s identity key on first use)')
  .option('--hub <url>', 'hub URL', env.CONSILIUM_HUB_URL)
  .option('--token <token>', 'one-time enrolment token', env.CONSILIUM_ENROLLMENT_TOKEN)
  .option('--data <file.csv>', 'this site\'s data file for the study')
  .action(async (opts: { hub?: string; token?: string; data?: string }) => {
    if (!opts.hub) throw new Error('--hub <url> is required (or set CONSILIUM_HUB_URL)');
    if (!opts.token) throw new Error('--token <token> is required (or set CONSILIUM_ENROLLMENT_TOKEN)');
    await enrollCommand(files(), { hubUrl: opts.hub, token: opts.token, data: opts.data ?? env.CONSILIUM_DATA }, print);
  });

program
  .command('doctor')
  .description('Check a data file against the study schema; says exactly what is wrong; sends nothing')
  .option('--data <file.csv>', 'data file (default: the configured one)', env.CONSILIUM_DATA)
  .option('--spec <spec.json>', 'a study spec file (works before enrolment)')
  .option('--study <id>', 'only this study')
  .action(async (opts: { data?: string; spec?: string; study?: string }) => {
    const ok = await doctorCommand(files(), opts, print);
    process.exitCode = ok ? 0 : 1;
  });

program
  .command('run')
  .description('Take part in studies: key ceremony, training, encrypted uploads, partial decryption')
  .option('--data <source...>', 'data file for all studies, or <studyId>=<file.csv> (repeatable)', env.CONSILIUM_DATA ? [env.CONSILIUM_DATA] : [])
  .option('--backend <backend>', 'training backend: auto | wasm | cpu | tensorflow | tensorflow-gpu', env.CONSILIUM_BACKEND)
  .option('--poll-ms <ms>', 'how often to ask the hub for work', String(env.CONSILIUM_POLL_MS))
  .option('--until-done', 'exit when every study of this site has finished')
  .action(async (opts: { data: string[]; backend?: 'auto'; pollMs: string; untilDone?: boolean }) => {
    const interactive = process.stderr.isTTY === true;
    const logger = createLogger({ level: env.CONSILIUM_LOG_LEVEL, logFile: files().log, toStderr: !interactive });
    const controller = new AbortController();
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort());
    const ok = await runCommand(
      files(),
      { data: opts.data, backend: opts.backend, pollMs: Number(opts.pollMs), untilDone: opts.untilDone === true },
      { logger, progress: createProgress({ interactive, logger }), print, signal: controller.signal },
    );
    process.exitCode = ok ? 0 : 1;
  });

program
  .command('status')
  .description('Show this site\'s identity, hub connection, studies and pending uploads')
  .action(() => statusCommand(files(), print));

program
  .command('log')
  .description('List everything that left this site (sizes and SHA-256 of each upload)')
  .option('--json', 'one JSON record per line')
  .action((opts: { json?: boolean }) => logCommand(files(), { json: opts.json === true }, print));

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`consilium-agent: ${describeError(error)}\n`);
  process.exit(1);
});
