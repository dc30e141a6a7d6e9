import { statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliCommands, INFRA_DIR, readJson, readText, repoPath } from './repo.ts';

const UNIT_FILE = path.join(INFRA_DIR, 'systemd', 'consilium-agent.service');
const LAUNCHER = path.join(INFRA_DIR, 'systemd', 'consilium-agent');
const DATA_DIR = '/var/lib/consilium-agent';

/** A unit file as section → key → values (a key may repeat); comments are dropped. */
export function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[([A-Za-z]+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (!kv || !current) throw new Error(`Cannot read unit line: ${line}`);
    current.set(kv[1]!, [...(current.get(kv[1]!) ?? []), kv[2]!.trim()]);
  }
  return sections;
}

const unit = parseUnit(readText(UNIT_FILE));
const service = unit.get('Service')!;
const one = (key: string) => {
  const v = service.get(key);
  if (v?.length !== 1) throw new Error(`${key} is set ${v?.length ?? 0} times`);
  return v[0]!;
};

describe('infra/systemd/consilium-agent.service', () => {
  it('parses, and the parser rejects junk (so the checks below can fail)', () => {
    expect([...unit.keys()]).toEqual(['Unit', 'Service', 'Install']);
    expect(() => parseUnit('[Service]\nnot a setting\n')).toThrow();
  });

  it('runs as the dedicated consilium user and restarts on failure', () => {
    expect(one('User')).toBe('consilium');
    expect(one('Group')).toBe('consilium');
    expect(one('Restart')).toBe('on-failure');
    expect(unit.get('Install')!.get('WantedBy')).toEqual(['multi-user.target']);
    expect(unit.get('Unit')!.get('After')).toEqual(['network-online.target']);
  });

  it('reads the optional environment file for proxy and CA settings', () => {
    expect(one('EnvironmentFile')).toBe('-/etc/consilium-agent/env');
    const example = readText(path.join(INFRA_DIR, 'systemd', 'env.example'));
    for (const key of ['HTTPS_PROXY', 'NO_PROXY', 'NODE_EXTRA_CA_CERTS']) expect(example).toMatch(new RegExp(`^#?${key}=`, 'm'));
  });

  it('makes the data directory the only writable path', () => {
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('ReadWritePaths')).toBe(DATA_DIR);
    expect(one('StateDirectory')).toBe(path.basename(DATA_DIR));
    expect(one('Environment').split(' ')).toContain(`CONSILIUM_AGENT_DIR=${DATA_DIR}`);
    expect(one('WorkingDirectory')).toBe(DATA_DIR);
  });

  it('has the hardening settings', () => {
    const expected: Record<string, string> = {
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      NoNewPrivileges: 'yes',
      CapabilityBoundingSet: '',
      AmbientCapabilities: '',
      SystemCallFilter: '@system-service',
      PrivateDevices: 'yes',
      ProtectKernelTunables: 'yes',
      ProtectKernelModules: 'yes',
      ProtectControlGroups: 'yes',
      RestrictNamespaces: 'yes',
      RestrictSUIDSGID: 'yes',
      LockPersonality: 'yes',
      UMask: '0077',
    };
    for (const [key, value] of Object.entries(expected)) expect(one(key), key).toBe(value);
    expect(new Set(one('RestrictAddressFamilies').split(/\s+/))).toEqual(new Set(['AF_INET', 'AF_INET6', 'AF_UNIX']));
  });

  it('does not set MemoryDenyWriteExecute, and says why', () => {
    expect(service.has('MemoryDenyWriteExecute')).toBe(false);
    const text = readText(UNIT_FILE);
    expect(text).toMatch(/^# MemoryDenyWriteExecute is deliberately NOT set/m);
    expect(text).toMatch(/WebAssembly/);
  });

  it('starts the launcher, which runs the agent bin with the bundled Node and the same data directory', () => {
    const [launcher, command] = one('ExecStart').split(' ');
    expect(launcher).toBe('/opt/consilium-agent/bin/consilium-agent');
    expect(cliCommands(repoPath('apps', 'agent', 'src', 'cli.ts')).has(command!)).toBe(true);
    const script = readText(LAUNCHER);
    expect(script.startsWith('#!/bin/sh\n')).toBe(true);
    expect(statSync(LAUNCHER).mode & 0o111).not.toBe(0);
    const bin = readJson<{ bin: Record<string, string> }>(repoPath('apps', 'agent', 'package.json')).bin['consilium-agent']!;
    expect(script).toContain(`exec /opt/consilium-agent/node/bin/node ${path.posix.join('/opt/consilium-agent/apps/agent', bin)} "$@"`);
    expect(script).toContain(`CONSILIUM_AGENT_DIR:=${DATA_DIR}`);
    // The agent reads CONSILIUM_AGENT_DIR.
    expect(readText(repoPath('apps', 'agent', 'src', 'env.ts'))).toContain('CONSILIUM_AGENT_DIR');
  });
});
