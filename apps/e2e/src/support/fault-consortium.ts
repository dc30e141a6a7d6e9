import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HubClient } from '@consilium/api/client';
import { writeSyntheticHospitals } from '@consilium/data/synthetic';
import { adminClientOf, createStudy, readLogTail, startHubProcess, type AgentProcess, type HubProcess, type StudyProgress } from '@consilium/demo/orchestrator';
import type { StudySpecInput } from '@consilium/schemas';
import { e2eEnv } from '../env.ts';
import type { HubDatabase, HubDatabaseTarget } from './hub-databases.ts';
import { finishStudy, freezeSiteAgent, startSiteAgent, thawSiteAgent, waitForProgress } from './consortium-processes.ts';
import { childEnv, freePort } from './processes.ts';

/** One site of the consortium: its agent's directory, data and log, and its agent process while one runs. */
export interface FaultSite {
  name: string;
  dir: string;
  dataPath: string;
  logFile: string;
  agent: AgentProcess | null;
}

export interface FaultConsortiumOptions {
  /** Names the temporary directory (consilium-e2e-<label>-…). */
  label: string;
  target: HubDatabaseTarget;
  spec: StudySpecInput;
  /** Synthetic hospitals (default 3). */
  sites?: number;
  /** How often agents ask the hub for work (default 300 ms). */
  agentPollMs?: number;
  /** CONSILIUM_LOG_LEVEL of the hub and the agents (default info). */
  logLevel?: 'info' | 'debug' | 'trace';
}

/**
 * A consortium for fault tests, built from the orchestrator's pieces: a hub on a fixed port (a hub
 * restarted on the same data must come back where the agents' configs say it is), an encrypted
 * study, and one agent per site, each a real process over real HTTP — plus the means to kill,
 * freeze and restart any of them. Unlike runLocalConsortium, a process that ends does not end the
 * run when the test ended it; any other death fails whatever the test is waiting for, with that
 * process's log.
 *
 * `close()` always leaves nothing running and removes the work directory (CONSILIUM_E2E_KEEP=1
 * keeps it); it is safe to call however far `start()` got.
 */
export class FaultConsortium {
  readonly options: FaultConsortiumOptions;
  workDir = '';
  logsDir = '';
  hubDataDir = '';
  port = 0;
  studyId = '';
  /** The one-time enrolment token issued to each site, by site name (secrets: for tests that look for them). */
  enrolmentTokens: Record<string, string> = {};
  sites: FaultSite[] = [];
  database: HubDatabase | null = null;
  #hub: HubProcess | null = null;
  #client: HubClient | null = null;
  /** Processes the test ended on purpose: their exit is expected. */
  readonly #ended = new Set<number>();
  readonly #frozen = new Set<FaultSite>();
  /** Aborted, with the process's log, when one dies that the test did not end. */
  readonly #failure = new AbortController();
  #closing = false;

  constructor(options: FaultConsortiumOptions) {
    this.options = options;
  }

  /**
   * Starts the hub, creates the study and enrols every site's agent. The study starts by itself
   * when the last site enrols, or (spec with autoStart false) once every agent is polling.
   */
  async start(): Promise<void> {
    this.workDir = await mkdtemp(path.join(tmpdir(), `consilium-e2e-${this.options.label}-`));
    this.logsDir = path.join(this.workDir, 'logs');
    this.hubDataDir = path.join(this.workDir, 'hub');
    await mkdir(this.logsDir, { recursive: true });
    const hospitals = await writeSyntheticHospitals(path.join(this.workDir, 'data'), { seed: 7, sites: this.options.sites ?? 3 });
    this.sites = hospitals.map((h) => ({
      name: h.name,
      dir: path.join(this.workDir, 'agents', h.slug),
      dataPath: h.path,
      logFile: path.join(this.logsDir, `agent-${h.slug}.log`),
      agent: null,
    }));
    this.database = await this.options.target.create(this.hubDataDir);
    // Free now; the hub binds it in a moment, and again after every restart.
    this.port = await freePort();
    await this.startHub();

    const { studyId, tokens } = await createStudy(this.hub, this.options.spec, this.sites.map((s) => s.name));
    this.studyId = studyId;
    this.enrolmentTokens = tokens;
    await Promise.all(this.sites.map((site) => this.startAgent(site, tokens[site.name])));
    if (this.options.spec.federation?.autoStart === false) {
      // Started once every agent polls, the key ceremony's deadline times the ceremony, not the agents' start-up.
      await this.waitFor('every agent to poll the hub', (p) => p.sites.length === this.sites.length && p.sites.every((s) => s.lastSeenAt !== null));
      await this.client.studies.start.mutate({ studyId });
    }
  }

  /** The running hub (throws while it is down). */
  get hub(): HubProcess {
    if (!this.#hub) throw new Error('The hub is not running');
    return this.#hub;
  }

  /** The admin API of the running hub. */
  get client(): HubClient {
    if (!this.#client) throw new Error('The hub is not running');
    return this.#client;
  }

  /** Starts the hub on the consortium's data directory, database and port (first start, or after a kill). */
  async startHub(): Promise<HubProcess> {
    const hub = await startHubProcess({
      dataDir: this.hubDataDir,
      databaseUrl: this.database?.url,
      port: this.port,
      // Every start appends to the same log: one file tells the whole story.
      logFile: path.join(this.logsDir, 'hub.log'),
      env: childEnv({ CONSILIUM_LOG_LEVEL: this.options.logLevel ?? 'info' }),
    });
    this.#hub = hub;
    this.#client = adminClientOf(hub);
    void hub.waitForExit().then(({ code }) => this.#exitedUnexpectedly(hub.pid, `The hub exited unexpectedly (code ${code}).`, hub.logFile));
    return hub;
  }

  /** Kills the hub (SIGKILL: no clean shutdown) and waits until it is gone. */
  async killHub(): Promise<void> {
    const hub = this.hub;
    this.#ended.add(hub.pid);
    this.#hub = null;
    this.#client = null;
    hub.kill('SIGKILL');
    await hub.waitForExit();
  }

  /** Starts a site's agent: enrols it first with `token`, or runs the enrolled agent in its directory again. */
  startAgent(site: FaultSite, token?: string): Promise<AgentProcess> {
    return startSiteAgent(site, {
      hubUrl: this.hub.url,
      token,
      pollMs: this.options.agentPollMs ?? 300,
      logLevel: this.options.logLevel ?? 'info',
      onFailedExit: (agent, message) => this.#exitedUnexpectedly(agent.pid, message, site.logFile),
    });
  }

  /** Kills a site's agent (SIGKILL: no chance to finish what it was doing) and waits until it is gone. */
  async killAgent(site: FaultSite): Promise<void> {
    const agent = site.agent;
    if (!agent) throw new Error(`The agent of "${site.name}" is not running`);
    this.#ended.add(agent.pid);
    site.agent = null;
    agent.kill('SIGKILL');
    await agent.exited;
  }

  /** Freezes a site's agent (SIGSTOP): it neither computes nor answers, as if cut off, until thawed. */
  freezeAgent(site: FaultSite): void {
    freezeSiteAgent(site, this.#frozen);
  }

  /** Lets a frozen agent carry on (SIGCONT) from exactly where it stopped. */
  thawAgent(site: FaultSite): void {
    thawSiteAgent(site, this.#frozen);
  }

  /** The study's progress as the hub reports it now. */
  progress(): Promise<StudyProgress> {
    return this.client.studies.progress.query({ studyId: this.studyId });
  }

  /** Polls the study's progress until `pick` returns something (see waitForProgress): fails at once when a process dies that the test did not end. */
  waitFor<T>(what: string, pick: (progress: StudyProgress) => T | undefined | false, options: { timeoutMs?: number; pollMs?: number } = {}): Promise<T> {
    return waitForProgress(() => this.progress(), this.#failure.signal, what, pick, options);
  }

  /**
   * Polls a site's own agent.log (its agent writes it synchronously, so it is complete up to the
   * moment) until a line matches, e.g. to kill the agent in the middle of a given task.
   */
  async waitForAgentLog(site: FaultSite, what: string, match: (line: string) => boolean, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.#failure.signal.throwIfAborted();
      const text = await readFile(path.join(site.dir, 'agent.log'), 'utf8').catch(() => '');
      const line = text.split('\n').find(match);
      if (line !== undefined) return line;
      if (Date.now() > deadline) throw new Error(`Waited in vain for ${site.name}'s agent to log ${what}`);
      await sleep(20);
    }
  }

  /** The study over (every final evaluation in), then every agent's exit code (see finishStudy). */
  finish(timeoutMs: number): Promise<{ progress: StudyProgress; agentExitCodes: Record<string, number | null> }> {
    return finishStudy(this.client, this.studyId, this.sites, { timeoutMs, signal: this.#failure.signal });
  }

  /** Stops the hub cleanly (SIGTERM), e.g. to read its PGlite database afterwards. */
  async stopHub(): Promise<void> {
    const hub = this.#hub;
    if (!hub) return;
    this.#ended.add(hub.pid);
    this.#hub = null;
    this.#client = null;
    await hub.stop();
  }

  /** Stops every process, drops the database, removes the work directory (unless CONSILIUM_E2E_KEEP=1). */
  async close(): Promise<void> {
    this.#closing = true;
    // A stopped process would sit on SIGTERM until the grace period's SIGKILL: let it run first.
    for (const site of this.#frozen) this.thawAgent(site);
    try {
      await Promise.all(
        this.sites.map(async (site) => {
          await site.agent?.stop();
        }),
      );
      await this.stopHub();
      await this.database?.drop();
    } finally {
      if (this.workDir && e2eEnv.keepWorkDir) console.info(`[e2e] kept logs and data in ${this.workDir}`);
      else if (this.workDir) await rm(this.workDir, { recursive: true, force: true });
    }
  }

  #exitedUnexpectedly(pid: number, message: string, logFile: string): void {
    if (this.#closing || this.#ended.has(pid) || this.#failure.signal.aborted) return;
    void readLogTail(logFile, 15).then((tail) => this.#failure.abort(new Error(`${message}\nLast lines of ${logFile}:\n${tail}`)));
  }
}
