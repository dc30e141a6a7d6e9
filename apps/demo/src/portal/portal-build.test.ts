import { mkdir, mkdtemp, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decidePortalBuild, readPortalBuildState } from './portal-build.ts';

describe('decidePortalBuild', () => {
  const built = { buildIdMtimeMs: 2_000, newestSource: { file: '/repo/apps/portal/src/app/page.tsx', mtimeMs: 1_000 } };

  it('builds when there is no build, when a source is newer, or when asked to', () => {
    expect(decidePortalBuild({ ...built, buildIdMtimeMs: null }, { force: false })).toEqual({ build: true, reason: 'no build yet' });
    expect(decidePortalBuild({ ...built, newestSource: { file: '/repo/packages/api/src/x.ts', mtimeMs: 3_000 } }, { force: false, display: (f) => path.basename(f) })).toEqual({
      build: true,
      reason: 'x.ts changed since the last build',
    });
    expect(decidePortalBuild(built, { force: true })).toEqual({ build: true, reason: 'asked for with --rebuild-portal' });
  });

  it('reuses an up-to-date build', () => {
    expect(decidePortalBuild(built, { force: false })).toEqual({ build: false, reason: 'the last build is up to date' });
    expect(decidePortalBuild({ ...built, newestSource: null }, { force: false }).build).toBe(false);
  });
});

describe('readPortalBuildState', () => {
  /** A miniature monorepo: the portal depends on @consilium/api, which depends on @consilium/domain; @consilium/hub is unrelated. */
  async function repo(): Promise<string> {
    const root = await mkdtemp(path.join(tmpdir(), 'consilium-portal-build-'));
    const write = async (file: string, text: string, mtimeS: number) => {
      const full = path.join(root, file);
      await mkdir(path.dirname(full), { recursive: true });
      await writeFile(full, text);
      await utimes(full, mtimeS, mtimeS);
    };
    await write('package.json', JSON.stringify({ workspaces: ['packages/*', 'apps/*'] }), 100);
    await write('apps/portal/package.json', JSON.stringify({ name: '@consilium/portal', dependencies: { '@consilium/api': '*', next: '1' }, devDependencies: { '@consilium/hub': '*' } }), 100);
    await write('apps/portal/src/app/page.tsx', 'x', 200);
    await write('packages/api/package.json', JSON.stringify({ name: '@consilium/api', dependencies: { '@consilium/domain': '*' } }), 100);
    await write('packages/api/src/index.ts', 'x', 210);
    await write('packages/domain/package.json', JSON.stringify({ name: '@consilium/domain' }), 100);
    await write('packages/domain/src/users.ts', 'x', 220);
    // What no build reads: tests, docs, other packages, Next's own output, node_modules.
    await write('packages/domain/src/users.test.ts', 'x', 900);
    await write('packages/domain/README.md', 'x', 900);
    await write('apps/portal/test/e2e.ts', 'x', 900);
    await write('apps/portal/node_modules/x/index.js', 'x', 900);
    await write('apps/hub/package.json', JSON.stringify({ name: '@consilium/hub' }), 100);
    await write('apps/hub/src/cli.ts', 'x', 900);
    await write('apps/portal/.next/cache/x', 'x', 900);
    return root;
  }

  it('finds the newest source among the portal and the workspace packages it depends on, transitively', async () => {
    const root = await repo();
    const state = await readPortalBuildState(root);
    expect(state.buildIdMtimeMs).toBeNull();
    expect(state.newestSource).toEqual({ file: path.join(root, 'packages/domain/src/users.ts'), mtimeMs: 220_000 });
  });

  it('sees the build and whether a later change makes it stale', async () => {
    const root = await repo();
    const buildId = path.join(root, 'apps/portal/.next/BUILD_ID');
    await writeFile(buildId, 'abc');
    await utimes(buildId, 300, 300);
    const state = await readPortalBuildState(root);
    expect(state.buildIdMtimeMs).toBe(300_000);
    expect(decidePortalBuild(state, { force: false }).build).toBe(false);

    await utimes(path.join(root, 'packages/api/src/index.ts'), 400, 400);
    expect(decidePortalBuild(await readPortalBuildState(root), { force: false })).toEqual({
      build: true,
      reason: `${path.join(root, 'packages/api/src/index.ts')} changed since the last build`,
    });
  });
});
