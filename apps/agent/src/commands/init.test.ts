import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type AgentTestHub } from '../../test/test-hub.ts';
import { AgentConfig } from '../config.ts';

const CLI = path.join(import.meta.dirname, '..', '..', 'bin', 'consilium-agent.js');
const NODE = process.execPath;
/** The environment the agent runs in: none of this test process's CONSILIUM_* or proxy settings. */
const cleanEnv = (): Record<string, string> =>
  Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined && !/^CONSILIUM_|_proxy$|_PROXY$/i.test(e[0])));

function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(NODE, [CLI, ...args], { env: { ...cleanEnv(), ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasTmux) console.warn('consilium-agent init: the terminal test is SKIPPED because tmux is not installed (apt-get install -y tmux)');

describe('consilium-agent init', { timeout: 120_000 }, () => {
  let hub: AgentTestHub;
  let dir: string;
  beforeAll(async () => {
    hub = await startTestHub();
    dir = await mkdtemp(path.join(tmpdir(), 'consilium-init-'));
  }, 60_000);
  afterAll(async () => {
    await hub?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const expectConfigured = async (agentDir: string, token: string, output: string) => {
    const file = path.join(agentDir, 'config.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const config = AgentConfig.parse(JSON.parse(await readFile(file, 'utf8')));
    expect(config).toMatchObject({ hubUrl: hub.url, datasets: { [hub.studyId]: hub.csv } });
    expect((await stat(path.join(agentDir, 'identity.key'))).mode & 0o777).toBe(0o600);
    expect(output).toMatch(/Enrolled as site/);
    expect(output).toMatch(/Study "Agent test study/);
    expect(output).toContain('infra/systemd/consilium-agent.service');
    expect(output).toContain(`consilium-agent --dir ${agentDir} run`);
    for (const text of [output, await readFile(file, 'utf8'), await readFile(path.join(agentDir, 'agent.log'), 'utf8')]) expect(text).not.toContain(token);
  };

  it('sets a site up from flags and environment alone (--non-interactive)', async () => {
    const token = await hub.issueToken('Scripted Hospital');
    const agentDir = path.join(dir, 'scripted');
    const { code, stdout, stderr } = await runCli(['init', '--non-interactive', '--hub-url', hub.url, '--data', hub.csv, '--dir', agentDir], { CONSILIUM_ENROLLMENT_TOKEN: token });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    await expectConfigured(agentDir, token, stdout);
    // Not approved at enrolment (no --approve-study): the agent says who must approve the study.
    expect(stdout).toMatch(/A site administrator must approve the study in the portal \(or re-run enrolment with --approve-study\)/);
  });

  it('exits 2 naming what is wrong or missing when it cannot ask', async () => {
    const agentDir = path.join(dir, 'refused');
    const bad = await runCli(['init', '--yes', '--hub-url', 'hub.example.org', '--data', hub.csv, '--dir', agentDir], { CONSILIUM_ENROLLMENT_TOKEN: 'x'.repeat(20) });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Hub URL: must be an http:\/\/ or https:\/\/ URL/);
    const missing = await runCli(['init', '--non-interactive', '--hub-url', hub.url, '--data', hub.csv, '--dir', agentDir]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/Enrolment token is missing: pass --token \(or set CONSILIUM_ENROLLMENT_TOKEN\)/);
    const noFile = await runCli(['init', '--non-interactive', '--hub-url', hub.url, '--data', path.join(dir, 'nope.csv'), '--dir', agentDir], { CONSILIUM_ENROLLMENT_TOKEN: 'x'.repeat(20) });
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(/Data file \(CSV\): .*nope\.csv does not exist/);
    await expect(stat(agentDir)).rejects.toThrow();
  });

  it.skipIf(!hasTmux)('asks a person on a terminal (needs tmux), re-asks an invalid answer, hides the token', async () => {
    const token = await hub.issueToken('Terminal Hospital');
    const agentDir = path.join(dir, 'terminal');
    const socket = `consilium-init-${process.pid}`;
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
    const env = Object.entries({ ...cleanEnv(), TERM: 'xterm' }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    tmux('new-session', '-d', '-x', '200', '-y', '50', '-s', 'init', ...env, NODE, CLI, 'init');
    tmux('set-option', '-t', 'init', 'remain-on-exit', 'on');
    const screen = () => tmux('capture-pane', '-p', '-t', 'init', '-S', '-100');
    const waitFor = async (text: string | RegExp) => {
      for (let i = 0; i < 300; i++) {
        const shown = screen();
        if (typeof text === 'string' ? shown.includes(text) : text.test(shown)) return shown;
        await sleep(100);
      }
      throw new Error(`Timed out waiting for ${String(text)}; the screen shows:\n${screen()}`);
    };
    const type = (answer: string) => {
      if (answer) tmux('send-keys', '-t', 'init', '-l', answer);
      tmux('send-keys', '-t', 'init', 'Enter');
    };
    try {
      await waitFor('Hub URL:'); // (capture-pane drops trailing spaces)
      type(hub.url);
      await waitFor('Data file (CSV):');
      type(path.join(dir, 'missing.csv')); // wrong: re-asked, saying why
      await waitFor(/missing\.csv does not exist — please try again\.\n.*Data file \(CSV\):$/m);
      type(hub.csv);
      await waitFor('Agent data directory [');
      type(agentDir);
      await waitFor('Enrolment token:');
      type(token);
      await waitFor('Approve taking part in the study this token is for?');
      type('maybe'); // wrong: re-asked
      await waitFor(/answer yes or no — please try again\./);
      type('y');
      await waitFor('CA bundle for the hub');
      type('');
      await waitFor('HTTPS proxy (empty for none):');
      type('');
      const final = await waitFor('consilium-agent --dir');
      await waitFor(/status\s*\n/);
      const shown = screen();
      expect(shown).not.toContain(token);
      expect(shown).toMatch(/^Enrolment token:\n/m); // nothing echoed
      await expectConfigured(agentDir, token, final + shown);
      expect(final + shown).toMatch(/This site has approved taking part in study "Agent test study/);
    } finally {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    }
  });
});
