/**
 * What the fault consortia (FaultConsortium: one hub; ReplicaConsortium: several replicas) share:
 * starting a site's agent process, freezing it, polling the study until something holds, and
 * waiting for the study's end and the agents' own exits. Each consortium keeps its processes and
 * decides what an unexpected exit means; these functions take what they need as arguments.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { HubClient } from '@consilium/api/client';
import { describeStudyState, startAgentProcess, watchStudy, type AgentProcess, type StudyProgress } from '@consilium/demo/orchestrator';
import type { FaultSite } from './fault-consortium.ts';
import { childEnv } from './processes.ts';

/**
 * Agents exit by themselves once their study is over (`run --until-done`); this is how long they
 * get. The hub answers a held poll as soon as one of the site's studies changes status, so this
 * covers the agent's last tasks (the final evaluation, and any earlier model still inside its
 * validation window) and its shutdown, on a loaded CI machine.
 */
export const AGENT_EXIT_GRACE_MS = 20_000;

/**
 * Starts a site's agent (`run --until-done`): enrols it first with `token`, or runs the enrolled
 * agent in its directory again. `onFailedExit` hears of an exit with a non-zero code (an agent that
 * finished its studies exits 0 by itself).
 */
export async function startSiteAgent(
  site: FaultSite,
  options: { hubUrl: string; token: string | undefined; pollMs: number; logLevel: string; onFailedExit: (agent: AgentProcess, message: string) => void },
): Promise<AgentProcess> {
  const agent = await startAgentProcess({
    hubUrl: options.hubUrl,
    dir: site.dir,
    name: site.name,
    dataPath: site.dataPath,
    token: options.token,
    logFile: site.logFile,
    untilDone: true,
    pollMs: options.pollMs,
    env: childEnv({ CONSILIUM_LOG_LEVEL: options.logLevel }),
  });
  site.agent = agent;
  void agent.exited.then((code) => {
    if (code !== 0) options.onFailedExit(agent, `The agent of "${site.name}" exited with code ${code}.`);
  });
  return agent;
}

/** Freezes a site's agent (SIGSTOP): it neither computes nor answers, as if cut off, until thawed. */
export function freezeSiteAgent(site: FaultSite, frozen: Set<FaultSite>): void {
  if (!site.agent) throw new Error(`The agent of "${site.name}" is not running`);
  site.agent.kill('SIGSTOP');
  frozen.add(site);
}

/** Lets a frozen agent carry on (SIGCONT) from exactly where it stopped. */
export function thawSiteAgent(site: FaultSite, frozen: Set<FaultSite>): void {
  site.agent?.kill('SIGCONT');
  frozen.delete(site);
}

/**
 * Polls the study's progress until `pick` returns something (not undefined/false) and resolves
 * with it. Fails at once when `signal` aborts (a process died that the test did not end), and on
 * timeout with where the study stood.
 */
export async function waitForProgress<T>(
  progress: () => Promise<StudyProgress>,
  signal: AbortSignal,
  what: string,
  pick: (progress: StudyProgress) => T | undefined | false,
  options: { timeoutMs?: number; pollMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    signal.throwIfAborted();
    const current = await progress();
    const picked = pick(current);
    if (picked !== undefined && picked !== false) return picked;
    if (Date.now() > deadline) throw new Error(`Waited in vain for ${what} (${describeStudyState(current)})`);
    await sleep(options.pollMs ?? 100);
  }
}

/**
 * Waits until the study has completed with every site's evaluation of the final model (or
 * failed), then for every agent to exit by itself; resolves with the last progress and the
 * agents' exit codes by site name (null: still running after the grace period).
 */
export async function finishStudy(
  client: HubClient,
  studyId: string,
  sites: readonly FaultSite[],
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<{ progress: StudyProgress; agentExitCodes: Record<string, number | null> }> {
  const progress = await watchStudy(client, studyId, { pollMs: 250, timeoutMs: options.timeoutMs, signal: options.signal });
  const agentExitCodes: Record<string, number | null> = {};
  const grace = new AbortController();
  const graceOver = sleep(AGENT_EXIT_GRACE_MS, null, { signal: grace.signal }).catch(() => null);
  await Promise.all(
    sites.map(async (site) => {
      agentExitCodes[site.name] = site.agent ? await Promise.race([site.agent.exited, graceOver]) : null;
    }),
  );
  grace.abort();
  return { progress, agentExitCodes };
}
