/**
 * The portal end to end: a real hub process (fresh PGlite data directory), the portal built with
 * `next build` and served by `next start`, driven by Debian's Chromium through playwright-core.
 *
 * Two portals run against the same build: one configured for the live hub, one pointing at a port
 * nothing listens on (the "hub unreachable" state). Screenshots go to docs/screenshots/ with CONSILIUM_SCREENSHOTS=1.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHubClient } from '@consilium/api/client';
import { syntheticStudySpec } from '@consilium/data/synthetic';
import { startHubProcess, type HubProcess } from '@consilium/demo/orchestrator';
import { generateIdentity } from '@consilium/protocol';
import type { HubClient } from '@consilium/api/client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnv } from './env.ts';
import { chromiumMissing, launchChromium } from './support/chromium.ts';
import { buildPortal, startPortal, type RunningPortal } from './support/portal.ts';
import { childEnv, freePort } from './support/processes.ts';

const LAPTOP = { width: 1280, height: 800 };
const TABLET = { width: 820, height: 1180 };
const SITES = ['Hôpital Saint-Louis', 'Karolinska Solna'];

if (chromiumMissing) console.warn(`[e2e] ${chromiumMissing}; skipping the portal browser tests.`);

describe.skipIf(chromiumMissing !== null)('portal in Chromium (hub, next build, next start)', () => {
  let workDir: string;
  let hub: HubProcess | undefined;
  let portal: RunningPortal | undefined;
  let portalNoHub: RunningPortal | undefined;
  let browser: Browser | undefined;
  let admin: HubClient;
  let study: { id: string; name: string };
  let otherStudyName: string;
  const timings: Record<string, number> = {};

  async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings[label] = Math.round(performance.now() - started);
    }
  }

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'consilium-e2e-portal-'));
    const logs = path.join(workDir, 'logs');
    await mkdir(logs, { recursive: true });
    await mkdir(e2eEnv.screenshotsDir, { recursive: true });

    // The build dominates; the hub starts (and migrates its database) meanwhile.
    const [startedHub] = await Promise.all([
      timed('hub start', () =>
        // A fresh PGlite data directory; the minimal environment keeps a DATABASE_URL in the runner's away from it.
        startHubProcess({ dataDir: path.join(workDir, 'hub'), logFile: path.join(logs, 'hub.log'), env: childEnv({ CONSILIUM_LOG_LEVEL: 'warn' }) }),
      ),
      timed('next build', () => buildPortal({ logFile: path.join(logs, 'next-build.log') })),
    ]);
    hub = startedHub;

    // Two studies through the admin API; the first gets two enrolled sites (and so auto-starts).
    admin = createHubClient({ url: hub.url, headers: () => ({ authorization: `Bearer ${startedHub.adminToken}` }) });
    const spec = syntheticStudySpec();
    const { studyId } = await admin.studies.create.mutate({ spec });
    study = { id: studyId, name: spec.name };
    for (const siteName of SITES) {
      const { token } = await admin.studies.issueToken.mutate({ studyId, siteName });
      await admin.enrollment.enroll.mutate({ token, publicKey: generateIdentity().publicKey, agentVersion: 'e2e-0.1.0' });
    }
    otherStudyName = 'Heart failure readmission: external validation';
    await admin.studies.create.mutate({ spec: { ...spec, name: otherStudyName } });

    const deadHubPort = await freePort(); // nothing listens there
    [portal, portalNoHub] = await timed('portal start', () =>
      Promise.all([
        startPortal({
          name: 'next start (hub configured)',
          env: { CONSILIUM_HUB_URL: startedHub.url, CONSILIUM_ADMIN_TOKEN: startedHub.adminToken },
          logFile: path.join(logs, 'portal.log'),
        }),
        startPortal({
          name: 'next start (hub unreachable)',
          env: { CONSILIUM_HUB_URL: `http://127.0.0.1:${deadHubPort}`, CONSILIUM_ADMIN_TOKEN: startedHub.adminToken },
          logFile: path.join(logs, 'portal-no-hub.log'),
        }),
      ]),
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([portal?.service.stop(), portalNoHub?.service.stop(), hub?.stop()]);
    console.info(`[e2e] timings (ms): ${JSON.stringify(timings)}`);
    if (e2eEnv.keepWorkDir) console.info(`[e2e] kept logs and data in ${workDir}`);
    else if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  async function newPage(viewport = LAPTOP): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser!.newContext({ viewport, colorScheme: 'light', locale: 'en-GB' });
    return { context, page: await context.newPage() };
  }

  it('shows the hub as reachable and lists the studies', async () => {
    const { context, page } = await newPage();
    try {
      const response = await page.goto(`${portal!.url}/`);
      expect(response?.status()).toBe(200);
      expect(await page.title()).toBe('Consilium portal');
      await page.getByRole('heading', { level: 1, name: 'Consortium overview' }).waitFor();

      const hubPanel = page.getByRole('region', { name: 'Hub' });
      expect(await hubPanel.locator('[data-health]').getAttribute('data-health')).toBe('ok');
      expect(await hubPanel.textContent()).toContain('Reachable');
      expect(await hubPanel.textContent()).toContain(hub!.url);

      const table = page.getByRole('table', { name: 'Studies, newest first' });
      const rows = table.locator('tbody tr');
      expect(await rows.count()).toBe(2);
      // Newest first: the second study created is on top.
      expect(await rows.nth(0).locator('th').textContent()).toBe(otherStudyName);
      const row = rows.nth(1);
      const cells = (await row.locator('th, td').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
      expect(cells[0]).toBe(study.name);
      expect(cells[1]).toBe('Key generation'); // both invited sites enrolled: the study started its key ceremony
      expect(cells[2]).toBe('2');
      expect(cells[3]).toBe('0 / 12');
      expect(cells[4]).toBe('CKKS, multiparty key');
      expect(cells[5]).toMatch(/^\d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC$/);
      expect(await rows.nth(0).locator('td').nth(1).textContent()).toBe('0'); // the other study: no sites yet

      await page.screenshot({ path: path.join(e2eEnv.screenshotsDir, 'portal-home.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('is keyboard navigable: skip link first, then Tab to a study and Enter opens its progress page', async () => {
    const { context, page } = await newPage();
    try {
      await page.goto(`${portal!.url}/`);
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.textContent ?? null)).toBe('Skip to main content');

      let reached = false;
      for (let i = 0; i < 25 && !reached; i += 1) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate((name) => document.activeElement?.tagName === 'A' && document.activeElement.textContent === name, study.name);
      }
      expect(reached, 'the study link is reachable with Tab').toBe(true);
      await page.keyboard.press('Enter');
      await page.waitForURL(`**/studies/${study.id}`);

      await page.getByRole('heading', { level: 1, name: study.name }).waitFor();
      expect(await page.title()).toBe(`${study.name} · Consilium portal`);
      const breadcrumb = page.getByRole('navigation', { name: 'Breadcrumb' });
      expect(await breadcrumb.getByRole('link', { name: 'Overview' }).count()).toBe(1);

      const summary = page.getByRole('region', { name: 'Summary' });
      const summaryText = (await summary.textContent()) ?? '';
      expect(summaryText).toContain(study.id);
      expect(summaryText).toContain('Logistic regression');
      expect(summaryText).toContain('CKKS, multiparty key');

      const sites = page.getByRole('table', { name: 'Enrolled sites' });
      expect(await sites.locator('tbody th').allTextContents()).toEqual([...SITES].sort((a, b) => a.localeCompare(b)));
      expect(await sites.locator('tbody tr').first().textContent()).toContain('e2e-0.1.0');

      // No rounds or models before the key ceremony completes: explained, not an empty table.
      expect(await page.getByRole('region', { name: /^Rounds/ }).textContent()).toContain('No rounds yet.');
      expect(await page.getByRole('region', { name: /^Model versions/ }).textContent()).toContain('No model versions yet.');

      await page.screenshot({ path: path.join(e2eEnv.screenshotsDir, 'portal-study.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('never sends the administrator token to the browser', async () => {
    const { context, page } = await newPage();
    const bodies: Array<Promise<string>> = [];
    page.on('response', (response) => {
      if (response.url().startsWith(portal!.url) && response.status() < 300) bodies.push(response.text().catch(() => ''));
    });
    try {
      await page.goto(`${portal!.url}/`);
      await page.getByRole('link', { name: study.name }).click();
      await page.waitForURL(`**/studies/${study.id}`);
      await page.getByRole('heading', { level: 1, name: study.name }).waitFor();
      await page.waitForLoadState('networkidle');
      const texts = await Promise.all(bodies);
      expect(texts.length).toBeGreaterThan(3); // HTML, scripts, styles, the RSC payload of the navigation
      for (const text of texts) expect(text.includes(hub!.adminToken)).toBe(false);
    } finally {
      await context.close();
    }
  });

  it('fits a tablet screen without horizontal page scrolling', async () => {
    const { context, page } = await newPage(TABLET);
    try {
      for (const route of ['/', `/studies/${study.id}`]) {
        await page.goto(`${portal!.url}${route}`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `horizontal overflow on ${route}`).toBeLessThanOrEqual(0);
      }
    } finally {
      await context.close();
    }
  });

  it('shows "not found" for a study the hub does not have', async () => {
    const { context, page } = await newPage();
    try {
      // The page streams behind its loading state, so the status is already 200 when the hub says
      // "no such study"; Next then renders not-found.tsx and marks the page noindex.
      await page.goto(`${portal!.url}/studies/00000000-0000-4000-8000-000000000000`);
      await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
      expect(await page.locator('meta[name="robots"][content*="noindex"]').count()).toBeGreaterThan(0);
      await page.goto(`${portal!.url}/studies/not-a-uuid`);
      await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('shows live hub data: Refresh picks up a study created meanwhile (nothing is cached)', async () => {
    const { context, page } = await newPage();
    try {
      await page.goto(`${portal!.url}/`);
      const table = page.getByRole('table', { name: 'Studies, newest first' });
      // The page streams in behind loading.tsx's skeleton: count rows once the table is there.
      await table.waitFor();
      const rows = table.locator('tbody tr');
      const before = await rows.count();
      const name = 'Sepsis early warning (created during the test)';
      await admin.studies.create.mutate({ spec: { ...syntheticStudySpec(), name } });
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.getByRole('link', { name }).waitFor();
      expect(await rows.count()).toBe(before + 1);
      expect(await rows.nth(0).locator('th').textContent()).toBe(name);
    } finally {
      await context.close();
    }
  });

  it('explains an unreachable hub and how to configure it', async () => {
    const { context, page } = await newPage();
    try {
      const response = await page.goto(`${portalNoHub!.url}/`);
      expect(response?.status()).toBe(200);
      const hubPanel = page.getByRole('region', { name: 'Hub' });
      expect(await hubPanel.locator('[data-health]').getAttribute('data-health')).toBe('down');
      const alert = hubPanel.getByRole('alert');
      expect(await alert.getAttribute('data-problem')).toBe('unreachable');
      const text = (await alert.textContent()) ?? '';
      expect(text).toContain('The hub is unreachable');
      expect(text).toContain('connection refused');
      expect(text).toContain('CONSILIUM_HUB_URL');
      expect(await page.getByRole('region', { name: 'Studies' }).textContent()).toContain('cannot be listed until the hub is reachable');

      await page.screenshot({ path: path.join(e2eEnv.screenshotsDir, 'portal-hub-unreachable.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });
});
