/**
 * No secret ever appears in a log line: a whole encrypted study (3 sites, key ceremony, statistics
 * round, 2 training rounds, final evaluation) run by real agent processes against a real hub, every
 * process logging at trace level; then every log the run wrote is scanned for every secret the run
 * produced, in every form it could be written in (formsOf in @consilium/domain/testing: as is, PEM
 * body and lines, DER, raw key seed, base64/base64url/hex of bytes).
 *
 * Secrets: each site's identity private key and one-time enrolment token, the hub's admin token
 * (and signing key, if the run created one), and each site's key-custody secrets — the ceremony's
 * secret share s_i and box private key (read while they exist: the agent deletes them once it holds
 * its threshold share) and the threshold key share itself.
 * Logs: each agent's agent.log, the stdout/stderr log of its processes (enrol and run) and its
 * transfers.ndjson; the hub's log; what `consilium-agent status`, `log` and `log --json` print.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { agentCliScript } from '@consilium/demo/orchestrator';
import { formsOf, leaks, type Secret } from '@consilium/domain/testing';
import { FaultConsortium, type FaultSite } from './support/fault-consortium.ts';
import { faultStudySpec } from './support/fault-study.ts';
import { hubDatabaseTargets } from './support/hub-databases.ts';
import { childEnv } from './support/processes.ts';

const run = promisify(execFile);

const TRAINING_ROUNDS = 2;

/** Key-custody files: study-keys.ts writes these under studies/<id>/, per key epoch. */
const CUSTODY_FILE = /^(secret-share|threshold-share)-e\d+\.bin$|^box-key-e\d+\.json$/;

const pglite = hubDatabaseTargets().find((t) => t.kind === 'pglite')!;

describe('secrets in the logs of a full run', () => {
  let consortium: FaultConsortium | undefined;
  let custody: CustodyWatcher | undefined;
  afterEach(async () => {
    custody?.stop();
    await custody?.done();
    await consortium?.close();
    consortium = undefined;
  });

  it('finds no secret in any form in any log, output or transfer record (and would find one)', async () => {
    const started = performance.now();
    const spec = faultStudySpec({ autoStart: false });
    consortium = new FaultConsortium({
      label: 'secrets-in-logs',
      target: pglite,
      spec: { ...spec, training: { ...spec.training, rounds: TRAINING_ROUNDS } },
      logLevel: 'trace',
    });
    // Watching from before the first enrolment; the ceremony (and so the secrets) starts only once
    // every agent polls and the study is started (autoStart false).
    custody = new CustodyWatcher(consortium);
    await consortium.start();
    const { progress, agentExitCodes } = await consortium.finish(120_000);
    expect(progress.status, progress.failureReason ?? '').toBe('completed');
    expect(progress.rounds.map((r) => [r.index, r.status])).toEqual([[0, 'complete'], ...Array.from({ length: TRAINING_ROUNDS }, (_, i) => [i + 1, 'complete'])]);
    expect(agentExitCodes).toEqual(Object.fromEntries(consortium.sites.map((s) => [s.name, 0])));

    // What the agent's commands print, while the hub still answers `status`.
    const outputs = new Map<string, string[]>();
    const first = consortium.sites[0]!;
    for (const args of [['status'], ['log'], ['log', '--json']]) {
      outputs.set(`consilium-agent ${args.join(' ')} (${first.name})`, await agentOutput(first, args));
    }
    await consortium.stopHub();
    custody.stop();
    await custody.sweep();

    // Every secret of the run.
    const secrets = new Map<string, Secret>();
    for (const [site, token] of Object.entries(consortium.enrolmentTokens)) secrets.set(`enrolment token of ${site}`, token);
    secrets.set('hub admin token', (await readFile(path.join(consortium.hubDataDir, 'admin-token'), 'utf8')).trim());
    const signingKey = await readFile(path.join(consortium.hubDataDir, 'hub-signing-key.pem'), 'utf8').catch(() => null);
    if (signingKey !== null) secrets.set('hub signing key', signingKey);
    for (const site of consortium.sites) secrets.set(`identity key of ${site.name}`, await readFile(path.join(site.dir, 'identity.key'), 'utf8'));
    for (const [name, secret] of custody.secrets) secrets.set(name, secret);
    // Not vacuous: every site's ceremony secrets were caught before the agent deleted them, and its threshold share is there.
    for (const site of consortium.sites) {
      for (const kind of ['secret share', 'box private key', 'threshold key share']) {
        expect([...custody.secrets.keys()].some((name) => name.startsWith(`${kind} e`) && name.includes(` of ${site.name}`)), `${kind} of ${site.name}`).toBe(true);
      }
    }

    // Every log of the run.
    const logs = new Map<string, string[]>(outputs);
    for (const site of consortium.sites) {
      logs.set(`agent.log of ${site.name}`, await linesOf(path.join(site.dir, 'agent.log')));
      logs.set(`process log of ${site.name}`, await linesOf(site.logFile));
      logs.set(`transfers.ndjson of ${site.name}`, await linesOf(path.join(site.dir, 'transfers.ndjson')));
    }
    logs.set('hub log', await linesOf(path.join(consortium.logsDir, 'hub.log')));
    for (const [name, lines] of logs) expect(lines.length, `${name} is empty`).toBeGreaterThan(0);
    // The logs are of the whole run: the ceremony, the rounds, the final evaluation.
    const agentLog = logs.get(`agent.log of ${first.name}`)!.join('\n');
    for (const msg of ['"msg":"enrolled"', '"msg":"collective key confirmed"', `"task":"round ${TRAINING_ROUNDS}: training"`, '"msg":"study completed"']) expect(agentLog).toContain(msg);

    const found = [...logs].flatMap(([name, lines]) => leaks(lines, secrets, name));
    const scanned = [...logs.values()].reduce((n, lines) => n + lines.length, 0);
    console.info(
      `[e2e] secrets in logs: ${secrets.size} secrets (${[...secrets.values()].reduce((n, s) => n + formsOf(s).length, 0)} forms) ` +
        `in ${logs.size} logs (${scanned} lines); ${Math.round(performance.now() - started)} ms`,
    );
    expect(found).toEqual([]);

    // The scan would catch one: any secret, in any of its forms, planted in a copy of a log.
    const hubLog = logs.get('hub log')!;
    for (const [name, secret] of secrets) {
      for (const form of formsOf(secret)) {
        const planted = [...hubLog, JSON.stringify({ level: 30, msg: 'request', detail: form })];
        expect(leaks(planted, new Map([[name, secret]]), 'hub log (planted)'), `${name} planted as ${form.slice(0, 16)}…`).not.toEqual([]);
      }
    }
  }, 180_000);
});

/**
 * Reads every site's key-custody files as they appear, every few milliseconds, until stopped: s_i
 * and the box key exist only between the ceremony's first and last stage.
 */
class CustodyWatcher {
  /** By name ("<kind> e<epoch> of <site>", plus " (version n)" if a file changed). */
  readonly secrets = new Map<string, Uint8Array>();
  readonly #consortium: FaultConsortium;
  readonly #seen = new Set<string>();
  #stopped = false;
  readonly #loop: Promise<void>;

  constructor(consortium: FaultConsortium) {
    this.#consortium = consortium;
    this.#loop = this.#watch();
  }

  stop(): void {
    this.#stopped = true;
  }

  async #watch(): Promise<void> {
    while (!this.#stopped) {
      await this.sweep().catch(() => undefined);
      await sleep(10);
    }
  }

  /** One look at every site's study directories. */
  async sweep(): Promise<void> {
    for (const site of this.#consortium.sites) {
      const studies = path.join(site.dir, 'studies');
      for (const study of await readdir(studies).catch(() => [])) {
        for (const file of await readdir(path.join(studies, study)).catch(() => [])) {
          if (CUSTODY_FILE.test(file)) await this.#keep(site, path.join(studies, study, file));
        }
      }
    }
  }

  async #keep(site: FaultSite, file: string): Promise<void> {
    const content = await readFile(file).catch(() => null);
    if (content === null) return; // deleted meanwhile
    const name = path.basename(file);
    const epoch = /-e(\d+)\./.exec(name)![1]!;
    // As study-keys.ts stores them: s_i and the threshold share raw, the box key pair as base64 in JSON (its private half is the secret).
    const secret = name.startsWith('box-key')
      ? Buffer.from((JSON.parse(content.toString('utf8')) as { privateKey: string }).privateKey, 'base64')
      : content;
    const key = `${file}:${secret.toString('base64')}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    const kind = name.startsWith('secret-share') ? 'secret share' : name.startsWith('box-key') ? 'box private key' : 'threshold key share';
    const base = `${kind} e${epoch} of ${site.name}`;
    let label = base;
    for (let n = 2; this.secrets.has(label); n++) label = `${base} (version ${n})`;
    this.secrets.set(label, new Uint8Array(secret));
  }

  /** Resolves once the watching loop has ended (after stop()). */
  done(): Promise<void> {
    return this.#loop;
  }
}

/** Runs `consilium-agent --dir <site> <args>` and returns what it printed (stdout and stderr), by line. */
async function agentOutput(site: FaultSite, args: string[]): Promise<string[]> {
  const { stdout, stderr } = await run(process.execPath, [agentCliScript(), '--dir', site.dir, ...args], { env: childEnv(), timeout: 30_000 });
  return `${stdout}\n${stderr}`.split('\n').filter((line) => line.trim() !== '');
}

async function linesOf(file: string): Promise<string[]> {
  return (await readFile(file, 'utf8')).split('\n').filter((line) => line.trim() !== '');
}
