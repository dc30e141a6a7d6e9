import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { AppError, ErrorCode } from '@consilium/errors';

/**
 * Runs `script` (a URL of a .ts file beside the caller) in a Node process of its own with `input` as
 * its JSON argument, so that its time and peak memory are its own, and returns the JSON of the last
 * line it printed (a library may print to stdout before it). Throws INTERNAL with the end of its
 * stderr, naming `what`, if it fails.
 */
export async function runJsonProcess(script: URL, input: unknown, what: string): Promise<unknown> {
  const child = spawn(process.execPath, [fileURLToPath(script), JSON.stringify(input)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) throw new AppError(ErrorCode.INTERNAL, `the ${what} process exited with ${code}: ${stderr.trim().slice(-2000)}`);
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
}
