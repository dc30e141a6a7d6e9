import path from 'node:path';
import { syntheticStudySpec, writeSyntheticHospitals } from '@consilium/data/synthetic';
import { decidePortalBuild, readPortalBuildState } from '@consilium/demo/portal-build';
import { adminClientOf, createStudy, startAgentProcess, watchStudy, type AgentProcess, type HubProcess, type StudyProgress } from '@consilium/demo/orchestrator';
import { nextCli, portalDir, repoRoot } from './paths.ts';
import { childEnv, freePort, runToCompletion, startService, waitForHttp, type Service } from './processes.ts';

/**
 * `next build` of apps/portal (into apps/portal/.next), as CI and operators build it — unless the
 * build there is newer than every source it is made from (the demo's own rule: several e2e files
 * drive the portal, and a build takes minutes on two cores). Resolves with whether it built.
 */
export async function buildPortal(options: { logFile: string; timeoutMs?: number }): Promise<{ built: boolean }> {
  if (!decidePortalBuild(await readPortalBuildState(repoRoot), { force: false }).build) return { built: false };
  await runToCompletion({
    name: 'next build (apps/portal)',
    script: nextCli,
    args: ['build'],
    cwd: portalDir,
    env: childEnv(),
    logFile: options.logFile,
    timeoutMs: options.timeoutMs ?? 180_000,
  });
  return { built: true };
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

/** A study run to completion by real agents (one process per site), for the contribution page. */
export interface AgentStudy {
  studyId: string;
  name: string;
  siteNames: string[];
  /** Resolves with the study's last progress once it completed (with every final evaluation) or failed. */
  finished: Promise<StudyProgress>;
  /** Stops whatever agent is still running. */
  stop(): Promise<void>;
}

/**
 * Creates a short encrypted study on the hub and starts one real `consilium-agent run --until-done`
 * per synthetic hospital. Runs in the background while the portal builds, so the contribution page
 * can be opened on a completed study without adding the study's run time to the test.
 */
export async function startAgentStudy(options: { hub: HubProcess; workDir: string; logsDir: string; trainingRounds: number; sites: number }): Promise<AgentStudy> {
  const hospitals = await writeSyntheticHospitals(path.join(options.workDir, 'agent-study-data'), { seed: 11, sites: options.sites });
  const base = syntheticStudySpec();
  const spec = { ...base, name: 'MACE risk: contribution accounting (agents)', training: { ...base.training, rounds: options.trainingRounds } };
  const { studyId, tokens } = await createStudy(options.hub, spec, hospitals.map((h) => h.name));
  const agents: AgentProcess[] = [];
  const started = Promise.all(
    hospitals.map(async (h) => {
      const agent = await startAgentProcess({
        hubUrl: options.hub.url,
        dir: path.join(options.workDir, 'agents', h.slug),
        name: h.name,
        dataPath: h.path,
        token: tokens[h.name],
        logFile: path.join(options.logsDir, `agent-${h.slug}.log`),
        untilDone: true,
        pollMs: 200,
        env: childEnv({ CONSILIUM_LOG_LEVEL: 'warn' }),
      });
      agents.push(agent);
    }),
  );
  const finished = started.then(() => watchStudy(adminClientOf(options.hub), studyId, { pollMs: 250, timeoutMs: 240_000 }));
  // Observed by the test that awaits it; never an unhandled rejection meanwhile.
  finished.catch(() => undefined);
  return {
    studyId,
    name: spec.name,
    siteNames: hospitals.map((h) => h.name),
    finished,
    async stop() {
      await started.catch(() => undefined);
      await Promise.all(agents.filter((a) => !a.hasExited()).map((a) => a.stop()));
    },
  };
}
