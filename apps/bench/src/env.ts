import { z } from 'zod';

/** The benchmarks' environment (read only here). */
const BenchEnv = z.object({
  DATABASE_URL: z.string().url().optional(),
});

export function readEnv(source: NodeJS.ProcessEnv = process.env): z.infer<typeof BenchEnv> {
  return BenchEnv.parse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
}
