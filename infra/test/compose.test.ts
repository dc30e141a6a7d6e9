import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envKeys, INFRA_DIR, isRecord, readText, readYaml, repoPath } from './repo.ts';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  env_file?: string | string[];
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  networks?: string[] | Record<string, { ipv4_address?: string } | null>;
  read_only?: boolean;
  cap_drop?: string[];
  security_opt?: string[];
  ports?: string[];
  command?: string[];
}

const compose = readYaml(path.join(INFRA_DIR, 'compose.yaml')) as { services: Record<string, Service>; volumes: Record<string, unknown>; networks: Record<string, { internal?: boolean; ipam?: { config: Array<{ subnet: string }> } }> };
const services = compose.services;

function parseEnvFile(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readText(file).split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

const example = parseEnvFile(path.join(INFRA_DIR, 'compose.env.example'));

describe('infra/compose.yaml', () => {
  it('runs PostgreSQL 16, the hub and the portal', () => {
    expect(Object.keys(services).sort()).toEqual(['hub', 'portal', 'postgres']);
    expect(services.postgres!.image).toMatch(/^postgres:16([.-]|$)/);
  });

  it('gives every service a healthcheck and starts services after healthy dependencies', () => {
    for (const [name, svc] of Object.entries(services)) {
      expect(svc.healthcheck?.test?.length, `${name} healthcheck`).toBeGreaterThan(0);
      expect(['CMD', 'CMD-SHELL']).toContain(svc.healthcheck!.test[0]);
      for (const [dep, cond] of Object.entries(svc.depends_on ?? {})) {
        expect(Object.keys(services), `${name} depends on ${dep}`).toContain(dep);
        expect(cond.condition).toBe('service_healthy');
      }
    }
    expect(Object.keys(services.hub!.depends_on ?? {})).toEqual(['postgres']);
    expect(Object.keys(services.portal!.depends_on ?? {})).toEqual(['hub']);
  });

  it('health-checks the endpoints the hub and the portal serve, on their ports', () => {
    const hubCheck = services.hub!.healthcheck!.test.join(' ');
    expect(hubCheck).toContain(`127.0.0.1:${services.hub!.environment!.CONSILIUM_PORT}/readyz`);
    expect(services.portal!.healthcheck!.test.join(' ')).toContain('127.0.0.1:3000/api/health');
    expect(services.postgres!.healthcheck!.test.join(' ')).toContain('pg_isready');
  });

  it('declares every named volume it mounts, and mounts every volume it declares', () => {
    const used = new Set<string>();
    for (const svc of Object.values(services)) {
      for (const v of svc.volumes ?? []) {
        const source = v.split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/')) used.add(source);
      }
    }
    expect([...used].sort()).toEqual(Object.keys(compose.volumes).sort());
    expect(services.hub!.volumes).toContain(`hub-data:${services.hub!.environment!.CONSILIUM_DATA_DIR}`);
    expect(services.postgres!.volumes!.some((v) => v.startsWith('postgres-data:/var/lib/postgresql/data'))).toBe(true);
  });

  it('uses only declared networks, and keeps PostgreSQL on an internal one', () => {
    for (const [name, svc] of Object.entries(services)) {
      const nets = Array.isArray(svc.networks) ? svc.networks : Object.keys(svc.networks ?? {});
      expect(nets.length, name).toBeGreaterThan(0);
      for (const n of nets) expect(Object.keys(compose.networks)).toContain(n);
    }
    expect(services.postgres!.networks).toEqual(['backend']);
    expect(compose.networks.backend!.internal).toBe(true);
    expect(services.postgres!.ports).toBeUndefined();
  });

  it('trusts the portal\'s fixed address for X-Forwarded-For, inside the frontend subnet', () => {
    const portalNets = services.portal!.networks as Record<string, { ipv4_address: string }>;
    const address = portalNets.frontend!.ipv4_address;
    expect(services.hub!.environment!.CONSILIUM_TRUSTED_PROXIES).toBe(address);
    const subnet = compose.networks.frontend!.ipam!.config[0]!.subnet;
    expect(address.split('.').slice(0, 3).join('.')).toBe(subnet.split('.').slice(0, 3).join('.'));
  });

  it('lets the hub serve plain HTTP on 0.0.0.0 only behind a TLS proxy, and says so', () => {
    expect(services.hub!.environment!.CONSILIUM_HOST).toBe('0.0.0.0');
    expect(services.hub!.environment!.CONSILIUM_ALLOW_PLAIN_HTTP).toBe('1');
    const text = readText(path.join(INFRA_DIR, 'compose.yaml'));
    expect(text).toMatch(/TLS-terminating reverse proxy/);
    expect(text).toContain('CONSILIUM_TLS_CERT');
  });

  it('points the portal at the hub service, and builds from the Dockerfiles in infra/docker', () => {
    expect(services.portal!.environment!.CONSILIUM_HUB_URL).toBe(`http://hub:${services.hub!.environment!.CONSILIUM_PORT}`);
    for (const name of ['hub', 'portal']) {
      const build = services[name]!.build!;
      const context = path.resolve(INFRA_DIR, build.context);
      expect(context).toBe(repoPath());
      expect(existsSync(path.join(context, build.dockerfile)), build.dockerfile).toBe(true);
      expect(existsSync(path.join(context, `${build.dockerfile}.dockerignore`)), `${build.dockerfile}.dockerignore`).toBe(true);
    }
    expect(services.hub!.command).toEqual(['serve']);
  });

  it('runs the hub and portal read-only, without capabilities', () => {
    for (const name of ['hub', 'portal']) {
      const svc = services[name]!;
      expect(svc.read_only, name).toBe(true);
      expect(svc.cap_drop).toEqual(['ALL']);
      expect(svc.security_opt).toContain('no-new-privileges:true');
    }
  });

  it('keeps secrets in the env file: compose.env.example has the keys, compose.yaml no values', () => {
    const text = readText(path.join(INFRA_DIR, 'compose.yaml'));
    expect(text).not.toMatch(/POSTGRES_PASSWORD\s*[:=]/);
    expect(text).not.toMatch(/postgres(ql)?:\/\/[^\s:@]+:[^\s@]+@/);
    expect(services.postgres!.env_file).toBe('compose.env');
    expect(services.hub!.env_file).toBe('compose.env');
    expect(readText(path.join(INFRA_DIR, '.gitignore'))).toMatch(/^compose\.env$/m);
    for (const key of ['POSTGRES_USER', 'POSTGRES_PASSWORD', 'POSTGRES_DB', 'DATABASE_URL']) expect(example[key], key).toBeTruthy();
  });

  it('has a DATABASE_URL in the example that matches the PostgreSQL settings and service name', () => {
    const url = new URL(example.DATABASE_URL!);
    expect(url.protocol).toBe('postgres:');
    expect(url.hostname).toBe('postgres');
    expect(url.port).toBe('5432');
    expect(decodeURIComponent(url.username)).toBe(example.POSTGRES_USER);
    expect(decodeURIComponent(url.password)).toBe(example.POSTGRES_PASSWORD);
    expect(url.pathname).toBe(`/${example.POSTGRES_DB}`);
  });

  it('sets only variables that PostgreSQL or the hub read', () => {
    const hub = envKeys(repoPath('apps', 'hub', 'src', 'env.ts'));
    expect(hub.has('DATABASE_URL')).toBe(true);
    for (const key of Object.keys(example)) {
      if (!key.startsWith('POSTGRES_')) expect(hub.has(key), `${key} is read by the hub`).toBe(true);
    }
    for (const key of Object.keys(services.hub!.environment!)) expect(hub.has(key), key).toBe(true);
    expect(isRecord(services.portal!.environment)).toBe(true);
    const portalEnv = readText(repoPath('apps', 'portal', 'src', 'env.ts'));
    for (const key of Object.keys(services.portal!.environment!)) expect(portalEnv).toContain(key);
  });
});
