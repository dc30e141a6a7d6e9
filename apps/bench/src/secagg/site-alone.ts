import { z } from 'zod';
import { runJsonProcess } from '../child-process.ts';
import type { TrainingMeasurement } from './training.ts';

/** What site-process.ts is told: the round's shape and seed (it regenerates site 0's update). */
export const SiteAloneInput = z.strictObject({
  params: z.number().int().positive(),
  sites: z.number().int().positive(),
  trainRows: z.number().int().positive(),
  seed: z.number().int().nonnegative(),
});
export type SiteAloneInput = z.infer<typeof SiteAloneInput>;

/** What it prints. */
const SiteAloneResult = z.strictObject({
  training: z.custom<TrainingMeasurement>((value) => typeof value === 'object' && value !== null && 'train_s' in value),
  encode_s: z.number(),
  encrypt_s: z.number(),
  upload_bytes: z.number(),
  rss_after_training_bytes: z.number(),
  /** The site process's peak RSS: training, then encoding and encrypting its update. */
  peak_rss_bytes: z.number(),
});
export type SiteAloneResult = z.infer<typeof SiteAloneResult>;

/**
 * One site's local training and encryption in a process of its own (site-process.ts), so its
 * memory is not mixed with the hub's or the other sites'. Throws INTERNAL with its stderr if it fails.
 */
export async function measureSiteAlone(input: SiteAloneInput): Promise<SiteAloneResult> {
  return SiteAloneResult.parse(await runJsonProcess(new URL('./site-process.ts', import.meta.url), input, 'site'));
}
