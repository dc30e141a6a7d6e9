/**
 * The people's main journeys through the portal, end to end, in Debian's Chromium: a study lead
 * creates a study with the wizard (its data schema inferred from a sample CSV in the browser) and
 * invites two hospitals; their agents (real `consilium-agent` processes) enrol but do nothing until
 * each hospital's site administrator approves the study on their site's page; the study then runs
 * (real training, encrypted updates, threshold decryption); the lead pauses and resumes it, watches
 * the metrics appear and downloads the model. Each main page's time to first content is printed.
 *
 * A real hub process (fresh PGlite), the portal built with `next build` (shared with the other
 * browser tests when the sources have not changed) and served by `next start`.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHubClient, type HubClient } from '@consilium/api/client';
import { writeSyntheticHospitals, type WrittenHospital } from '@consilium/data/synthetic';
import { startAgentProcess, startHubProcess, watchStudy, type AgentProcess, type HubProcess, type StudyProgress } from '@consilium/demo/orchestrator';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { e2eEnv } from './env.ts';
import { newPage, signIn, signInFirstTime, timeToFirstContent } from './support/browser.ts';
import { chromiumMissing, launchChromium } from './support/chromium.ts';
import { buildPortal, startPortal, type RunningPortal } from './support/portal.ts';
import { childEnv } from './support/processes.ts';

const STUDY_NAME = 'Readmission risk: wizard-made study';
const TRAINING_ROUNDS = 2;

interface Person {
  email: string;
  name: string;
  oneTimePassword: string;
  password: string;
}

/** A modal: react-aria's dialogs, and alert dialogs for what must be read (the one-time token). */
const anyDialog = (page: Page) => page.locator('[role="dialog"], [role="alertdialog"]');

if (chromiumMissing) console.warn(`[e2e] ${chromiumMissing}; skipping the portal journeys.`);

describe.skipIf(chromiumMissing !== null)('people\'s journeys in the portal (real hub, agents and Chromium)', () => {
  let workDir: string;
  let hub: HubProcess | undefined;
  let portal: RunningPortal | undefined;
  let browser: Browser | undefined;
  let admin: HubClient;
  let hospitals: WrittenHospital[] = [];
  let sample = '';
  const agents: AgentProcess[] = [];
  const lead: Person = { email: 'lead.journey@consortium.example', name: 'Dr Lena Vogel', oneTimePassword: '', password: 'journey lead passphrase 1' };
  const siteAdmins: Person[] = [];
  let studyId = '';
  const tokens: Record<string, string> = {};
  /** Time to first content of each main page (ms), printed at the end. */
  const pageTimings: Record<string, number> = {};

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'consilium-e2e-journeys-'));
    const logs = path.join(workDir, 'logs');
    await mkdir(logs, { recursive: true });
    await mkdir(e2eEnv.screenshotsDir, { recursive: true });
    const [running] = await Promise.all([
      startHubProcess({ dataDir: path.join(workDir, 'hub'), logFile: path.join(logs, 'hub.log'), env: childEnv({ CONSILIUM_LOG_LEVEL: 'warn' }) }),
      buildPortal({ logFile: path.join(logs, 'next-build.log') }),
    ]);
    hub = running;
    admin = createHubClient({ url: running.url, headers: () => ({ authorization: `Bearer ${running.adminToken}` }) });
    hospitals = await writeSyntheticHospitals(path.join(workDir, 'data'), { seed: 23, sites: 2 });
    // The lead's sample: a few rows from each hospital's export (same columns), so the inferred
    // ranges and categories cover what the sites hold.
    const [first, ...others] = await Promise.all(hospitals.map(async (h) => (await readFile(h.path, 'utf8')).trimEnd().split('\n')));
    sample = path.join(workDir, 'sample.csv');
    await writeFile(sample, [...first!, ...others.flatMap((lines) => lines.slice(1))].join('\n') + '\n');
    const createdLead = await admin.users.create.mutate({ email: lead.email, displayName: lead.name, role: 'study_lead' });
    lead.oneTimePassword = createdLead.oneTimePassword;
    portal = await startPortal({ name: 'next start (journeys)', env: { CONSILIUM_HUB_URL: running.url }, logFile: path.join(logs, 'portal.log') });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(agents.filter((a) => !a.hasExited()).map((a) => a.stop()));
    await Promise.all([portal?.service.stop(), hub?.stop()]);
    console.info(`[e2e] portal time to first content (ms): ${JSON.stringify(pageTimings)}`);
    if (e2eEnv.keepWorkDir) console.info(`[e2e] kept logs and data in ${workDir}`);
    else if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  const progress = (): Promise<StudyProgress> => admin.studies.progress.query({ studyId });

  async function waitForStudy<T>(what: string, pick: (p: StudyProgress) => T | false | undefined, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await progress();
      const picked = pick(current);
      if (picked !== false && picked !== undefined) return picked;
      if (Date.now() > deadline) throw new Error(`Waited in vain for ${what}: status ${current.status}, ${current.rounds.length} round(s)`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  async function asPerson<T>(work: (page: Page, context: BrowserContext) => Promise<T>): Promise<T> {
    const { context, page } = await newPage(browser!);
    try {
      return await work(page, context);
    } finally {
      await context.close();
    }
  }

  it('a study lead creates a study with the wizard, its schema inferred from a sample CSV, and invites two sites', async () => {
    await asPerson(async (page) => {
      await signInFirstTime(page, portal!.url, lead.email, lead.oneTimePassword, lead.password);
      pageTimings.overview = await timeToFirstContent(page, `${portal!.url}/`, 'Consortium overview');
      await page.getByRole('link', { name: 'New study' }).click();
      await page.waitForURL('**/studies/new');
      pageTimings['new study'] = await timeToFirstContent(page, `${portal!.url}/studies/new`);

      await page.getByRole('heading', { level: 1, name: 'Create a study' }).waitFor();
      const next = () => page.getByRole('button', { name: /^Next/ }).click();
      const step = (n: number) => page.getByRole('heading', { name: new RegExp(`^Step ${n} of 6`) }).waitFor();

      // 1. Basics; Next without a name stays on the step and says what is missing.
      await next();
      await page.getByTestId('wizard-errors').waitFor();
      await page.getByLabel('Study name').fill(STUDY_NAME);
      await page.getByLabel('Description').fill('Predicts major cardiac events within a year; made in the browser by the e2e journey.');
      await next();

      // 2. Data: a sample CSV read in the browser (it never leaves it); the schema is inferred from it,
      // the label column proposed from the outcome-like categorical column.
      await step(2);
      await page.locator('input[type="file"]').setInputFiles(sample);
      const columns = page.getByRole('table', { name: 'Columns of the data' });
      await columns.waitFor();
      expect(await columns.locator('tbody tr').count()).toBeGreaterThanOrEqual(10);
      await page.screenshot({ path: path.join(e2eEnv.screenshotsDir, 'portal-new-study-schema.png'), fullPage: true });
      await next();

      // 3. Model and local training: a short study.
      await step(3);
      await page.getByLabel('Training rounds').fill(String(TRAINING_ROUNDS));
      await page.getByLabel('Training rounds').press('Tab');
      await next();
      // 4. Federation and 5. Privacy: the defaults.
      await step(4);
      await next();
      await step(5);
      await next();
      // 6. Review (the spec as JSON, downloadable for the CLI) and create.
      await step(6);
      expect(JSON.parse((await page.getByTestId('spec-json').textContent()) ?? '')).toMatchObject({ name: STUDY_NAME, training: { rounds: TRAINING_ROUNDS } });
      await page.getByRole('button', { name: 'Create study' }).click();
      await page.getByRole('heading', { level: 1, name: STUDY_NAME }).waitFor({ timeout: 30_000 });
      studyId = new URL(page.url()).pathname.split('/').at(-1)!;
      expect(studyId).toMatch(/^[0-9a-f-]{36}$/);

      // Invite each hospital: the token is shown once, with the enrolment command.
      for (const hospital of hospitals) {
        await page.getByLabel('Site name').fill(hospital.name);
        await page.getByRole('button', { name: 'Invite a site' }).click();
        const dialog = anyDialog(page);
        const token = ((await dialog.getByTestId('enrolment-token').textContent()) ?? '').trim();
        expect(token).toMatch(/^cst_/);
        expect(await dialog.getByTestId('enrolment-command').textContent()).toContain(token);
        tokens[hospital.name] = token;
        await dialog.getByRole('button', { name: 'I have copied the token' }).click();
        await dialog.waitFor({ state: 'detached' });
        // Shown once: nowhere in the page once the dialog is closed.
        expect(await page.content()).not.toContain(token);
      }
      const tokenRows = page.getByRole('table', { name: 'Invitations (enrolment tokens)' }).locator('tbody tr');
      await expect.poll(() => tokenRows.count()).toBe(hospitals.length);
      pageTimings.study = await timeToFirstContent(page, `${portal!.url}/studies/${studyId}`, STUDY_NAME);
    });
    const created = await progress();
    expect(created).toMatchObject({ name: STUDY_NAME, status: 'enrolling' });
    expect(created.spec.training.rounds).toBe(TRAINING_ROUNDS);
  }, 120_000);

  it('the sites\' agents enrol but do nothing until their site administrators approve', async () => {
    for (const hospital of hospitals) {
      agents.push(
        await startAgentProcess({
          hubUrl: hub!.url,
          dir: path.join(workDir, 'agents', hospital.slug),
          name: hospital.name,
          dataPath: hospital.path,
          token: tokens[hospital.name],
          approveStudy: false,
          logFile: path.join(workDir, 'logs', `agent-${hospital.slug}.log`),
          untilDone: true,
          pollMs: 200,
          env: childEnv({ CONSILIUM_LOG_LEVEL: 'info' }),
        }),
      );
    }
    const enrolled = await waitForStudy('both sites enrolled and polling', (p) => p.sites.length === hospitals.length && p.sites.every((s) => s.lastSeenAt !== null) && p);
    expect(enrolled.sites.map((s) => s.consent)).toEqual(['pending', 'pending']);
    expect(enrolled.status).toBe('enrolling');
    expect(enrolled.rounds).toEqual([]);

    // The consortium administrator gives each hospital a site administrator account.
    for (const [i, site] of enrolled.sites.entries()) {
      const person: Person = { email: `site-admin-${i + 1}@hospital.example`, name: `Site admin ${i + 1}`, oneTimePassword: '', password: `site admin passphrase ${i + 1}` };
      const created = await admin.users.create.mutate({ email: person.email, displayName: person.name, role: 'site_admin', siteId: site.siteId });
      person.oneTimePassword = created.oneTimePassword;
      siteAdmins.push(person);
    }
  }, 120_000);

  it('each site administrator approves the study on their site\'s page; the study starts', async () => {
    const before = await progress();
    for (const [i, person] of siteAdmins.entries()) {
      const siteName = before.sites[i]!.name;
      await asPerson(async (page) => {
        await signInFirstTime(page, portal!.url, person.email, person.oneTimePassword, person.password);
        const sitePage = `${portal!.url}/sites/${encodeURIComponent(siteName)}`;
        pageTimings[`site (${i + 1})`] = await timeToFirstContent(page, sitePage);
        const invitation = page.getByRole('article', { name: STUDY_NAME });
        await invitation.getByText('Your agent does not train for this study until you approve it.').waitFor();
        if (i === 0) await page.screenshot({ path: path.join(e2eEnv.screenshotsDir, 'portal-site-consent.png'), fullPage: true });
        await invitation.getByRole('button', { name: `Approve ${STUDY_NAME}` }).click();
        const dialog = anyDialog(page);
        await dialog.getByLabel('Note (optional)').fill('Approved by the ethics committee, ref. EC-2026-114.');
        await dialog.getByRole('button', { name: 'Approve the study' }).click();
        await dialog.waitFor({ state: 'detached' });
        await invitation.getByText('Ethics committee', { exact: false }).waitFor();
      });
    }
    const started = await waitForStudy('the study to start', (p) => p.status !== 'enrolling' && p);
    expect(started.sites.map((s) => s.consent)).toEqual(['approved', 'approved']);
  }, 120_000);

  it('the study lead pauses and resumes the study, watches it complete and downloads the model', async () => {
    await asPerson(async (page) => {
      await signIn(page, portal!.url, lead.email, lead.password);
      await page.goto(`${portal!.url}/studies/${studyId}`);
      await page.getByRole('button', { name: 'Pause study' }).click();
      await anyDialog(page).getByRole('button', { name: 'Pause the study' }).click();
      await page.getByTestId('paused-notice').waitFor();
      expect((await progress()).pausedAt).not.toBeNull();
      await page.getByRole('button', { name: 'Resume study' }).click();
      await anyDialog(page).getByRole('button', { name: 'Resume the study' }).click();
      await page.getByTestId('paused-notice').waitFor({ state: 'detached' });
      expect((await progress()).pausedAt).toBeNull();

      const finished = await watchStudy(admin, studyId, { pollMs: 500, timeoutMs: 240_000 });
      expect(finished.status, finished.failureReason ?? '').toBe('completed');
      expect(finished.models.length).toBe(TRAINING_ROUNDS);

      pageTimings['study (completed)'] = await timeToFirstContent(page, `${portal!.url}/studies/${studyId}`, STUDY_NAME);
      const chart = page.locator('[data-chart="metrics-over-versions"]');
      await chart.locator('path.recharts-line-curve').first().waitFor({ state: 'attached' });
      await page.screenshot({ path: path.join(e2eEnv.screenshotsDir, 'portal-journey-study.png'), fullPage: true });

      // The latest version's files, as a person downloads them (a click, the browser saves the file).
      const latest = finished.models.reduce((a, b) => (b.version > a.version ? b : a));
      const download = page.waitForEvent('download');
      await page.getByRole('link', { name: `model.json, version ${latest.version}` }).click();
      const saved = path.join(workDir, 'model.json');
      await (await download).saveAs(saved);
      const modelJson = JSON.parse(await readFile(saved, 'utf8')) as { format: string };
      expect(modelJson.format).toBe('layers-model');

      pageTimings.contribution = await timeToFirstContent(page, `${portal!.url}/studies/${studyId}/contribution`);
    });
    for (const agent of agents) expect(await agent.exited).toBe(0);
  }, 300_000);
});
