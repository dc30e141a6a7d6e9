import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

/** `consilium-hub serve` running as a child process. */
export interface HubProcess {
  url: string;
  adminTokenFile: string | null;
  /** Sends a signal (SIGKILL to crash it) and resolves once the process has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

const BIN = path.join(import.meta.dirname, '..', 'bin', 'consilium-hub.js');

/**
 * Starts the hub's real entry point with this Node (it runs TypeScript natively) and waits for its
 * machine-readable `listening` line. `env` is the child's whole environment.
 */
export async function spawnHub(options: { dataDir: string; env: Record<string, string>; timeoutMs?: number }): Promise<HubProcess> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--data-dir', options.dataDir], { env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const listening = await waitForListening(child, options.timeoutMs ?? 60_000);
    return {
      url: listening.url,
      adminTokenFile: listening.adminTokenFile,
      kill: async (signal) => {
        child.kill(signal);
        await exited;
      },
    };
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw new Error(`the hub did not start: ${(error as Error).message}\n${stderr}`, { cause: error });
  }
}

function waitForListening(child: ChildProcess, timeoutMs: number): Promise<{ url: string; adminTokenFile: string | null }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no 'listening' line within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code, signal) => reject(new Error(`exited (${code ?? signal}) before listening`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const event = JSON.parse(line) as { event?: string; url: string; adminTokenFile: string | null };
        if (event.event !== 'listening') return;
        clearTimeout(timer);
        resolve(event);
      } catch {
        // not the line we wait for
      }
    });
  });
}
