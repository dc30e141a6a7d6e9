import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateSyntheticHospitals, MAX_SYNTHETIC_SITES } from '@consilium/data/synthetic';
import { createRng, shuffleInPlace } from '@consilium/random';

/** How one benchmark site's data is drawn from the synthetic patient pool. */
export interface SiteDataPlan {
  name: string;
  rows: number;
  /** Fraction of rows with the outcome; null: whatever the pool gives (the consortium's usual rate). */
  positiveRate: number | null;
  /** Every label inverted (yes ↔ no): a poisoning site. */
  flipLabels?: boolean;
}

export interface SiteData {
  name: string;
  path: string;
  rows: number;
  positives: number;
}

/**
 * Writes one CSV per site, drawn without replacement from the synthetic hospitals' patients (the
 * demo's cohort schema), so each site's size and outcome rate are exactly as planned.
 */
export async function writeConsortiumData(dir: string, plans: readonly SiteDataPlan[], seed: number): Promise<SiteData[]> {
  await mkdir(dir, { recursive: true });
  // Two cohorts' worth of patients: enough to give every site the size and outcome rate planned.
  const hospitals = [seed, seed + 1_000].flatMap((s) => generateSyntheticHospitals({ seed: s, sites: MAX_SYNTHETIC_SITES }));
  const header = hospitals[0]!.csv.split('\n')[0]!;
  const rows = hospitals.flatMap((h) => h.csv.split('\n').slice(1).filter((line) => line.trim() !== ''));
  const random = createRng(seed);
  const shuffled = shuffleInPlace(rows, random);
  const positives = shuffled.filter(isPositive);
  const negatives = shuffled.filter((line) => !isPositive(line));
  const take = (pool: string[], n: number, what: string): string[] => {
    if (pool.length < n) throw new Error(`the synthetic pool has too few ${what} rows (${pool.length}) for the planned sites`);
    return pool.splice(0, n);
  };

  const out: SiteData[] = [];
  for (const plan of plans) {
    const rate = plan.positiveRate ?? positives.length / (positives.length + negatives.length);
    const nPositive = Math.round(plan.rows * rate);
    let lines = shuffleInPlace([...take(positives, nPositive, 'positive'), ...take(negatives, plan.rows - nPositive, 'negative')], random);
    if (plan.flipLabels) lines = lines.map(flipLabel);
    const file = path.join(dir, `${plan.name}.csv`);
    await writeFile(file, `${header}\n${lines.join('\n')}\n`, 'utf8');
    out.push({ name: plan.name, path: file, rows: lines.length, positives: lines.filter(isPositive).length });
  }
  return out;
}

/** The outcome (mace_1y) is the last column. */
function isPositive(line: string): boolean {
  return line.slice(line.lastIndexOf(',') + 1).trim() === 'yes';
}

function flipLabel(line: string): string {
  const cut = line.lastIndexOf(',');
  return `${line.slice(0, cut)},${isPositive(line) ? 'no' : 'yes'}`;
}
