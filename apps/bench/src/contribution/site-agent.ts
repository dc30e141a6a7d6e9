/**
 * A site agent for the contribution benchmark: the real agent's `run` (same arguments as
 * `consilium-agent --dir <dir> run --data <csv> [--until-done] [--poll-ms <ms>]`), with the deviation
 * from the protocol given as JSON in CONSILIUM_BENCH_BEHAVIOUR (apps/agent/src/behaviour.ts). Only
 * the benchmark starts it; `consilium-agent` itself has no way to misbehave.
 */
import { parseArgs } from 'node:util';
import { AgentFiles, createLogger, createProgress, runCommand, SiteBehaviour } from '@consilium/agent/run';
import { describeError } from '@consilium/errors';
import { readEnv } from '../env.ts';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { dir: { type: 'string' }, data: { type: 'string', multiple: true }, 'until-done': { type: 'boolean' }, 'poll-ms': { type: 'string' } },
  });
  if (positionals[0] !== 'run' || !values.dir) throw new Error('usage: site-agent.ts --dir <dir> run --data <csv> [--until-done] [--poll-ms <ms>]');
  const env = readEnv();
  const behaviour = SiteBehaviour.parse(JSON.parse(env.CONSILIUM_BENCH_BEHAVIOUR));
  const files = new AgentFiles(values.dir);
  const logger = createLogger({ level: env.CONSILIUM_LOG_LEVEL, logFile: files.log, toStderr: false });
  logger.warn({ behaviour }, 'benchmark agent: deviates from the protocol as configured');
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort());
  const ok = await runCommand(
    files,
    { data: values.data ?? [], pollMs: Number(values['poll-ms'] ?? 1000), untilDone: values['until-done'] === true, behaviour },
    { logger, progress: createProgress({ interactive: false, logger }), print: (line) => process.stdout.write(`${line}\n`), signal: controller.signal },
  );
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`site-agent: ${describeError(error)}\n`);
    process.exit(1);
  },
);
