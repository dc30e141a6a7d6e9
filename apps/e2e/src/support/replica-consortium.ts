import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HubClient } from '@consilium/api/client';
import { writeSyntheticHospitals } from '@consilium/data/synthetic';
import { adminClientOf, createStudy, readLogTail, startHubProcess, type AgentProcess, type HubProcess, type StudyProgress } from '@consilium/demo/orchestrator';
import type { StudySpecInput } from '@consilium/schemas';
import { e2eEnv } from '../env.ts';
import type { FaultSite } from './fault-consortium.ts';
import type { HubDatabase, HubDatabaseTarget } from './hub-databases.ts';
import { finishStudy, freezeSiteAgent, startSiteAgent, thawSiteAgent, waitForProgress } from './consortium-processes.ts';
import { childEnv, freePort } from './processes.ts';

/** A site of the consortium and the replica (index into `hubs`) its agent talks to. */
export interface ReplicaSite extends FaultSite {
  replica: number;
}

/**
 * Several hub processes ("replicas") on one PostgreSQL database — stateless hubs behind what would
 * be a load balancer — and one real agent process per site, each pointed at one replica
 * (round-robin). Any replica can be killed and started again on its port. The agent knows one hub
 * URL only (apps/agent's config has a single hubUrl): a killed replica's agents retry until it is
 * back on the same port, as they would behind a load balancer that routes them elsewhere.
 *
 * Replicas share one data directory: the first start makes the bootstrap admin token and the hub's
 * signing key there, the others read them (a deployment gives every replica the same key).
 */
export class ReplicaConsortium {
  readonly label: string;
  readonly target: HubDatabaseTarget;
  readonly spec: StudySpecInput;
  readonly replicaCount: number;
  workDir = '';
  logsDir = '';
  hubDataDir = '';
  studyId = '';
  ports: number[] = [];
  sites: ReplicaSite[] = [];
  database: HubDatabase | null = null;
  readonly hubs: Array<HubProcess | null> = [];
  #adminToken = '';
  readonly #siteCount: number;
  readonly #ended = new Set<number>();
  readonly #frozen = new Set<FaultSite>();
  readonly #failure = new AbortController();
  #closing = false;

  constructor(options: { label: string; target: HubDatabaseTarget; spec: StudySpecInput; replicas: number; sites: number }) {
    this.label = options.label;
    this.target = options.target;
    this.spec = options.spec;
    this.replicaCount = options.replicas;
    this.#siteCount = options.sites;
  }

  /** Starts every replica, creates the study (through replica 1) and enrols each site's agent through its own replica. */
  async start(): Promise<void> {
    this.workDir = await mkdtemp(path.join(tmpdir(), `consilium-e2e-${this.label}-`));
    this.logsDir = path.join(this.workDir, 'logs');
    this.hubDataDir = path.join(this.workDir, 'hub');
    await mkdir(this.logsDir, { recursive: true });
    const hospitals = await writeSyntheticHospitals(path.join(this.workDir, 'data'), { seed: 7, sites: this.#siteCount });
    this.sites = hospitals.map((h, i) => ({
      name: h.name,
      dir: path.join(this.workDir, 'agents', h.slug),
      dataPath: h.path,
      logFile: path.join(this.logsDir, `agent-${h.slug}.log`),
      agent: null,
      replica: i % this.replicaCount,
    }));
    this.database = await this.target.create(this.hubDataDir);
    for (let i = 0; i < this.replicaCount; i++) {
      this.ports.push(await freePort());
      await this.startReplica(i);
    }
    const { studyId, tokens } = await createStudy(this.hub(0), this.spec, this.sites.map((s) => s.name));
    this.studyId = studyId;
    await Promise.all(this.sites.map((site) => this.#startAgent(site, tokens[site.name])));
  }

  /** Replica `i` (throws while it is down). */
  hub(i: number): HubProcess {
    const hub = this.hubs[i];
    if (!hub) throw new Error(`Hub replica ${i + 1} is not running`);
    return hub;
  }

  /** The admin API through replica `i` (default: the first one running). */
  client(i?: number): HubClient {
    const index = i ?? this.hubs.findIndex((h) => h !== null);
    return adminClientOf(this.hub(index));
  }

  /** Starts replica `i` on its port (first start, or after a kill). */
  async startReplica(i: number): Promise<HubProcess> {
    const hub = await startHubProcess({
      dataDir: this.hubDataDir,
      databaseUrl: this.database?.url,
      port: this.ports[i],
      logFile: path.join(this.logsDir, `hub-${i + 1}.log`),
      env: childEnv({ CONSILIUM_LOG_LEVEL: 'info' }),
      ...(this.#adminToken ? { adminToken: this.#adminToken } : {}),
    });
    this.#adminToken = hub.adminToken;
    this.hubs[i] = hub;
    void hub.waitForExit().then(({ code }) => this.#exitedUnexpectedly(hub.pid, `Hub replica ${i + 1} exited unexpectedly (code ${code}).`, hub.logFile));
    return hub;
  }

  /** Kills replica `i` (SIGKILL: no clean shutdown) and waits until it is gone. */
  async killReplica(i: number): Promise<void> {
    const hub = this.hub(i);
    this.#ended.add(hub.pid);
    this.hubs[i] = null;
    hub.kill('SIGKILL');
    await hub.waitForExit();
  }

  #startAgent(site: ReplicaSite, token: string | undefined): Promise<AgentProcess> {
    return startSiteAgent(site, {
      hubUrl: this.hub(site.replica).url,
      token,
      pollMs: 300,
      logLevel: 'info',
      onFailedExit: (agent, message) => this.#exitedUnexpectedly(agent.pid, message, site.logFile),
    });
  }

  freezeAgent(site: FaultSite): void {
    freezeSiteAgent(site, this.#frozen);
  }

  thawAgent(site: FaultSite): void {
    thawSiteAgent(site, this.#frozen);
  }

  progress(): Promise<StudyProgress> {
    return this.client().studies.progress.query({ studyId: this.studyId });
  }

  /** As FaultConsortium.waitFor: polls the progress (through a running replica) until `pick` returns something. */
  waitFor<T>(what: string, pick: (progress: StudyProgress) => T | undefined | false, options: { timeoutMs?: number; pollMs?: number } = {}): Promise<T> {
    return waitForProgress(() => this.progress(), this.#failure.signal, what, pick, options);
  }

  /** As FaultConsortium.finish: the study over (every final evaluation in), then every agent's exit code. */
  finish(timeoutMs: number): Promise<{ progress: StudyProgress; agentExitCodes: Record<string, number | null> }> {
    return finishStudy(this.client(), this.studyId, this.sites, { timeoutMs, signal: this.#failure.signal });
  }

  /** Stops every process, drops the database, removes the work directory (unless CONSILIUM_E2E_KEEP=1). */
  async close(): Promise<void> {
    this.#closing = true;
    for (const site of this.#frozen) this.thawAgent(site);
    try {
      await Promise.all(this.sites.map(async (site) => site.agent?.stop()));
      await Promise.all(
        this.hubs.map(async (hub, i) => {
          if (!hub) return;
          this.#ended.add(hub.pid);
          this.hubs[i] = null;
          await hub.stop();
        }),
      );
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
