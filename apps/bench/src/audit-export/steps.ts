import { z } from 'zod';
import { runJsonProcess } from '../child-process.ts';

const Database = z.strictObject({ url: z.string().optional(), pgliteDir: z.string().optional() });

/** What step-process.ts is told to do. */
export const StepInput = z.discriminatedUnion('task', [
  z.strictObject({
    task: z.literal('export'),
    database: Database,
    format: z.enum(['csv', 'ndjson']),
    filter: z.record(z.string(), z.string()),
    file: z.string(),
    signingKeyPem: z.string(),
    pageSize: z.number().int().positive(),
  }),
  z.strictObject({ task: z.literal('verify'), file: z.string(), publicKey: z.string() }),
  /**
   * Loads what an export (with `database`) or a verification (without) loads, opens the database,
   * and stops: the memory each step starts from.
   */
  z.strictObject({ task: z.literal('baseline'), database: Database.optional() }),
]);
export type StepInput = z.infer<typeof StepInput>;

/** What it prints. */
const StepResult = z.strictObject({
  events: z.number(),
  ok: z.boolean(),
  bytes: z.number().optional(),
  /** Why verification failed, if it did. */
  detail: z.string().nullable(),
  seconds: z.number(),
  /** The step's own peak RSS (Linux: VmHWM; elsewhere getrusage maxrss). */
  peak_rss_bytes: z.number(),
  /** process.resourceUsage().maxRSS, which on Linux includes the parent's RSS when the process was spawned. */
  getrusage_max_rss_bytes: z.number(),
});
export type StepResult = z.infer<typeof StepResult>;

/** Runs one step in its own process; throws INTERNAL with its stderr if the process fails. */
export async function runStep(input: StepInput): Promise<StepResult> {
  return StepResult.parse(await runJsonProcess(new URL('./step-process.ts', import.meta.url), input, input.task));
}
