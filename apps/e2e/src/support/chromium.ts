import { accessSync, constants } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { e2eEnv } from '../env.ts';

/** Debian's Chromium (apt-get install chromium), or CHROMIUM_PATH. */
export const chromiumPath = e2eEnv.chromiumPath;

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Null when Chromium can be launched, else why not (the browser tests are then skipped). */
export const chromiumMissing: string | null = isExecutable(chromiumPath)
  ? null
  : `Chromium not found at ${chromiumPath}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}
