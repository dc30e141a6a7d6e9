import { nextCli, portalDir } from './paths.ts';
import { childEnv, freePort, runToCompletion, startService, waitForHttp, type Service } from './processes.ts';

/** `next build` of apps/portal (into apps/portal/.next), as CI and operators build it. */
export async function buildPortal(options: { logFile: string; timeoutMs?: number }): Promise<void> {
  await runToCompletion({
    name: 'next build (apps/portal)',
    script: nextCli,
    args: ['build'],
    cwd: portalDir,
    env: childEnv(),
    logFile: options.logFile,
    timeoutMs: options.timeoutMs ?? 180_000,
  });
}

export interface RunningPortal {
  url: string;
  service: Service;
}

/** `next start` on a free loopback port with the given portal environment (CONSILIUM_*). */
export async function startPortal(options: { env: Record<string, string>; logFile: string; name: string }): Promise<RunningPortal> {
  const port = await freePort();
  const service = startService({
    name: options.name,
    script: nextCli,
    args: ['start', '--port', String(port), '--hostname', '127.0.0.1'],
    cwd: portalDir,
    env: childEnv({ NODE_ENV: 'production', ...options.env }),
    logFile: options.logFile,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/api/health`, service, 60_000);
  } catch (error) {
    await service.stop(2_000);
    throw error;
  }
  return { url, service };
}
