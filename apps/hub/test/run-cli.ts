import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What a command line did: its exit code and its two outputs. */
export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** The path of one of the hub's command lines (`cli.ts`, `audit-cli.ts`, `ownership-cli.ts`). */
export const cliScript = (name: string): string => path.join(import.meta.dirname, '..', 'src', name);

/**
 * Runs one of the hub's command lines as an operator or auditor would, in a child Node process,
 * and reports how it ended rather than throwing: tests assert on exit codes and messages. The
 * embedded database unless told otherwise, and no log noise.
 */
export async function runCli(script: string, args: string[], env: Record<string, string> = {}): Promise<CliOutcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [script, ...args], { env: { ...process.env, DATABASE_URL: '', CONSILIUM_LOG_LEVEL: 'silent', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
