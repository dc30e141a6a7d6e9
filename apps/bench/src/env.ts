import { z } from 'zod';

/** The benchmarks' environment (read only here). */
const BenchEnv = z.object({
  DATABASE_URL: z.string().url().optional(),
  /** The contribution benchmark's agents only: how this one deviates from the protocol (JSON, apps/agent's SiteBehaviour). */
  CONSILIUM_BENCH_BEHAVIOUR: z.string().default('{}'),
  CONSILIUM_LOG_LEVEL: z.string().default('info'),
});

export function readEnv(source: NodeJS.ProcessEnv = process.env): z.infer<typeof BenchEnv> {
  return BenchEnv.parse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
}
