import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { hubCli } from './paths.ts';
import { childEnv, startService, withLogTail, type Service } from './processes.ts';

export interface RunningHub {
  url: string;
  adminToken: string;
  service: Service;
}

interface ListeningLine {
  event: 'listening';
  url: string;
  adminTokenFile: string | null;
}

/**
 * Starts `consilium-hub serve --port 0` on a fresh data directory (embedded PGlite: DATABASE_URL is
 * not passed on) and waits for its `listening` line; the admin token comes from the file it names.
 */
export async function startHub(options: { dataDir: string; logFile: string; timeoutMs?: number }): Promise<RunningHub> {
  const service = startService({
    name: 'consilium-hub',
    script: hubCli,
    args: ['serve', '--port', '0', '--data-dir', options.dataDir],
    env: childEnv({ CONSILIUM_LOG_LEVEL: 'warn' }),
    logFile: options.logFile,
    captureStdout: true,
  });
  try {
    const listening = await waitForListening(service, options.timeoutMs ?? 120_000);
    const tokenFile = listening.adminTokenFile ?? path.join(options.dataDir, 'admin-token');
    const adminToken = (await readFile(tokenFile, 'utf8')).trim();
    return { url: listening.url, adminToken, service };
  } catch (error) {
    await service.stop(2_000);
    throw error;
  }
}

function waitForListening(service: Service, timeoutMs: number): Promise<ListeningLine> {
  const stdout = service.stdout;
  if (!stdout) throw new Error('the hub was started without a stdout pipe');
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: stdout });
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      lines.close();
      action();
    };
    const fail = (message: string) => {
      void withLogTail(message, service.logFile).then((text) => settle(() => reject(new Error(text))));
    };
    const timer = setTimeout(() => fail(`the hub did not listen within ${timeoutMs / 1000} s`), timeoutMs);
    lines.on('line', (line) => {
      const parsed = parseListening(line);
      if (parsed) settle(() => resolve(parsed));
    });
    void service.exited.then((code) => fail(`the hub exited (code ${code}) before listening`));
  });
}

function parseListening(line: string): ListeningLine | null {
  try {
    const value = JSON.parse(line) as Partial<ListeningLine>;
    if (value.event !== 'listening' || typeof value.url !== 'string') return null;
    return { event: 'listening', url: value.url, adminTokenFile: typeof value.adminTokenFile === 'string' ? value.adminTokenFile : null };
  } catch {
    return null;
  }
}
