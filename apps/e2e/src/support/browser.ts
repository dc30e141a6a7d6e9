/**
 * What every browser test does with a page: open one at a screen size, sign in through the login
 * form, and time how long a page takes to show its first content.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const LAPTOP = { width: 1280, height: 800 };
export const TABLET = { width: 820, height: 1180 };

export async function newPage(browser: Browser, viewport = LAPTOP): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport, colorScheme: 'light', locale: 'en-GB', acceptDownloads: true });
  return { context, page: await context.newPage() };
}

/** Signs in through the login page (keyboard: type, Enter); waits until the form is gone. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  if (!page.url().startsWith(`${baseUrl}/login`)) await page.goto(`${baseUrl}/login`);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Password', { exact: true }).press('Enter');
  await page.waitForURL((url) => url.pathname !== '/login');
}

/** A first sign-in with a one-time password: the portal asks for a new password before anything else. */
export async function signInFirstTime(page: Page, baseUrl: string, email: string, oneTimePassword: string, newPassword: string): Promise<void> {
  await signIn(page, baseUrl, email, oneTimePassword);
  await page.waitForURL('**/account/password**');
  await page.getByLabel('Current password').fill(oneTimePassword);
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('New password again').fill(newPassword);
  await page.getByRole('button', { name: 'Change password' }).click();
  try {
    await page.waitForURL((url) => url.pathname !== '/account/password', { waitUntil: 'commit' });
  } catch (error) {
    const alerts = await page.getByRole('alert').allTextContents();
    throw new Error(`The password change of ${email} did not go through; the page says: ${alerts.join(' | ') || (await page.locator('main').textContent())}`, { cause: error });
  }
}

/**
 * Opens `url` and resolves with the milliseconds until its level-1 heading is visible: the time to
 * first content a person waits for (server rendering included, as the portal renders on the server).
 */
export async function timeToFirstContent(page: Page, url: string, heading?: string | RegExp): Promise<number> {
  const started = performance.now();
  await page.goto(url);
  await page.getByRole('heading', { level: 1, ...(heading === undefined ? {} : { name: heading }) }).first().waitFor();
  return Math.round(performance.now() - started);
}
