import { describeError } from '@consilium/errors';
import { Command } from 'commander';
import { AgentFiles } from './agent-files.ts';
import { doctorCommand } from './commands/doctor.ts';
import { enrollCommand } from './commands/enroll.ts';
import { initCommand, InitInputError, terminalPrompter } from './commands/init.ts';
import { rotateKeyCommand } from './commands/rotate-key.ts';
import { logCommand } from './commands/log.ts';
import { runCommand } from './commands/run.ts';
import { statusCommand } from './commands/status.ts';
import { networkOf, type NetworkResolver } from './config.ts';
import { isYes, readEnv } from './env.ts';
import { createLogger } from './logger.ts';
import { createProgress } from './progress.ts';
import { AGENT_VERSION } from './version.ts';

const env = readEnv();
const print = (line: string) => process.stdout.write(`${line}\n`);
const program = new Command('consilium-agent')
  .description('Consilium site agent: trains on this hospital\'s data; only encrypted updates leave the site.')
  .version(AGENT_VERSION)
  .option('--dir <dir>', 'agent data directory (identity key, config, state, logs)', env.CONSILIUM_AGENT_DIR)
  .option('--ca-file <bundle.pem>', 'extra CA certificates to trust for the hub (default: CONSILIUM_CA_FILE, then the config)')
  .option('--proxy <url>', 'proxy for the hub (default: CONSILIUM_PROXY, HTTPS_PROXY/HTTP_PROXY minus NO_PROXY, then the config)');

type GlobalOpts = { dir: string; caFile?: string; proxy?: string };
const files = () => new AgentFiles(program.opts<GlobalOpts>().dir);
/** Flags, then environment, then the config file. */
const network: NetworkResolver = (config) => networkOf(config, env, program.opts<GlobalOpts>());
const fileLogger = (agentFiles: AgentFiles) => createLogger({ level: env.CONSILIUM_LOG_LEVEL, logFile: agentFiles.log, toStderr: false });

program
  .command('init')
  .description('Set this site up: asks for (or takes) the hub, data file, directory, enrolment token, study approval, CA bundle and proxy; enrols; checks the data')
  .option('--hub-url <url>', 'hub URL (default: CONSILIUM_HUB_URL)')
  .option('--data <file.csv>', 'this site\'s data file (default: CONSILIUM_DATA)')
  .option('--token <token>', 'one-time enrolment token (prefer CONSILIUM_ENROLLMENT_TOKEN: arguments are visible to other users)')
  .option('--approve-study', 'approve, for this site, taking part in the study the token is for (default: CONSILIUM_APPROVE_STUDY; otherwise asked, or left to the site administrator)')
  .option('--non-interactive', 'never ask; fail (exit code 2) on a missing or invalid setting')
  .option('-y, --yes', 'same as --non-interactive')
  .action(async (opts: { hubUrl?: string; data?: string; token?: string; approveStudy?: boolean; nonInteractive?: boolean; yes?: boolean }) => {
    const global = program.opts<GlobalOpts>();
    const interactive = opts.nonInteractive !== true && opts.yes !== true && process.stdin.isTTY && process.stdout.isTTY;
    const given = {
      hubUrl: opts.hubUrl,
      data: opts.data,
      token: opts.token,
      approveStudy: opts.approveStudy === true ? 'yes' : undefined,
      dir: program.getOptionValueSource('dir') === 'cli' ? global.dir : undefined,
      caFile: global.caFile,
      proxy: global.proxy,
    };
    const defaults = {
      hubUrl: env.CONSILIUM_HUB_URL,
      data: env.CONSILIUM_DATA,
      token: env.CONSILIUM_ENROLLMENT_TOKEN,
      approveStudy: env.CONSILIUM_APPROVE_STUDY,
      dir: env.CONSILIUM_AGENT_DIR,
      caFile: env.CONSILIUM_CA_FILE,
      proxy: env.CONSILIUM_PROXY ?? env.HTTPS_PROXY ?? env.https_proxy,
    };
    const prompter = interactive ? terminalPrompter(process.stdin, process.stdout, () => process.exit(130)) : null;
    try {
      const { dataOk } = await initCommand(given, defaults, { print, prompter, env, loggerFor: fileLogger });
      process.exitCode = dataOk ? 0 : 1;
    } catch (error) {
      if (!(error instanceof InitInputError)) throw error;
      process.stderr.write(`consilium-agent init: ${error.message}\n`);
      process.exitCode = 2;
    }
  });

program
  .command('enroll')
  .description('Join a study with a one-time enrolment token (creates this site\'s identity key on first use)')
  .option('--hub <url>', 'hub URL', env.CONSILIUM_HUB_URL)
  .option('--token <token>', 'one-time enrolment token', env.CONSILIUM_ENROLLMENT_TOKEN)
  .option('--data <file.csv>', 'this site\'s data file for the study')
  .option('--approve-study', 'approve, for this site, taking part in the study (default: CONSILIUM_APPROVE_STUDY); otherwise a site administrator approves it in the portal')
  .action(async (opts: { hub?: string; token?: string; data?: string; approveStudy?: boolean }) => {
    if (!opts.hub) throw new Error('--hub <url> is required (or set CONSILIUM_HUB_URL)');
    if (!opts.token) throw new Error('--token <token> is required (or set CONSILIUM_ENROLLMENT_TOKEN)');
    const { caFile, proxy } = program.opts<GlobalOpts>();
    await enrollCommand(
      files(),
      {
        hubUrl: opts.hub,
        token: opts.token,
        data: opts.data ?? env.CONSILIUM_DATA,
        approveStudy: opts.approveStudy === true || isYes(env.CONSILIUM_APPROVE_STUDY),
        caFile: caFile ?? env.CONSILIUM_CA_FILE,
        proxy: proxy ?? env.CONSILIUM_PROXY,
        env,
      },
      print,
      fileLogger(files()),
    );
  });

program
  .command('doctor')
  .description('Check a data file against the study schema; says exactly what is wrong; sends nothing')
  .option('--data <file.csv>', 'data file (default: the configured one)', env.CONSILIUM_DATA)
  .option('--spec <spec.json>', 'a study spec file (works before enrolment)')
  .option('--study <id>', 'only this study')
  .action(async (opts: { data?: string; spec?: string; study?: string }) => {
    const ok = await doctorCommand(files(), { ...opts, network }, print);
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
      { data: opts.data, backend: opts.backend, pollMs: Number(opts.pollMs), untilDone: opts.untilDone === true, network },
      { logger, progress: createProgress({ interactive, logger }), print, signal: controller.signal },
    );
    process.exitCode = ok ? 0 : 1;
  });

program
  .command('status')
  .description('Show this site\'s identity, hub connection, studies and pending uploads')
  .action(() => statusCommand(files(), print, network));

program
  .command('rotate-key')
  .description('Replace this site\'s identity key: the hub checks the old and the new key, then refuses the old one')
  .action(() => rotateKeyCommand(files(), { network }, print, fileLogger(files())));

program
  .command('log')
  .description('List everything that left this site (sizes and SHA-256 of each upload)')
  .option('--json', 'one JSON record per line')
  .action((opts: { json?: boolean }) => logCommand(files(), { json: opts.json === true }, print));

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`consilium-agent: ${describeError(error)}\n`);
  process.exit(1);
});
