import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { objectId, parseImage, podContainers, podSpec, renderKustomization, type Container, type K8sObject } from './kustomize.ts';
import { INFRA_DIR, isRecord, readText, repoPath } from './repo.ts';

const BASE = path.join(INFRA_DIR, 'k8s', 'base');
const PRODUCTION = path.join(INFRA_DIR, 'k8s', 'overlays', 'production');

/** The API version each kind must use (current, non-deprecated APIs). */
const KNOWN_KINDS: Record<string, string> = {
  Namespace: 'v1',
  ConfigMap: 'v1',
  Service: 'v1',
  Deployment: 'apps/v1',
  PodDisruptionBudget: 'policy/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
  Ingress: 'networking.k8s.io/v1',
};

/** Secrets the manifests expect the operator to create (docs/operations.md), and the keys used. */
const EXTERNAL_SECRETS: Record<string, string[]> = {
  'consilium-hub': ['database-url', 'hub-signing-key.pem'],
  'consilium-tls': [],
};

const HUB_LABELS = { 'app.kubernetes.io/name': 'consilium-hub', 'app.kubernetes.io/component': 'hub' };

const renderings: Array<[string, () => K8sObject[]]> = [
  ['base', () => renderKustomization(BASE)],
  ['overlays/production', () => renderKustomization(PRODUCTION)],
];

function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`${kind}/${name} not found`);
  return found;
}

function templateLabels(o: K8sObject): Record<string, string> {
  const spec = o.spec as { template?: { metadata?: { labels?: Record<string, string> } } };
  return spec.template?.metadata?.labels ?? {};
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Kubernetes quantities as numbers (cores, bytes). */
export function quantity(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : JSON.stringify(value);
  const m = /^([0-9]+(?:\.[0-9]+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(text);
  if (!m) throw new Error(`Not a quantity: ${text}`);
  const factor: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(m[1]) * (m[2] ? factor[m[2]]! : 1);
}

/** Every string anywhere in a value, with its path. */
function strings(value: unknown, at = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[at, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${at}[${i}]`));
  if (isRecord(value)) return Object.entries(value).flatMap(([k, v]) => [...strings(k, `${at}.<key>`), ...strings(v, `${at}.${k}`)]);
  return [];
}

describe('quantity parsing (used by the limit checks)', () => {
  it('reads CPU and memory quantities', () => {
    expect(quantity('250m')).toBe(0.25);
    expect(quantity('2')).toBe(2);
    expect(quantity('512Mi')).toBe(512 * 2 ** 20);
    expect(() => quantity('lots')).toThrow();
  });
});

describe.each(renderings)('Kubernetes manifests: %s', (_name, render) => {
  const objects = render();
  const deployments = objects.filter((o) => o.kind === 'Deployment');

  it('renders the expected objects', () => {
    const ids = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    for (const id of ['Deployment/consilium-hub', 'Deployment/consilium-portal', 'Service/consilium-hub', 'Service/consilium-portal', 'Ingress/consilium', 'PodDisruptionBudget/consilium-hub', 'HorizontalPodAutoscaler/consilium-hub', 'ConfigMap/consilium-hub']) {
      expect(ids).toContain(id);
    }
    expect(new Set(objects.map(objectId)).size).toBe(objects.length);
  });

  it('uses known kinds with their current apiVersion, and valid names', () => {
    for (const o of objects) {
      expect(KNOWN_KINDS[o.kind], `unknown kind ${o.kind}`).toBeDefined();
      expect(o.apiVersion, `${o.kind}/${o.metadata.name}`).toBe(KNOWN_KINDS[o.kind]);
      expect(o.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      expect(o.metadata.name.length).toBeLessThanOrEqual(63);
      if (o.kind !== 'Namespace' && o.kind !== 'ConfigMap') expect(isRecord(o.spec), `${o.kind}/${o.metadata.name} has a spec`).toBe(true);
    }
  });

  it('has no Secret objects and no plaintext secret values', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    for (const o of objects) {
      for (const [at, text] of strings(o)) {
        const where = `${objectId(o)} ${at}`;
        expect(text, where).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
        expect(text, where).not.toMatch(/\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i); // credentials in a URL
        expect(text, where).not.toMatch(/\b(cadm|cst|cses)_[A-Za-z0-9_-]{20,}/); // hub tokens
      }
      for (const c of podContainers(o)) {
        for (const env of (c.env as Array<{ name: string; value?: unknown }> | undefined) ?? []) {
          if (/PASSWORD|SECRET|TOKEN|PRIVATE|DATABASE_URL/i.test(env.name)) expect(env.value, `${c.name} ${env.name} must come from a Secret`).toBeUndefined();
        }
      }
    }
  });

  it('references only the documented external Secrets, with their keys', () => {
    const operations = readText(repoPath('docs', 'operations.md'));
    const refs: Array<[string, string | undefined]> = [];
    for (const o of objects) {
      const spec = podSpec(o);
      for (const v of (spec?.volumes as Array<Record<string, unknown>> | undefined) ?? []) {
        const secret = v.secret as { secretName: string; items?: Array<{ key: string }> } | undefined;
        if (secret) for (const item of secret.items ?? [{ key: undefined as unknown as string }]) refs.push([secret.secretName, item.key]);
      }
      for (const c of podContainers(o)) {
        for (const env of (c.env as Array<{ valueFrom?: { secretKeyRef?: { name: string; key: string } } }> | undefined) ?? []) {
          const ref = env.valueFrom?.secretKeyRef;
          if (ref) refs.push([ref.name, ref.key]);
        }
      }
      if (o.kind === 'Ingress') for (const tls of (o.spec as { tls?: Array<{ secretName?: string }> }).tls ?? []) refs.push([tls.secretName ?? '', undefined]);
    }
    expect(refs.length).toBeGreaterThan(0);
    for (const [name, key] of refs) {
      expect(Object.keys(EXTERNAL_SECRETS), `secret ${name}`).toContain(name);
      if (key !== undefined) expect(EXTERNAL_SECRETS[name], `key ${key} of ${name}`).toContain(key);
      expect(operations, `docs/operations.md explains the Secret ${name}`).toContain(name);
    }
    expect(refs.map(([n, k]) => `${n}/${k}`)).toEqual(expect.arrayContaining(['consilium-hub/database-url', 'consilium-hub/hub-signing-key.pem', 'consilium-tls/undefined']));
  });

  it('runs every container with resource requests and limits (limits >= requests)', () => {
    for (const d of deployments) {
      for (const c of podContainers(d)) {
        const r = c.resources as { requests?: Record<string, unknown>; limits?: Record<string, unknown> } | undefined;
        for (const kind of ['requests', 'limits'] as const) {
          for (const resource of ['cpu', 'memory']) expect(r?.[kind]?.[resource], `${d.metadata.name}/${c.name} ${kind}.${resource}`).toBeDefined();
        }
        for (const resource of ['cpu', 'memory']) expect(quantity(r!.limits![resource])).toBeGreaterThanOrEqual(quantity(r!.requests![resource]));
      }
    }
  });

  it('meets the restricted security profile in every pod and container', () => {
    for (const d of deployments) {
      const spec = podSpec(d)!;
      const pod = spec.securityContext as Record<string, unknown>;
      expect(pod.runAsNonRoot, d.metadata.name).toBe(true);
      expect(pod.runAsUser).not.toBe(0);
      expect(pod.seccompProfile).toEqual({ type: 'RuntimeDefault' });
      expect(spec.automountServiceAccountToken, d.metadata.name).toBe(false);
      expect(spec.hostNetwork ?? false).toBe(false);
      expect(spec.hostPID ?? false).toBe(false);
      for (const c of podContainers(d)) {
        const sc = c.securityContext as Record<string, unknown> & { capabilities?: { drop?: string[]; add?: string[] } };
        const where = `${d.metadata.name}/${c.name}`;
        expect(sc, where).toBeDefined();
        expect(sc.runAsNonRoot ?? pod.runAsNonRoot, where).toBe(true);
        expect(sc.allowPrivilegeEscalation, where).toBe(false);
        expect(sc.readOnlyRootFilesystem, where).toBe(true);
        expect(sc.privileged ?? false, where).toBe(false);
        expect(sc.capabilities?.drop, where).toContain('ALL');
        expect(sc.capabilities?.add ?? [], where).toEqual([]);
        expect(sc.seccompProfile ?? pod.seccompProfile, where).toEqual({ type: 'RuntimeDefault' });
      }
    }
  });

  it('mounts only declared volumes, and every ConfigMap it reads exists', () => {
    const configMaps = new Set(objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata.name));
    for (const d of deployments) {
      const volumes = new Set(((podSpec(d)!.volumes as Array<{ name: string }> | undefined) ?? []).map((v) => v.name));
      for (const c of podContainers(d)) {
        for (const m of (c.volumeMounts as Array<{ name: string }> | undefined) ?? []) expect(volumes, `${d.metadata.name}/${c.name} mounts ${m.name}`).toContain(m.name);
        for (const e of (c.envFrom as Array<{ configMapRef?: { name: string } }> | undefined) ?? []) if (e.configMapRef) expect(configMaps).toContain(e.configMapRef.name);
      }
    }
  });

  it('probes the hub (/healthz live, /readyz ready) and the portal on ports they expose', () => {
    const expected: Record<string, { live: string; ready: string }> = {
      'consilium-hub': { live: '/healthz', ready: '/readyz' },
      'consilium-portal': { live: '/api/health', ready: '/api/health' },
    };
    for (const [name, paths] of Object.entries(expected)) {
      const d = find(objects, 'Deployment', name);
      const containers = (podSpec(d)!.containers as Container[]);
      expect(containers.length).toBeGreaterThan(0);
      for (const c of containers) {
        const ports = (c.ports as Array<{ name?: string; containerPort: number }> | undefined) ?? [];
        for (const [probe, probePath] of [['livenessProbe', paths.live], ['readinessProbe', paths.ready]] as const) {
          const p = c[probe] as { httpGet?: { path: string; port: string | number } } | undefined;
          expect(p?.httpGet?.path, `${name} ${probe}`).toBe(probePath);
          const port = p!.httpGet!.port;
          expect(ports.some((cp) => cp.name === port || cp.containerPort === port), `${name} ${probe} port ${port}`).toBe(true);
        }
      }
    }
    // The portal's probe path is served without a session (excluded from its sign-in redirect).
    expect(readText(repoPath('apps', 'portal', 'src', 'proxy.ts'))).toContain('api/health');
    const server = readText(repoPath('apps', 'hub', 'src', 'http', 'server.ts'));
    expect(server).toContain("'/healthz'");
    expect(server).toContain("'/readyz'");
  });

  it('runs the hub with 3 replicas, rolled out one new pod at a time (migrations run at start)', () => {
    const hub = find(objects, 'Deployment', 'consilium-hub');
    const spec = hub.spec as { replicas: number; strategy: { type: string; rollingUpdate: { maxSurge: number; maxUnavailable: number } }; selector: { matchLabels: Record<string, string> } };
    expect(spec.replicas).toBe(3);
    expect(spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    expect(spec.selector.matchLabels).toEqual(HUB_LABELS);
    // The hub migrates in `serve`: there is no separate migrate command this could run instead.
    expect(readText(repoPath('apps', 'hub', 'src', 'create-hub.ts'))).toContain('await database.migrate()');
    const hubContainer = (podSpec(hub)!.containers as Container[]).find((c) => c.name === 'hub')!;
    expect(hubContainer.args).toEqual(['serve']);
    const env = (hubContainer.env as Array<{ name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>).find((e) => e.name === 'DATABASE_URL');
    expect(env?.valueFrom?.secretKeyRef).toEqual({ name: 'consilium-hub', key: 'database-url' });
  });

  it('installs the signing key into the data directory with a mode the hub accepts', () => {
    const hub = find(objects, 'Deployment', 'consilium-hub');
    const spec = podSpec(hub)!;
    const init = (spec.initContainers as Container[]).find((c) => c.name === 'install-signing-key');
    expect(init?.command).toEqual(['install', '-m', '0600', '/run/secrets/consilium-hub/hub-signing-key.pem', '/var/lib/consilium-hub/hub-signing-key.pem']);
    const volume = (spec.volumes as Array<{ name: string; secret?: { defaultMode?: number } }>).find((v) => v.name === 'signing-key');
    expect(volume?.secret?.defaultMode).toBe(0o440); // readable through fsGroup, copied to 0600
    expect(readText(repoPath('apps', 'hub', 'src', 'hub-signing-key.ts'))).toContain("SIGNING_KEY_FILE = 'hub-signing-key.pem'");
    const config = find(objects, 'ConfigMap', 'consilium-hub').data as Record<string, string>;
    expect(config.CONSILIUM_DATA_DIR).toBe('/var/lib/consilium-hub');
  });

  it('sets only environment variables the hub reads', () => {
    const hubEnv = readText(repoPath('apps', 'hub', 'src', 'env.ts'));
    const config = find(objects, 'ConfigMap', 'consilium-hub').data as Record<string, string>;
    for (const key of Object.keys(config)) expect(hubEnv, key).toMatch(new RegExp(`\\b${key}:`));
    expect(config.CONSILIUM_HOST).toBe('0.0.0.0');
  });

  it('serves plain HTTP inside the cluster only because the Ingress terminates TLS', () => {
    const config = find(objects, 'ConfigMap', 'consilium-hub').data as Record<string, string>;
    // On 0.0.0.0 without a certificate the hub refuses to start unless told a TLS proxy is in front.
    expect(config.CONSILIUM_ALLOW_PLAIN_HTTP).toBe('1');
    expect(config.CONSILIUM_TLS_CERT).toBeUndefined();
    const ingress = find(objects, 'Ingress', 'consilium').spec as { tls: Array<{ hosts: string[] }>; rules: Array<{ host: string; http: { paths: Array<{ backend: { service: { name: string } } }> } }> };
    const hubHosts = ingress.rules.filter((r) => r.http.paths.some((p) => p.backend.service.name === 'consilium-hub')).map((r) => r.host);
    expect(hubHosts.length).toBeGreaterThan(0);
    for (const host of hubHosts) expect(ingress.tls.flatMap((t) => t.hosts)).toContain(host);
    expect(readText(repoPath('apps', 'hub', 'src', 'transport-security.ts'))).toContain('--allow-plain-http (CONSILIUM_ALLOW_PLAIN_HTTP=1)');
    // The per-site limit, if set, is a whole number of requests per minute.
    if (config.CONSILIUM_SITE_RATE_LIMIT !== undefined) expect(config.CONSILIUM_SITE_RATE_LIMIT).toMatch(/^[0-9]+$/);
  });

  it('selects the hub pods with its PodDisruptionBudget and scales the hub Deployment with its HPA', () => {
    const hub = find(objects, 'Deployment', 'consilium-hub');
    const pdb = find(objects, 'PodDisruptionBudget', 'consilium-hub').spec as { minAvailable: number; selector: { matchLabels: Record<string, string> } };
    expect(selects(pdb.selector.matchLabels, templateLabels(hub))).toBe(true);
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'consilium-hub').spec as { scaleTargetRef: Record<string, string>; minReplicas: number; maxReplicas: number; metrics: unknown[] };
    expect(hpa.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'consilium-hub' });
    expect(hpa.minReplicas).toBeGreaterThanOrEqual(3);
    expect(hpa.maxReplicas).toBeGreaterThanOrEqual(hpa.minReplicas);
    expect(hpa.metrics.length).toBeGreaterThan(0);
    // A node drain must be able to evict one hub pod at the HPA's minimum.
    expect(pdb.minAvailable).toBeLessThan(hpa.minReplicas);
    for (const other of objects.filter((o) => o.kind === 'PodDisruptionBudget')) {
      const selector = (other.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels;
      expect(deployments.filter((d) => selects(selector, templateLabels(d))), other.metadata.name).toHaveLength(1);
    }
  });

  it('has Services that select exactly one Deployment, on ports its containers expose', () => {
    for (const svc of objects.filter((o) => o.kind === 'Service')) {
      const spec = svc.spec as { selector: Record<string, string>; ports: Array<{ name: string; port: number; targetPort: string | number }> };
      const matched = deployments.filter((d) => selects(spec.selector, templateLabels(d)));
      expect(matched.map((d) => d.metadata.name), svc.metadata.name).toHaveLength(1);
      const ports = (podSpec(matched[0]!)!.containers as Container[]).flatMap((c) => (c.ports as Array<{ name?: string; containerPort: number }> | undefined) ?? []);
      for (const p of spec.ports) expect(ports.some((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort), `${svc.metadata.name} → ${p.targetPort}`).toBe(true);
    }
    // The hub and portal Services carry the ports the images listen on.
    expect((find(objects, 'Service', 'consilium-hub').spec as { ports: Array<{ port: number }> }).ports[0]!.port).toBe(4000);
    expect((find(objects, 'Service', 'consilium-portal').spec as { ports: Array<{ port: number }> }).ports[0]!.port).toBe(3000);
    // The portal reaches the hub through the hub Service.
    const portal = (podSpec(find(objects, 'Deployment', 'consilium-portal'))!.containers as Container[])[0]!;
    const hubUrl = (portal.env as Array<{ name: string; value?: string }>).find((e) => e.name === 'CONSILIUM_HUB_URL')?.value;
    expect(hubUrl).toBe('http://consilium-hub:4000');
  });

  it('routes the Ingress to existing Services and ports, over TLS for every host, without exposing /metrics', () => {
    const ingress = find(objects, 'Ingress', 'consilium');
    const spec = ingress.spec as {
      tls: Array<{ hosts: string[]; secretName: string }>;
      rules: Array<{ host: string; http: { paths: Array<{ path: string; pathType: string; backend: { service: { name: string; port: { name?: string; number?: number } } } }> } }>;
    };
    const tlsHosts = spec.tls.flatMap((t) => t.hosts);
    expect(spec.tls.every((t) => t.secretName)).toBe(true);
    expect(spec.rules.length).toBeGreaterThanOrEqual(2);
    const backends = new Set<string>();
    for (const rule of spec.rules) {
      expect(tlsHosts, `TLS for ${rule.host}`).toContain(rule.host);
      for (const p of rule.http.paths) {
        expect(['Prefix', 'Exact']).toContain(p.pathType);
        const svc = find(objects, 'Service', p.backend.service.name);
        const ports = (svc.spec as { ports: Array<{ name: string; port: number }> }).ports;
        expect(ports.some((sp) => sp.name === p.backend.service.port.name || sp.port === p.backend.service.port.number), `${rule.host}${p.path}`).toBe(true);
        backends.add(svc.metadata.name);
        if (svc.metadata.name === 'consilium-hub') {
          expect(['/trpc', '/v1', '/healthz'], `hub path ${p.path}`).toContain(p.path);
        }
      }
    }
    expect([...backends].sort()).toEqual(['consilium-hub', 'consilium-portal']);
    // The agent's client uses exactly these prefixes.
    expect(readText(repoPath('packages', 'api', 'src', 'client.ts'))).toContain('/trpc');
  });
});

describe('production overlay', () => {
  const objects = renderKustomization(PRODUCTION);

  it('puts every namespaced object in the consilium namespace, which it creates with the restricted profile', () => {
    const ns = find(objects, 'Namespace', 'consilium');
    expect(ns.metadata.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
    for (const o of objects) if (o.kind !== 'Namespace') expect(o.metadata.namespace, objectId(o)).toBe('consilium');
  });

  it('pulls versioned images from the registry for every container', () => {
    for (const c of objects.flatMap(podContainers)) {
      const ref = parseImage(c.image);
      expect(ref.name, c.name).toMatch(/^registry\.example\.org\/consilium\/(hub|portal)$/);
      expect(ref.tag ?? ref.digest, c.name).toBeDefined();
      expect(ref.tag).not.toBe('latest');
    }
  });

  it('adds the cert-manager issuer and raises the hub container limits', () => {
    const ingress = find(objects, 'Ingress', 'consilium');
    expect(ingress.metadata.annotations?.['cert-manager.io/cluster-issuer']).toBeTruthy();
    const hub = (podSpec(find(objects, 'Deployment', 'consilium-hub'))!.containers as Container[])[0]!;
    expect((hub.resources as { limits: { memory: string } }).limits.memory).toBe('3Gi');
  });
});
