/**
 * The portal end to end: a real hub process (fresh PGlite data directory), the portal built with
 * `next build` and served by `next start`, driven by Debian's Chromium through playwright-core.
 *
 * Two portals run against the same build: one configured for the live hub, one pointing at a port
 * nothing listens on (the "hub unreachable" state). The portal has no credentials of its own: people
 * sign in (accounts made with `users.create` through the admin client) and see what their role may.
 * A third study is run to completion by real agents (one process per synthetic hospital) while the
 * portal builds, for the contribution page (ownership shares, share-over-rounds chart, evidence).
 * Screenshots go to docs/screenshots/ with CONSILIUM_SCREENSHOTS=1.
 */
import { createHash } from 'node:crypto';
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
import { buildPortal, startAgentStudy, startPortal, type AgentStudy, type RunningPortal } from './support/portal.ts';
import { signInFirstTime } from './support/browser.ts';
import { childEnv, freePort } from './support/processes.ts';

const LAPTOP = { width: 1280, height: 800 };
const TABLET = { width: 820, height: 1180 };
const SITES = ['Hôpital Saint-Louis', 'Karolinska Solna'];
/** The agents' study: short, so it completes while the portal builds. */
const AGENT_STUDY = { trainingRounds: 3, sites: 3 };
/** 100 % in the hub's share units (10⁻⁶ %). */
const PERCENT_UNITS = 100_000_000n;

if (chromiumMissing) console.warn(`[e2e] ${chromiumMissing}; skipping the portal browser tests.`);

describe.skipIf(chromiumMissing !== null)('portal in Chromium (hub, next build, next start)', () => {
  let workDir: string;
  let hub: HubProcess | undefined;
  let portal: RunningPortal | undefined;
  let portalNoHub: RunningPortal | undefined;
  let browser: Browser | undefined;
  let admin: HubClient;
  let study: { id: string; name: string };
  let otherStudy: { id: string; name: string };
  let otherStudyName: string;
  /** Created first (the oldest study), run by real agents in the background. */
  let agentStudy: AgentStudy | undefined;
  /** A consortium administrator (password already changed): sees every study. */
  const operator = { email: 'operations@consortium.example', name: 'Ines Duarte', id: '', password: '' };
  /** A study lead with a one-time password, leading the first study only. */
  const lead = { email: 'amara.okafor@consortium.example', name: 'Dr Amara Okafor', id: '', oneTimePassword: '' };
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

    // The build dominates; the hub starts (and migrates its database) meanwhile, and real agents
    // start running the contribution page's study on it.
    const [startedHub] = await Promise.all([
      timed('hub start', () =>
        // A fresh PGlite data directory; the minimal environment keeps a DATABASE_URL in the runner's away from it.
        startHubProcess({ dataDir: path.join(workDir, 'hub'), logFile: path.join(logs, 'hub.log'), env: childEnv({ CONSILIUM_LOG_LEVEL: 'warn' }) }),
      ).then(async (running) => {
        hub = running;
        const started = performance.now();
        agentStudy = await startAgentStudy({ hub: running, workDir, logsDir: logs, ...AGENT_STUDY });
        void agentStudy.finished.then(
          () => (timings['agent study (background)'] = Math.round(performance.now() - started)),
          () => undefined,
        );
        return running;
      }),
      timed('next build', () => buildPortal({ logFile: path.join(logs, 'next-build.log') })),
    ]);

    // Two studies through the admin API; the first gets two enrolled sites (and so auto-starts).
    admin = createHubClient({ url: startedHub.url, headers: () => ({ authorization: `Bearer ${startedHub.adminToken}` }) });
    const spec = syntheticStudySpec();
    const { studyId } = await admin.studies.create.mutate({ spec });
    study = { id: studyId, name: spec.name };
    for (const siteName of SITES) {
      const { token } = await admin.studies.issueToken.mutate({ studyId, siteName });
      await admin.enrollment.enroll.mutate({ token, publicKey: generateIdentity().publicKey, agentVersion: 'e2e-0.1.0', approveStudy: true });
    }
    otherStudyName = 'Heart failure readmission: external validation';
    const other = await admin.studies.create.mutate({ spec: { ...spec, name: otherStudyName } });
    otherStudy = { id: other.studyId, name: otherStudyName };

    // People's accounts, as an administrator makes them: each gets a one-time password.
    const createdOperator = await admin.users.create.mutate({ email: operator.email, displayName: operator.name, role: 'consortium_admin' });
    operator.id = createdOperator.user.id;
    operator.password = 'correct horse battery staple (operator)';
    const operatorClient = (token: string) => createHubClient({ url: startedHub.url, headers: () => ({ authorization: `Bearer ${token}` }) });
    const { token: operatorSession } = await createHubClient({ url: startedHub.url }).auth.login.mutate({ email: operator.email, password: createdOperator.oneTimePassword });
    await operatorClient(operatorSession).auth.changePassword.mutate({ currentPassword: createdOperator.oneTimePassword, newPassword: operator.password });
    await operatorClient(operatorSession).auth.logout.mutate();
    const createdLead = await admin.users.create.mutate({ email: lead.email, displayName: lead.name, role: 'study_lead' });
    lead.id = createdLead.user.id;
    lead.oneTimePassword = createdLead.oneTimePassword;
    await admin.studies.assignLead.mutate({ studyId, leadUserId: lead.id });

    const deadHubPort = await freePort(); // nothing listens there
    [portal, portalNoHub] = await timed('portal start', () =>
      Promise.all([
        startPortal({
          name: 'next start (hub configured)',
          env: { CONSILIUM_HUB_URL: startedHub.url },
          logFile: path.join(logs, 'portal.log'),
        }),
        startPortal({
          name: 'next start (hub unreachable)',
          env: { CONSILIUM_HUB_URL: `http://127.0.0.1:${deadHubPort}` },
          logFile: path.join(logs, 'portal-no-hub.log'),
        }),
      ]),
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await agentStudy?.stop();
    await Promise.all([portal?.service.stop(), portalNoHub?.service.stop(), hub?.stop()]);
    console.info(`[e2e] timings (ms): ${JSON.stringify(timings)}`);
    if (e2eEnv.keepWorkDir) console.info(`[e2e] kept logs and data in ${workDir}`);
    else if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  async function newPage(viewport = LAPTOP): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser!.newContext({ viewport, colorScheme: 'light', locale: 'en-GB' });
    return { context, page: await context.newPage() };
  }

  /** Signs in through the login page (keyboard: type, Enter); waits until the form is gone. */
  async function signIn(page: Page, email: string, password: string, baseUrl = portal!.url): Promise<void> {
    if (!page.url().startsWith(`${baseUrl}/login`)) await page.goto(`${baseUrl}/login`);
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByLabel('Password', { exact: true }).press('Enter');
    await page.waitForURL((url) => url.pathname !== '/login');
  }

  /** A browser context signed in as the consortium administrator. */
  async function signedInPage(viewport = LAPTOP): Promise<{ context: BrowserContext; page: Page }> {
    const opened = await newPage(viewport);
    await signIn(opened.page, operator.email, operator.password);
    await opened.page.getByRole('heading', { level: 1, name: 'Consortium overview' }).waitFor();
    return opened;
  }

  async function sessionCookie(context: BrowserContext) {
    return (await context.cookies()).find((c) => c.name === 'consilium_portal_session');
  }

  it('sends a visitor without a session to the sign-in page', async () => {
    const { context, page } = await newPage();
    try {
      const response = await page.goto(`${portal!.url}/`);
      expect(response?.status()).toBe(200);
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(await page.title()).toBe('Sign in · Consilium portal');
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
      // Labelled fields; no navigation or data before signing in.
      expect(await page.getByLabel('E-mail address').getAttribute('type')).toBe('email');
      expect(await page.getByLabel('Password', { exact: true }).getAttribute('type')).toBe('password');
      expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);

      // A deep link is remembered for after sign-in.
      await page.goto(`${portal!.url}/studies/${study.id}`);
      expect(page.url()).toBe(`${portal!.url}/login?next=${encodeURIComponent(`/studies/${study.id}`)}`);
      await page.screenshot({ path: path.join(e2eEnv.screenshotsDir, 'portal-login.png'), fullPage: true });
    } finally {
      await context.close();
    }
    const tablet = await newPage(TABLET);
    try {
      await tablet.page.goto(`${portal!.url}/login`);
      expect(await tablet.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    } finally {
      await tablet.context.close();
    }
  });

  it('shows the hub\'s answer to a wrong password and says which fields are missing', async () => {
    const { context, page } = await newPage();
    try {
      await page.goto(`${portal!.url}/login`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('Enter your e-mail address.').waitFor();
      expect(await page.getByText('Enter your password.').count()).toBe(1);
      expect(await page.getByLabel('E-mail address').getAttribute('aria-invalid')).toBe('true');

      await page.getByLabel('E-mail address').fill(operator.email);
      await page.getByLabel('Password', { exact: true }).fill('not the password at all');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const alert = page.getByRole('main').getByRole('alert');
      await alert.waitFor();
      expect(((await alert.textContent()) ?? '').trim()).toBe('Wrong e-mail or password');
      expect(await alert.getAttribute('data-error-code')).toBe('UNAUTHENTICATED');
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(await page.getByLabel('E-mail address').inputValue()).toBe(operator.email); // kept; the password is not
      expect(await sessionCookie(context)).toBeUndefined();
    } finally {
      await context.close();
    }
  });

  it('first sign-in: one-time password, choose a password, see the led study only, sign out', async () => {
    const { context, page } = await newPage();
    try {
      // Straight to a study: sign-in first, then the password change, then on to the study.
      await page.goto(`${portal!.url}/studies/${study.id}`);
      await signIn(page, lead.email, lead.oneTimePassword);
      expect(new URL(page.url()).pathname).toBe('/account/password');
      await page.getByRole('heading', { level: 1, name: 'Choose your password' }).waitFor();
      const who = page.getByRole('group', { name: 'Signed in' });
      expect(await who.textContent()).toContain(lead.name);
      expect(await who.textContent()).toContain('Study lead');

      // Until it is changed, the hub refuses everything else: the portal sends the person back here.
      const cookie = await sessionCookie(context);
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', secure: false, path: '/' });
      expect(cookie!.value).toMatch(/^cses_/);
      expect(cookie!.expires * 1000).toBeGreaterThan(Date.now() + 60 * 60 * 1000);
      await page.goto(`${portal!.url}/`);
      await page.waitForURL('**/account/password');

      // The hub's rule, shown on the field; a mismatch caught before asking the hub.
      await page.getByLabel('Current password').fill(lead.oneTimePassword);
      await page.getByLabel('New password', { exact: true }).fill('too short');
      await page.getByLabel('New password again').fill('too short');
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByText(/A password needs at least 12 characters/).waitFor();
      expect(await page.getByLabel('New password', { exact: true }).getAttribute('aria-invalid')).toBe('true');
      const newPassword = 'four unrelated words for Amara';
      await page.getByLabel('Current password').fill(lead.oneTimePassword);
      await page.getByLabel('New password', { exact: true }).fill(newPassword);
      await page.getByLabel('New password again').fill(`${newPassword}!`);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.getByText('The two new passwords do not match.').waitFor();
      await page.screenshot({ path: path.join(e2eEnv.screenshotsDir, 'portal-change-password.png'), fullPage: true });

      await page.getByLabel('Current password').fill(lead.oneTimePassword);
      await page.getByLabel('New password', { exact: true }).fill(newPassword);
      await page.getByLabel('New password again').fill(newPassword);
      await page.getByRole('button', { name: 'Change password' }).click();
      // On to where they were going (the overview, as they last asked for it).
      await page.waitForURL(`${portal!.url}/`);
      await page.getByRole('heading', { level: 1, name: 'Consortium overview' }).waitFor();
      expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).count()).toBe(1);
      // A study lead may not see what left a site: no Sites in the menu, and the page says why.
      expect(await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sites' }).count()).toBe(0);

      // The overview lists only the study they lead (the hub scopes the list).
      const rows = page.getByRole('table', { name: 'Studies, newest first' }).locator('tbody tr');
      await rows.first().waitFor();
      expect(await rows.locator('th').allTextContents()).toEqual([study.name]);
      await page.getByRole('link', { name: study.name }).click();
      await page.waitForURL(`**/studies/${study.id}`);
      await page.getByRole('heading', { level: 1, name: study.name }).waitFor();

      // Another study: the hub refuses, and the page says so plainly.
      await page.goto(`${portal!.url}/studies/${otherStudy.id}`);
      const refusal = page.locator('[data-problem="forbidden"]');
      await refusal.waitFor();
      expect(await refusal.textContent()).toContain('Your role cannot see this');
      expect(await page.getByText(otherStudy.name).count()).toBe(0);
      await page.goto(`${portal!.url}/sites/${encodeURIComponent(SITES[0]!)}/uploads`);
      const siteRefusal = page.locator('[data-problem="forbidden"]');
      await siteRefusal.waitFor();
      expect(await siteRefusal.textContent()).toContain('Your role cannot see this');

      // Sign out: the hub ends the session, the cookie is gone, pages send the person to sign in.
      const token = (await sessionCookie(context))!.value;
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL('**/login?reason=signed-out');
      await page.getByText('You have signed out.').waitFor();
      expect(await sessionCookie(context)).toBeUndefined();
      const stale = createHubClient({ url: hub!.url, headers: () => ({ authorization: `Bearer ${token}` }) });
      await expect(stale.auth.me.query()).rejects.toThrow();
      await page.goto(`${portal!.url}/`);
      expect(new URL(page.url()).pathname).toBe('/login');

      // The new password works; the one-time password no longer does.
      await signIn(page, lead.email, newPassword);
      await page.getByRole('heading', { level: 1, name: 'Consortium overview' }).waitFor();
    } finally {
      await context.close();
    }
  });

  it('shows the hub as reachable and lists the studies', async () => {
    const { context, page } = await signedInPage();
    try {
      const response = await page.goto(`${portal!.url}/`);
      expect(response?.status()).toBe(200);
      expect(await page.title()).toBe('Consilium portal');
      await page.getByRole('heading', { level: 1, name: 'Consortium overview' }).waitFor();
      const who = page.getByRole('group', { name: 'Signed in' });
      expect(await who.textContent()).toContain(operator.name);
      expect(await who.textContent()).toContain('Consortium administrator');

      const hubPanel = page.getByRole('region', { name: 'Hub' });
      expect(await hubPanel.locator('[data-health]').getAttribute('data-health')).toBe('ok');
      expect(await hubPanel.textContent()).toContain('Reachable');
      expect(await hubPanel.textContent()).toContain(hub!.url);

      const table = page.getByRole('table', { name: 'Studies, newest first' });
      const rows = table.locator('tbody tr');
      expect(await rows.count()).toBe(3); // the agents' study is the oldest, at the bottom
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
    const { context, page } = await signedInPage();
    try {
      await page.goto(`${portal!.url}/`);
      // The table streams in behind the loading skeleton; Tab through the finished page.
      await page.getByRole('table', { name: 'Studies, newest first' }).waitFor();
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

  it('lists the sites and shows what left a site (its uploads, as the hub accepted them)', async () => {
    const { context, page } = await signedInPage();
    try {
      // An administrator sees Sites next to Overview.
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Sites' }).click();
      await page.waitForURL('**/sites');
      await page.getByRole('heading', { level: 1, name: 'Sites' }).waitFor();
      expect(await page.title()).toBe('Sites · Consilium portal');
      expect(await nav.getByRole('link', { name: 'Sites' }).getAttribute('aria-current')).toBe('page');
      const list = page.getByRole('table', { name: 'Sites' });
      expect((await list.locator('tbody th').allTextContents()).sort()).toEqual([...SITES, ...agentStudy!.siteNames].sort());

      // Each site's name opens its page (agent, keys, studies and consent); the name (accents,
      // spaces) survives the URL. The row's Uploads link opens what left the site.
      const [siteName] = SITES as [string];
      await list.getByRole('link', { name: siteName }).click();
      await page.waitForURL(`**/sites/${encodeURIComponent(siteName)}`);
      await page.getByRole('heading', { level: 1, name: siteName }).waitFor();
      await page.getByRole('heading', { level: 2, name: 'Identity keys' }).waitFor();
      await page.goBack();
      await list.getByRole('row', { name: new RegExp(siteName) }).getByRole('link', { name: 'Uploads' }).click();
      await page.waitForURL(`**/sites/${encodeURIComponent(siteName)}/uploads`);
      await page.getByRole('heading', { level: 1, name: `What left ${siteName}` }).waitFor();
      expect(await page.getByRole('main').textContent()).toContain('Compare with consilium-agent log on the site');
      expect(await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Sites' }).count()).toBe(1);

      // What is true at the hub is what the page shows: the e2e study is still in its key ceremony.
      const uploads = await admin.sites.uploads.query({ siteName });
      if (uploads.length === 0) {
        await page.getByText('Nothing has left this site yet.').waitFor();
        expect(await page.locator('table').count()).toBe(0);
      } else {
        const studies = [...new Set(uploads.map((u) => u.studyName))];
        for (const name of studies) await page.getByRole('heading', { level: 2, name }).waitFor();
        const hashes = await page.locator('code.hash').allTextContents();
        expect(hashes).toEqual(uploads.map((u) => u.payloadSha256));
      }

      // An unknown site is not found.
      await page.goto(`${portal!.url}/sites/${encodeURIComponent('No such hospital')}/uploads`);
      await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();

      await page.goto(`${portal!.url}/sites/${encodeURIComponent(siteName)}/uploads`);
      await page.getByRole('heading', { level: 1, name: `What left ${siteName}` }).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
      await page.screenshot({ path: path.join(e2eEnv.screenshotsDir, 'portal-site-uploads.png'), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('lets a compliance officer filter the audit log by action, page Older and Newer, see the chain verified, and export it from the browser and verify it offline', async () => {
    // 60 more `enrollment.token_issued` events (the other study; it never starts): more than one page of 50.
    const action = 'enrollment.token_issued';
    for (let i = 0; i < 60; i++) await admin.studies.issueToken.mutate({ studyId: otherStudy.id, siteName: `Audit e2e hospital ${i}` });
    const officer = { email: 'compliance@consortium.example', password: 'correct horse battery staple (compliance)' };
    const created = await admin.users.create.mutate({ email: officer.email, displayName: 'Noor Haddad', role: 'compliance_officer' });
    const officerClient = (token: string) => createHubClient({ url: hub!.url, headers: () => ({ authorization: `Bearer ${token}` }) });
    const { token } = await createHubClient({ url: hub!.url }).auth.login.mutate({ email: officer.email, password: created.oneTimePassword });
    await officerClient(token).auth.changePassword.mutate({ currentPassword: created.oneTimePassword, newPassword: officer.password });
    await officerClient(token).auth.logout.mutate();
    const expected = await admin.audit.events.query({ action, limit: 200 });
    expect(expected.events.length).toBeGreaterThan(50);

    const { context, page } = await newPage();
    try {
      await signIn(page, officer.email, officer.password);
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Audit log' }).click();
      await page.waitForURL('**/audit');
      await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
      expect(await page.title()).toBe('Audit log · Consilium portal');

      // The live chain, re-verified by the hub: verified, with its event count and head hash.
      const banner = page.locator('[data-integrity="verified"]');
      await banner.waitFor();
      expect(await banner.textContent()).toContain('Audit chain verified');
      expect(await banner.locator('code.hash').textContent()).toMatch(/^[0-9a-f]{64}$/);

      // Filter by one action: only that action, newest first, 50 to a page.
      await page.getByLabel('Action').selectOption(action);
      await page.getByRole('button', { name: 'Apply filter' }).click();
      await page.waitForURL((url) => url.searchParams.get('action') === action);
      const rows = page.locator('table.audit-table tbody tr');
      const seqsOf = async () => (await rows.evaluateAll((trs) => trs.map((tr) => Number(tr.getAttribute('data-seq')))));
      const actionsOf = () => rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-action')));
      await rows.first().waitFor();
      const newest = await seqsOf();
      expect(newest).toEqual(expected.events.slice(0, 50).map((e) => e.seq));
      expect(new Set(await actionsOf())).toEqual(new Set([action]));
      expect(await page.locator('pre.command[data-format="csv"]').textContent()).toContain(`--action ${action}`);
      // A payload expands to its JSON.
      await rows.first().locator('summary').click();
      expect(await rows.first().locator('pre').textContent()).toContain('"siteName"');

      // Older: the rest of the matching events; Newer: back to the first page.
      const pager = page.getByRole('navigation', { name: 'Audit log pages' });
      await pager.getByRole('link', { name: /Older/ }).click();
      await page.waitForURL((url) => url.searchParams.has('after'));
      await page.locator(`table.audit-table tbody tr[data-seq="${expected.events[50]!.seq}"]`).waitFor();
      expect(await seqsOf()).toEqual(expected.events.slice(50, 100).map((e) => e.seq));
      expect(new Set(await actionsOf())).toEqual(new Set([action]));
      await pager.getByRole('link', { name: /Newer/ }).click();
      await page.waitForURL((url) => url.searchParams.has('newer'));
      await page.locator(`table.audit-table tbody tr[data-seq="${newest[0]}"]`).waitFor();
      expect(await seqsOf()).toEqual(newest);
      expect(page.url()).toContain(`action=${action}`);
      await page.screenshot({ path: path.join(e2eEnv.screenshotsDir, 'portal-audit-log.png'), fullPage: true });

      // Export from the browser, for the filter shown: the export and its signed manifest in each format,
      // saved as the browser names them, then checked by the real offline verifier, the hub key pinned
      // from the hub's data directory as its operator would give it (not taken from the page).
      const { execFile } = await import('node:child_process');
      const { readFile, writeFile } = await import('node:fs/promises');
      const { promisify } = await import('node:util');
      const { fingerprint } = await import('@consilium/protocol');
      const hubSrc = path.resolve(import.meta.dirname, '..', '..', 'hub', 'src');
      const node = async (script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
        try {
          const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(hubSrc, script), ...args], { env: childEnv({ CONSILIUM_LOG_LEVEL: 'silent' }) });
          return { code: 0, stdout, stderr };
        } catch (error) {
          const e = error as { code?: number; stdout?: string; stderr?: string };
          return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
        }
      };
      const keyOut = await node('cli.ts', ['audit:public-key', '--data-dir', path.join(workDir, 'hub')]);
      expect(keyOut.code, keyOut.stderr).toBe(0);
      const hubKey = keyOut.stdout.trim();
      const exportPanel = page.locator('section[aria-labelledby="audit-export-heading"]');
      expect(await exportPanel.locator('[data-fingerprint]').textContent()).toBe(fingerprint(hubKey));
      const throughSeq = Number(await exportPanel.getAttribute('data-through-seq'));
      expect(throughSeq).toBeGreaterThanOrEqual(expected.events[0]!.seq);
      const downloadsDir = path.join(workDir, 'audit-downloads');
      await mkdir(downloadsDir, { recursive: true });
      const save = async (linkName: string): Promise<string> => {
        const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), exportPanel.getByRole('link', { name: linkName, exact: true }).click()]);
        const file = path.join(downloadsDir, download.suggestedFilename());
        await download.saveAs(file);
        expect(await download.failure()).toBeNull();
        return file;
      };
      const verified: Record<string, string> = {};
      for (const [format, label] of [
        ['ndjson', 'NDJSON'],
        ['csv', 'CSV'],
      ] as const) {
        const file = await save(`Download ${label}`);
        const manifest = await save(`Download ${label} manifest`);
        expect(path.basename(file)).toMatch(new RegExp(`^consilium-audit-through-${throughSeq}-filtered-[0-9a-f]{8}\\.${format}$`));
        expect(manifest).toBe(`${file}.manifest.json`);
        const result = await node('audit-cli.ts', ['verify', file, '--public-key', hubKey]);
        expect(result.code, `${result.stdout}${result.stderr}`).toBe(0);
        expect(result.stdout).toMatch(new RegExp(`^OK: \\d+ events verified \\(${format} export filtered by .*"action":"${action.replace('.', '\\.')}"`));
        expect(Number(/^OK: (\d+) events/.exec(result.stdout)![1])).toBeGreaterThanOrEqual(expected.events.length);
        verified[format] = file;
      }
      // One changed byte in an event is caught, and the event named.
      const lines = (await readFile(verified.ndjson!, 'utf8')).split('\n');
      const at = lines.findIndex((line) => line.includes('Audit e2e hospital'));
      expect(at).toBeGreaterThanOrEqual(0);
      const victim = JSON.parse(lines[at]!) as { seq: number };
      lines[at] = lines[at]!.replace('Audit e2e hospital', 'Audit e2e Hospital');
      await writeFile(verified.ndjson!, lines.join('\n'));
      const tampered = await node('audit-cli.ts', ['verify', verified.ndjson!, '--public-key', hubKey]);
      expect(tampered.code).toBe(2);
      expect(tampered.stdout).toContain(`First bad event (seq ${victim.seq}, line ${at + 1})`);

      // The whole log, unfiltered: the complete chain up to the head the page showed, every link followed.
      await page.goto(`${portal!.url}/audit`);
      const wholeSeq = Number(await exportPanel.getAttribute('data-through-seq'));
      expect(wholeSeq).toBeGreaterThan(throughSeq); // the exports above were recorded in the log
      const whole = await save('Download NDJSON');
      await save('Download NDJSON manifest');
      expect(path.basename(whole)).toBe(`consilium-audit-through-${wholeSeq}.ndjson`);
      const complete = await node('audit-cli.ts', ['verify', whole, '--public-key', hubKey]);
      expect(complete.code, `${complete.stdout}${complete.stderr}`).toBe(0);
      expect(complete.stdout).toContain(`OK: ${wholeSeq} events verified (ndjson export of the complete chain, events 1–${wholeSeq}`);
      const exported = await admin.audit.events.query({ action: 'audit.exported', limit: 10 });
      expect(exported.events.map((e) => e.actor)).toEqual(Array(exported.events.length).fill(`user:${created.user.id}`));
      expect(exported.events.length).toBeGreaterThanOrEqual(3);
    } finally {
      await context.close();
    }
  });

  it('shows who owns what share of a study the agents ran: ownership table, share-over-rounds chart, evidence', async () => {
    // Before its statistics round a study has nothing to account for: the page says so.
    const early = await signedInPage();
    try {
      await early.page.goto(`${portal!.url}/studies/${study.id}/contribution`);
      await early.page.getByText('Contribution accounting starts after the statistics round.').waitFor();
      expect(await early.page.locator('table').count()).toBe(0);
    } finally {
      await early.context.close();
    }

    const finished = await timed('wait for the agents\' study', () => agentStudy!.finished);
    expect(finished.status, finished.failureReason ?? '').toBe('completed');
    const summary = await admin.contribution.summary.query({ studyId: agentStudy!.studyId });
    expect(summary.shareHistory.length).toBeGreaterThan(0);

    const { context, page } = await signedInPage();
    try {
      // From the study's page, through its sub-navigation, by keyboard.
      await page.goto(`${portal!.url}/studies/${agentStudy!.studyId}`);
      const studyPages = page.getByRole('navigation', { name: 'Study pages' });
      expect(await studyPages.getByRole('link', { name: 'Progress' }).getAttribute('aria-current')).toBe('page');
      await studyPages.getByRole('link', { name: 'Contribution and ownership' }).focus();
      const opened = performance.now();
      await page.keyboard.press('Enter');
      await page.waitForURL(`**/studies/${agentStudy!.studyId}/contribution`);
      await page.getByRole('heading', { level: 1, name: 'Contribution and ownership' }).waitFor();
      const table = page.getByRole('table', { name: /^Ownership of the study's model/ });
      await table.waitFor();
      timings['contribution page (navigation)'] = Math.round(performance.now() - opened);
      expect(await page.title()).toBe(`Contribution · ${agentStudy!.name} · Consilium portal`);

      // Every site, once, with shares that add up to exactly 100 % (units and the text shown).
      const rows = table.locator('tbody tr');
      expect(await rows.count()).toBe(agentStudy!.siteNames.length);
      const siteIds = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-site-id')));
      expect([...siteIds].sort()).toEqual(summary.sites.map((s) => s.siteId).sort());
      const names = await rows.locator('th .site-name').allTextContents();
      expect([...names].sort()).toEqual([...agentStudy!.siteNames].sort());
      const shareCells = table.locator('tbody td[data-share-units]');
      const units = await shareCells.evaluateAll((tds) => tds.map((td) => td.getAttribute('data-share-units') ?? ''));
      expect(units.reduce((sum, u) => sum + BigInt(u), 0n)).toBe(PERCENT_UNITS);
      const shown = (await shareCells.allTextContents()).map((text) => {
        const match = /^(\d+)(?:\.(\d{1,6}))? %$/.exec(text.trim());
        expect(match, `share "${text}"`).not.toBeNull();
        return BigInt(match![1]!) * 1_000_000n + BigInt((match![2] ?? '').padEnd(6, '0'));
      });
      expect(shown.reduce((a, b) => a + b, 0n)).toBe(PERCENT_UNITS);
      expect((await table.locator('tfoot td').first().textContent())?.trim()).toBe('100 %');

      // The chart: an svg with one line (path) per site, and its numbers as a table for screen readers.
      const chart = page.locator('[data-chart="share-over-rounds"]');
      const surface = chart.locator('svg.recharts-surface').first();
      await surface.waitFor();
      await chart.locator('path.recharts-line-curve').first().waitFor({ state: 'attached' });
      expect(await chart.locator('path.recharts-line-curve').count()).toBe(agentStudy!.siteNames.length);
      const history = page.getByRole('table', { name: 'Ownership share of each site after each settled round' });
      expect(await history.locator('tbody tr').count()).toBe(summary.shareHistory.length);
      expect(await page.getByRole('region', { name: 'Share over rounds' }).textContent()).toContain(`after round ${summary.shareHistory.at(-1)!.round}`);

      // The latest settled round's components, and the evidence section (flags, or why there are none).
      const latest = summary.rounds.at(-1)!;
      await page.getByRole('heading', { level: 2, name: `Components in round ${latest.round} (latest settled)` }).waitFor();
      expect(await page.getByRole('table', { name: `Contribution components of each site in round ${latest.round}` }).locator('tbody tr').count()).toBe(latest.records.length);
      const evidence = page.getByRole('region', { name: /^Anomalies and evidence/ });
      if (summary.evidence.length === 0) expect(await evidence.textContent()).toContain('No anomalies flagged.');
      else expect(await evidence.locator('li').count()).toBe(summary.evidence.length);

      // The signed statement, downloaded with the person's session.
      const statement = await page.request.get(`${portal!.url}/studies/${agentStudy!.studyId}/contribution/statement?format=json`);
      expect(statement.status()).toBe(200);
      expect(statement.headers()['content-disposition']).toContain('attachment');
      const signed = (await statement.json()) as { format: string; signature: string; shares: Array<{ units: string }> };
      expect(signed.format).toBe('consilium.ownership-statement/1');
      expect(signed.shares.reduce((sum, s) => sum + BigInt(s.units), 0n)).toBe(PERCENT_UNITS);
      expect((await page.request.get(`${portal!.url}/studies/${agentStudy!.studyId}/contribution/statement?format=pdf`)).status()).toBe(400);

      await page.screenshot({ path: path.join(e2eEnv.screenshotsDir, 'portal-contribution.png'), fullPage: true });
    } finally {
      await context.close();
    }

    // A tablet: no horizontal page scrolling (wide tables scroll in their own region), the chart fits.
    const tablet = await signedInPage(TABLET);
    try {
      await tablet.page.goto(`${portal!.url}/studies/${agentStudy!.studyId}/contribution`);
      await tablet.page.locator('[data-chart="share-over-rounds"] path.recharts-line-curve').first().waitFor({ state: 'attached' });
      expect(await tablet.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)).toBeLessThanOrEqual(0);
    } finally {
      await tablet.context.close();
    }
  });

  it('charts the agents\' study\'s metrics per version and downloads its model (TensorFlow.js files and model card)', async () => {
    const finished = await agentStudy!.finished;
    expect(finished.status, finished.failureReason ?? '').toBe('completed');
    const progress = await admin.studies.progress.query({ studyId: agentStudy!.studyId });
    const latest = progress.models.reduce((a, b) => (b.version > a.version ? b : a));
    expect(progress.models.length).toBeGreaterThan(0);

    const { context, page } = await signedInPage();
    try {
      await page.goto(`${portal!.url}/studies/${agentStudy!.studyId}`);
      // The chart (training loss, validation accuracy and AUC) and its numbers as a table for screen readers.
      const chart = page.locator('[data-chart="metrics-over-versions"]');
      await chart.locator('svg.recharts-surface').first().waitFor();
      await chart.locator('path.recharts-line-curve').first().waitFor({ state: 'attached' });
      expect(await chart.locator('path.recharts-line-curve').count()).toBeGreaterThanOrEqual(2);
      const numbers = page.getByRole('table', { name: /^Global model metrics per version/ });
      expect(await numbers.locator('tbody tr').count()).toBe(progress.models.length);
      // The latest version's validation by each site.
      const bySite = page.getByRole('table', { name: `Validation of model version ${latest.version} by each site` });
      expect(await bySite.locator('tbody tr').count()).toBe(latest.evaluations.length);
      expect(latest.evaluations.length).toBe(agentStudy!.siteNames.length);
      await page.getByRole('link', { name: `Model card, version ${latest.version}` }).waitFor();

      // The downloads, with the person's session: model.json + weights.bin (a tfjs layers model) and the card.
      const base = `${portal!.url}/studies/${agentStudy!.studyId}/models/${latest.version}`;
      const modelJsonResponse = await page.request.get(`${base}?file=model.json`);
      expect(modelJsonResponse.status()).toBe(200);
      expect(modelJsonResponse.headers()['content-disposition']).toBe('attachment; filename="model.json"');
      const modelJsonText = await modelJsonResponse.text();
      const modelJson = JSON.parse(modelJsonText) as { format: string; modelTopology: unknown; weightsManifest: Array<{ paths: string[]; weights: Array<{ name: string; shape: number[] }> }> };
      expect(modelJson.format).toBe('layers-model');
      expect(modelJson.modelTopology).toBeTypeOf('object');
      expect(modelJson.weightsManifest.map((g) => g.paths)).toEqual([['weights.bin']]);
      const parameterCount = modelJson.weightsManifest[0]!.weights.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);

      const weightsResponse = await page.request.get(`${base}?file=weights.bin`);
      expect(weightsResponse.status()).toBe(200);
      const weights = await weightsResponse.body();
      expect(weights.byteLength).toBe(4 * parameterCount);

      const cardJson = (await (await page.request.get(`${base}?file=model-card.json`)).json()) as {
        format: string;
        model: { version: number; parameterCount: number };
        federation: { roundsCompleted: number; sites: Array<{ name: string }> };
        privacy: { secureAggregation: string; committee: { threshold: number; size: number } | null };
        hashes: { parametersSha256: string; modelJsonSha256: string; weightsSha256: string };
      };
      expect(cardJson.format).toBe('consilium-model-card/1');
      expect(cardJson.model).toMatchObject({ version: latest.version, parameterCount });
      expect(cardJson.federation.roundsCompleted).toBe(AGENT_STUDY.trainingRounds);
      expect(cardJson.federation.sites.map((s) => s.name).sort()).toEqual([...agentStudy!.siteNames].sort());
      expect(cardJson.privacy.secureAggregation).toBe('ckks-multiparty');
      expect(cardJson.privacy.committee).not.toBeNull();
      // The hashes tie the files to the hub's record of the version.
      expect(cardJson.hashes.parametersSha256).toBe(latest.parametersHash);
      expect(cardJson.hashes.modelJsonSha256).toBe(createHash('sha256').update(modelJsonText).digest('hex'));
      expect(cardJson.hashes.weightsSha256).toBe(createHash('sha256').update(weights).digest('hex'));

      const cardResponse = await page.request.get(`${base}?file=model-card.md`);
      expect(cardResponse.status()).toBe(200);
      expect(cardResponse.headers()['content-type']).toContain('text/markdown');
      const card = await cardResponse.text();
      expect(card).toMatch(new RegExp(`^# Model card: .+, version ${latest.version}\\n`));
      for (const heading of ['## Data schema', '## Training', '## Metrics', '## Privacy', '## Hashes (SHA-256)']) expect(card).toContain(heading);
      expect(card).toContain(latest.parametersHash);

      expect((await page.request.get(`${base}?file=model.h5`)).status()).toBe(400);
      expect((await page.request.get(`${portal!.url}/studies/${agentStudy!.studyId}/models/999?file=model.json`)).status()).toBe(404);
    } finally {
      await context.close();
    }

    // Nobody signed in: sent to sign in, nothing downloaded. The hub's route refuses an anonymous caller too.
    const anonymous = await fetch(`${portal!.url}/studies/${agentStudy!.studyId}/models/${latest.version}?file=weights.bin`, { redirect: 'manual' });
    expect([303, 307]).toContain(anonymous.status);
    expect(anonymous.headers.get('location')).toContain('/login');
    expect((await fetch(`${hub!.url}/v1/studies/${agentStudy!.studyId}/models/${latest.id}/parameters`)).status).toBe(401);
  });

  it('never sends the session token (or any administrator token) to the browser', async () => {
    const { context, page } = await signedInPage();
    const sessionToken = (await sessionCookie(context))!.value;
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
      for (const text of texts) {
        expect(text.includes(hub!.adminToken)).toBe(false);
        expect(text.includes(sessionToken)).toBe(false);
      }
      expect(await page.evaluate(() => document.cookie)).not.toContain('consilium_portal_session'); // httpOnly
    } finally {
      await context.close();
    }
  });

  it('fits a tablet screen without horizontal page scrolling', async () => {
    const { context, page } = await signedInPage(TABLET);
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
    const { context, page } = await signedInPage();
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
    const { context, page } = await signedInPage();
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

  it('lets a consortium administrator add a site administrator (one-time password shown once), who signs in, then change their role and disable them', async () => {
    const { context, page } = await signedInPage();
    const newcomer = await newPage();
    const person = { email: 'robin.it@saint-louis.example', name: 'Robin IT', password: 'a long password of their own' };
    try {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click();
      await page.getByRole('heading', { level: 1, name: 'People' }).waitFor();
      const form = page.getByRole('form', { name: 'Add a person' });
      await form.getByLabel('Email').fill(person.email);
      await form.getByLabel('Name').fill(person.name);
      await form.getByRole('button', { name: /Role$/ }).click();
      await page.getByRole('option', { name: 'Site administrator' }).click();
      // A site administrator is bound to a site: the form asks for it.
      await form.getByRole('button', { name: 'Add the person' }).click();
      await form.getByText('Choose the site this administrator is responsible for.').waitFor();
      await form.getByRole('button', { name: /Site$/ }).click();
      await page.getByRole('option', { name: SITES[0]! }).click();
      await form.getByRole('button', { name: 'Add the person' }).click();

      // The one-time password is shown once, then gone from the page.
      const dialog = page.getByRole('alertdialog', { name: `One-time password for ${person.name}` });
      await dialog.waitFor();
      const oneTimePassword = (await dialog.getByTestId('one-time-password').textContent())?.trim() ?? '';
      expect(oneTimePassword.length).toBeGreaterThanOrEqual(12);
      await dialog.getByRole('button', { name: 'I have noted the password' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await page.content()).not.toContain(oneTimePassword);
      const row = page.getByRole('row', { name: new RegExp(person.name) });
      await row.waitFor();
      for (const text of [person.email, 'Site administrator', SITES[0]!, 'Has a one-time password']) expect(await row.textContent()).toContain(text);
      // The hub made the same account: a site administrator of that site.
      const sites = await admin.sites.list.query();
      expect((await admin.users.list.query()).find((u) => u.email === person.email)).toMatchObject({ role: 'site_admin', siteId: sites.find((s) => s.name === SITES[0])?.id });

      await page.screenshot({ path: path.join(e2eEnv.screenshotsDir, 'portal-people.png'), fullPage: true });

      // The person signs in with it and chooses their own password.
      await signInFirstTime(newcomer.page, portal!.url, person.email, oneTimePassword, person.password);

      // The administrator changes the role: the hub applies it at once.
      await page.reload();
      await page.getByRole('row', { name: new RegExp(person.name) }).getByRole('button', { name: `Change the role of ${person.name}` }).click();
      const roleDialog = page.getByRole('alertdialog', { name: `Change the role of ${person.name}?` });
      await roleDialog.getByRole('button', { name: /New role$/ }).click();
      await page.getByRole('option', { name: 'Compliance officer' }).click();
      await roleDialog.getByRole('button', { name: 'Change the role' }).click();
      await roleDialog.waitFor({ state: 'detached' });
      await page.getByRole('row', { name: new RegExp(person.name) }).getByText('Compliance officer').waitFor();
      expect((await admin.users.list.query()).find((u) => u.email === person.email)).toMatchObject({ role: 'compliance_officer', siteId: null });

      // The administrator disables the account: its session ends at once.
      await page.getByRole('row', { name: new RegExp(person.name) }).getByRole('button', { name: `Disable ${person.name}` }).click();
      const confirm = page.getByRole('alertdialog', { name: `Disable ${person.name}?` });
      await confirm.getByRole('button', { name: 'Disable the account' }).click();
      await confirm.waitFor({ state: 'detached' });
      await page.getByRole('row', { name: new RegExp(person.name) }).getByText('Disabled').waitFor();
      await newcomer.page.goto(`${portal!.url}/`);
      await newcomer.page.waitForURL('**/login?reason=expired');
    } finally {
      await newcomer.context.close();
      await context.close();
    }
  });

  it('sends a person whose session the hub ended back to the sign-in page', async () => {
    const { context, page } = await signedInPage();
    try {
      await admin.users.revokeSessions.mutate({ userId: operator.id });
      await page.goto(`${portal!.url}/`);
      await page.waitForURL('**/login?reason=expired');
      await page.getByText('Your session has ended. Sign in again to continue.').waitFor();
      expect(await sessionCookie(context)).toBeUndefined(); // the stale cookie is dropped
    } finally {
      await context.close();
    }
  });

  it('explains an unreachable hub and how to configure it', async () => {
    const { context, page } = await newPage();
    try {
      // Signing in needs the hub: the form says why it cannot.
      await page.goto(`${portalNoHub!.url}/`);
      expect(new URL(page.url()).pathname).toBe('/login');
      await page.getByLabel('E-mail address').fill(operator.email);
      await page.getByLabel('Password', { exact: true }).fill(operator.password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const signInAlert = page.getByRole('main').getByRole('alert');
      await signInAlert.waitFor();
      expect(await signInAlert.textContent()).toContain('The hub is unreachable');
      expect(await signInAlert.textContent()).toContain('connection refused');

      // A session from before the hub went away: the pages explain the outage.
      await context.addCookies([{ name: 'consilium_portal_session', value: 'cses_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', url: portalNoHub!.url, httpOnly: true, sameSite: 'Strict' }]);
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
