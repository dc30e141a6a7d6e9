import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyParts, execForm, isIgnored, parseDockerfile, type Stage } from './dockerfile.ts';
import { renderKustomization, podContainers, podSpec } from './kustomize.ts';
import { cliCommands, INFRA_DIR, readJson, readText, repoPath, workspaceClosure } from './repo.ts';

const DOCKER_DIR = path.join(INFRA_DIR, 'docker');
const rootPackage = readJson<{ devDependencies: Record<string, string>; engines: { node: string } }>(repoPath('package.json'));

interface ImageSpec {
  file: string;
  workspace: string;
  appDir: string;
  healthcheck: string | null;
  volume: string;
}

const IMAGES: ImageSpec[] = [
  { file: 'hub.Dockerfile', workspace: '@consilium/hub', appDir: 'apps/hub', healthcheck: '/readyz', volume: '/var/lib/consilium-hub' },
  { file: 'portal.Dockerfile', workspace: '@consilium/portal', appDir: 'apps/portal', healthcheck: '/api/health', volume: '/app/apps/portal/.next/cache' },
  { file: 'agent.Dockerfile', workspace: '@consilium/agent', appDir: 'apps/agent', healthcheck: null, volume: '/var/lib/consilium-agent' },
];

function load(file: string): Stage[] {
  return parseDockerfile(readText(path.join(DOCKER_DIR, file)));
}

function finalStage(stages: Stage[]): Stage {
  return stages.at(-1)!;
}

function values(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

describe('infra/docker', () => {
  it('holds exactly the three Dockerfiles, each with its own .dockerignore', () => {
    const files = readdirSync(DOCKER_DIR).sort();
    expect(files).toEqual(['agent.Dockerfile', 'agent.Dockerfile.dockerignore', 'hub.Dockerfile', 'hub.Dockerfile.dockerignore', 'portal.Dockerfile', 'portal.Dockerfile.dockerignore']);
    // No context-wide .dockerignore at the repository root: each image has its own rules.
    expect(existsSync(repoPath('.dockerignore'))).toBe(false);
  });

  it('reads Dockerfiles and ignore rules correctly (the helpers can fail)', () => {
    expect(isIgnored('apps/hub/node_modules/x.js', '**/node_modules')).toBe(true);
    expect(isIgnored('node_modules/x', '**/node_modules')).toBe(true);
    expect(isIgnored('apps/hub/src/cli.ts', '**/node_modules\n**/*.test.ts')).toBe(false);
    expect(isIgnored('apps/hub/src/a.test.ts', '**/*.test.ts')).toBe(true);
    expect(isIgnored('docs/a.md', 'docs\n!docs/a.md')).toBe(false);
    const [stage] = parseDockerfile('FROM a:1 AS x\nRUN one \\\n  # note\n  two\nUSER u\n');
    expect(stage!.instructions.map((i) => `${i.keyword} ${i.args}`)).toEqual(['RUN one two', 'USER u']);
  });
});

describe.each(IMAGES)('$file', (image) => {
  const stages = load(image.file);
  const last = finalStage(stages);
  const ignore = readText(path.join(DOCKER_DIR, `${image.file}.dockerignore`));
  const stageNames = new Set(stages.map((s) => s.name).filter(Boolean));

  it('is multi-stage on the pinned node:<version>-bookworm-slim base that the repository uses', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    const nodeVersion = rootPackage.devDependencies.node!;
    expect(nodeVersion).toMatch(/^24\.\d+\.\d+$/);
    for (const s of stages) {
      if (s.from === 'scratch' || stageNames.has(s.from)) continue;
      expect(s.from).toBe(`node:${nodeVersion}-bookworm-slim`);
    }
    expect(stages.filter((s) => !stageNames.has(s.from) && s.from !== 'scratch').length).toBeGreaterThanOrEqual(1);
  });

  it('runs as a dedicated non-root user', () => {
    const users = values(last, 'USER');
    expect(users.length).toBe(1);
    expect(users[0]).toMatch(/^consilium(:consilium)?$/);
    const run = values(last, 'RUN').join('\n');
    expect(run).toMatch(/useradd --system --uid 10001 /);
    // USER comes after the last RUN, so nothing after it runs as root.
    const lastRun = last.instructions.findLastIndex((i) => i.keyword === 'RUN');
    const user = last.instructions.findIndex((i) => i.keyword === 'USER');
    expect(user).toBeGreaterThan(lastRun);
  });

  it('installs production dependencies of its workspace with npm ci', () => {
    const installs = stages.flatMap((s) => values(s, 'RUN')).filter((r) => r.includes('npm ci --omit=dev'));
    expect(installs.length).toBe(1);
    expect(installs[0]).toContain(`--workspace ${image.workspace}`);
    expect(readJson<{ name: string }>(repoPath(image.appDir, 'package.json')).name).toBe(image.workspace);
  });

  it('copies only files that exist and that its .dockerignore lets through', () => {
    for (const s of stages) {
      for (const args of values(s, 'COPY')) {
        const { from, sources } = copyParts(args);
        if (from !== undefined) {
          expect(stageNames.has(from), `COPY --from=${from}`).toBe(true);
          continue;
        }
        for (const source of sources) {
          if (source === '.') continue;
          expect(existsSync(repoPath(source)), source).toBe(true);
          expect(isIgnored(source.replace(/\/$/, ''), ignore), `${source} is ignored`).toBe(false);
        }
      }
    }
    for (const needed of ['package-lock.json', `${image.appDir}/package.json`, 'packages/db/drizzle/0000_initial.sql', 'packages/secagg/src/index.ts']) {
      expect(isIgnored(needed, ignore), needed).toBe(false);
    }
    for (const excluded of ['node_modules/next/package.json', `${image.appDir}/node_modules/x`, '.git/HEAD', '.consilium/hub/admin-token', 'infra/compose.env', '.env']) {
      expect(isIgnored(excluded, ignore), excluded).toBe(true);
    }
  });

  it('contains the sources of every workspace its app imports', () => {
    const copied = stages.flatMap((s) => values(s, 'COPY')).filter((a) => !a.includes('--from=')).flatMap((a) => copyParts(a).sources.map((src) => src.replace(/\/$/, '')));
    const covered = (dir: string) => copied.some((src) => src === '.' || dir === src || dir.startsWith(`${src}/`));
    for (const [name, dir] of workspaceClosure(image.workspace)) {
      expect(covered(dir), `${name} (${dir}) is copied into the image`).toBe(true);
    }
  });

  it('declares its writable data directory as a volume', () => {
    expect(values(last, 'VOLUME').map((v) => execForm(v))).toContainEqual([image.volume]);
  });

  it(image.healthcheck ? `checks health at ${image.healthcheck}` : 'has no HEALTHCHECK (nothing to probe)', () => {
    const checks = values(last, 'HEALTHCHECK');
    if (image.healthcheck === null) {
      expect(checks).toEqual([]);
      return;
    }
    expect(checks.length).toBe(1);
    const cmd = /CMD (\[.*\])$/.exec(checks[0]!);
    expect(cmd).not.toBeNull();
    const argv = execForm(cmd![1]!);
    expect(argv[0]).toBe('node');
    expect(argv.join(' ')).toContain(image.healthcheck);
  });
});

describe('image commands point at real binaries', () => {
  it('hub: ENTRYPOINT is the consilium-hub bin, CMD a command it has', () => {
    const last = finalStage(load('hub.Dockerfile'));
    const entry = execForm(values(last, 'ENTRYPOINT')[0]!);
    const bin = readJson<{ bin: Record<string, string> }>(repoPath('apps', 'hub', 'package.json')).bin['consilium-hub']!;
    expect(entry).toEqual(['node', path.posix.join('/app/apps/hub', bin)]);
    expect(existsSync(repoPath('apps', 'hub', bin))).toBe(true);
    const cmd = execForm(values(last, 'CMD')[0]!);
    expect(cmd).toEqual(['serve']);
    expect(cliCommands(repoPath('apps', 'hub', 'src', 'cli.ts')).has('serve')).toBe(true);
    const env = values(last, 'ENV').join(' ');
    expect(env).toContain('CONSILIUM_HOST=0.0.0.0');
    expect(env).toContain('CONSILIUM_DATA_DIR=/var/lib/consilium-hub');
    expect(values(last, 'EXPOSE')).toEqual(['4000']);
  });

  it('agent: ENTRYPOINT is the consilium-agent bin, CMD run', () => {
    const stages = load('agent.Dockerfile');
    const last = finalStage(stages);
    expect(last.name).toBe('runtime');
    const bin = readJson<{ bin: Record<string, string> }>(repoPath('apps', 'agent', 'package.json')).bin['consilium-agent']!;
    expect(execForm(values(last, 'ENTRYPOINT')[0]!)).toEqual(['node', path.posix.join('/app/apps/agent', bin)]);
    expect(existsSync(repoPath('apps', 'agent', bin))).toBe(true);
    expect(execForm(values(last, 'CMD')[0]!)).toEqual(['run']);
    expect(cliCommands(repoPath('apps', 'agent', 'src', 'cli.ts')).has('run')).toBe(true);
    expect(values(last, 'ENV').join(' ')).toContain('CONSILIUM_AGENT_DIR=/var/lib/consilium-agent');
  });

  it('agent: the release tarball stage holds Node, the launcher and the systemd files', () => {
    const release = load('agent.Dockerfile').find((s) => s.name === 'release')!;
    expect(release.from).toBe('scratch');
    const copies = values(release, 'COPY').join('\n');
    expect(copies).toContain('/usr/local/bin/node /opt/consilium-agent/node/bin/node');
    expect(copies).toContain('infra/systemd/consilium-agent /opt/consilium-agent/bin/consilium-agent');
    expect(copies).toContain('infra/systemd/consilium-agent.service');
  });

  it('portal: CMD starts the next binary the portal depends on, on port 3000', () => {
    const last = finalStage(load('portal.Dockerfile'));
    const cmd = execForm(values(last, 'CMD')[0]!);
    const nextBin = readJson<{ bin: Record<string, string> }>(repoPath('node_modules', 'next', 'package.json')).bin.next!;
    expect(cmd.slice(0, 3)).toEqual(['node', path.posix.join('/app/node_modules/next', nextBin), 'start']);
    expect(cmd.join(' ')).toContain('--port 3000');
    expect(existsSync(repoPath('node_modules', 'next', nextBin))).toBe(true);
    expect(readJson<{ dependencies: Record<string, string> }>(repoPath('apps', 'portal', 'package.json')).dependencies.next).toBeDefined();
    expect(values(last, 'EXPOSE')).toEqual(['3000']);
    // The build stage runs next build in the portal.
    const build = load('portal.Dockerfile').find((s) => s.name === 'build')!;
    expect(values(build, 'RUN').join('\n')).toContain('/app/node_modules/next/dist/bin/next build');
  });
});

describe('images and Kubernetes agree', () => {
  const objects = renderKustomization(path.join(INFRA_DIR, 'k8s', 'base'));

  it('runs pods as the image user and mounts a writable volume where each image writes', () => {
    for (const [deployment, image] of [['consilium-hub', IMAGES[0]!], ['consilium-portal', IMAGES[1]!]] as const) {
      const d = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === deployment)!;
      expect((podSpec(d)!.securityContext as { runAsUser: number }).runAsUser).toBe(10001);
      const main = podContainers(d).find((c) => !(podSpec(d)!.initContainers as unknown[] | undefined)?.includes(c))!;
      const mounts = (main.volumeMounts as Array<{ mountPath: string }>).map((m) => m.mountPath);
      expect(mounts, deployment).toContain(image.volume);
      expect(mounts).toContain('/tmp');
      const ports = (main.ports as Array<{ containerPort: number }>).map((p) => String(p.containerPort));
      expect(ports).toEqual(values(finalStage(load(image.file)), 'EXPOSE'));
    }
  });
});
