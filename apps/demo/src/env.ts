import { AppError, ErrorCode } from '@consilium/errors';
import { z } from 'zod';

/**
 * The demo's environment, read and validated once (the only place the demo reads process.env).
 */
const DemoEnv = z.object({
  /** Run the hub on PostgreSQL instead of embedded PGlite. */
  DATABASE_URL: z.string().url().optional(),
  /** The administrator token of a PostgreSQL database whose first start wrote it elsewhere. */
  CONSILIUM_ADMIN_TOKEN: z.string().min(10).optional(),
  /** The portal's port (default 3000; --portal-port wins). */
  CONSILIUM_PORTAL_PORT: z
    .string()
    .regex(/^\d{1,5}$/, 'must be a port number from 1 to 65535')
    .transform(Number)
    .pipe(z.number().int().min(1, 'must be a port number from 1 to 65535').max(65_535, 'must be a port number from 1 to 65535'))
    .optional(),
});
export type DemoEnv = z.infer<typeof DemoEnv>;

/** Reads and validates the demo's variables; empty ones count as unset. */
export function readDemoEnv(source: NodeJS.ProcessEnv = process.env): DemoEnv {
  const result = DemoEnv.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new AppError(ErrorCode.INVALID_INPUT, `Invalid environment: ${problems}`);
  }
  return result.data;
}

/**
 * The environment the demo's hub and agents inherit: this process's, without DATABASE_URL and
 * CONSILIUM_* variables, so only the demo's own choices (flags, readDemoEnv) configure them.
 */
export function childProcessEnv(source: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(source)) {
    if (value === undefined || name === 'DATABASE_URL' || name.startsWith('CONSILIUM_')) continue;
    env[name] = value;
  }
  return env;
}
