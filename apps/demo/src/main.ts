/**
 * `npm start`: the synthetic four-hospital study (or the user's own) on this machine, with a live
 * view and a federated-versus-centralized comparison. See README.md and `npm start -- --help`.
 */
import path from 'node:path';
import { describeError, ErrorCode, isAppError } from '@consilium/errors';
import { HELP_TEXT } from './cli/help-text.ts';
import { parseDemoArgs } from './cli/parse-args.ts';
import { runDemo } from './demo/run-demo.ts';
import { childProcessEnv, readDemoEnv } from './env.ts';
import { isInterruption } from './orchestrator/index.ts';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');

async function main(argv: readonly string[]): Promise<number> {
  let command;
  try {
    command = parseDemoArgs(argv);
  } catch (error) {
    process.stderr.write(`consilium demo: ${describeError(error)}\n`);
    return 2;
  }
  if (command.kind === 'help') {
    process.stdout.write(HELP_TEXT);
    return 0;
  }
  try {
    const outcome = await runDemo({
      args: command.args,
      env: readDemoEnv(),
      childEnv: childProcessEnv(),
      repoRoot: REPO_ROOT,
      cwd: process.cwd(),
      stdout: process.stdout,
    });
    return outcome.exitCode;
  } catch (error) {
    if (isInterruption(error)) {
      process.stderr.write(`\n${error.message}.\n`);
      return 130;
    }
    // Bad input is the user's to fix: say only what is wrong. Anything else: the whole message.
    process.stderr.write(`\nconsilium demo: ${isAppError(error) && error.code === ErrorCode.INVALID_INPUT ? error.message : describeError(error)}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
