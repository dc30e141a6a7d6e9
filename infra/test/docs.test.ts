import { describe, expect, it } from 'vitest';
import { cliCommands, readText, repoPath } from './repo.ts';

const operations = readText(repoPath('docs', 'operations.md'));
const siteGuide = readText(repoPath('docs', 'site-admin-guide.md'));
const metricsSource = readText(repoPath('apps', 'hub', 'src', 'http', 'metrics.ts'));

describe('operator and site admin documentation', () => {
  it('names only metrics the hub exports, and all of its own', () => {
    // Metric names are the 'consilium_…' string literals of metrics.ts (the default-metrics prefix aside).
    const defined = new Set([...metricsSource.matchAll(/'(consilium_[a-z0-9_]*[a-z0-9])'/g)].map((m) => m[1]!));
    expect(defined.size).toBeGreaterThanOrEqual(9);
    expect(metricsSource).toContain("prefix: 'consilium_hub_'");
    const mentioned = new Set([...operations.matchAll(/\b(consilium_[a-z0-9_]+)/g)].map((m) => m[1]!));
    for (const name of mentioned) {
      // consilium_hub_* are prom-client's default process metrics under the hub's prefix.
      if (name.startsWith('consilium_hub_')) continue;
      const base = name.replace(/_(bucket|sum|count)$/, '');
      expect(defined.has(base), `${name} is exported by apps/hub/src/http/metrics.ts`).toBe(true);
    }
    for (const name of defined) expect(mentioned.has(name), `docs/operations.md mentions ${name}`).toBe(true);
  });

  it('uses only consilium-hub commands that exist', () => {
    const hub = cliCommands(repoPath('apps', 'hub', 'src', 'cli.ts'));
    const used = [...`${operations}\n${siteGuide}`.matchAll(/consilium-hub ([a-z]+(?::[a-z-]+)?)/g)].map((m) => m[1]!);
    expect(used).toContain('audit:verify');
    for (const command of used) expect(hub.has(command), `consilium-hub ${command}`).toBe(true);
  });

  it('uses only consilium-agent commands that exist (and init, being added)', () => {
    const agent = cliCommands(repoPath('apps', 'agent', 'src', 'cli.ts'));
    const used = [...`${operations}\n${siteGuide}`.matchAll(/consilium-agent (?:--dir \S+ )?([a-z][a-z-]*)\b/g)].map((m) => m[1]!);
    for (const command of ['enroll', 'doctor', 'run', 'status', 'log', 'init']) expect(used, command).toContain(command);
    for (const command of used) expect(agent.has(command) || command === 'init', `consilium-agent ${command}`).toBe(true);
  });

  it('tells the site admin about the proxy and CA variables and the firewall rule', () => {
    for (const text of ['HTTPS_PROXY', 'NO_PROXY', 'NODE_EXTRA_CA_CERTS', '/etc/consilium-agent/env', '/var/lib/consilium-agent', 'transfers.ndjson', 'outbound']) {
      expect(siteGuide, text).toContain(text);
    }
  });

  it('tells the operator how the hub gets TLS, and about per-site rate limits', () => {
    for (const text of ['## TLS', '--tls-cert', '--tls-key', '--allow-plain-http', 'CONSILIUM_ALLOW_PLAIN_HTTP', 'CONSILIUM_TLS_CERT', 'CONSILIUM_SITE_RATE_LIMIT', 'RATE_LIMITED', 'replica']) {
      expect(operations, text).toContain(text);
    }
    const hubEnv = readText(repoPath('apps', 'hub', 'src', 'env.ts'));
    for (const key of ['CONSILIUM_TLS_CERT', 'CONSILIUM_TLS_KEY', 'CONSILIUM_ALLOW_PLAIN_HTTP', 'CONSILIUM_SITE_RATE_LIMIT']) expect(hubEnv, key).toMatch(new RegExp(`\\b${key}:`));
  });

  it('tells the operator what to back up and how', () => {
    for (const text of ['pg_dump', 'pg_restore', 'hub-signing-key.pem', 'consilium-hub audit:verify', '/readyz', '/healthz', 'docker compose -f infra/compose.yaml', 'kubectl apply -k infra/k8s/overlays/production']) {
      expect(operations, text).toContain(text);
    }
  });
});
