import { z } from 'zod';

/**
 * The hub's environment, read and validated once (the only place the hub reads process.env).
 * Command-line flags override these.
 */
const HubEnv = z.object({
  DATABASE_URL: z.string().url().optional(),
  CONSILIUM_DATA_DIR: z.string().min(1).default('.consilium/hub'),
  CONSILIUM_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  CONSILIUM_HOST: z.string().min(1).default('127.0.0.1'),
  CONSILIUM_CONSORTIUM_NAME: z.string().min(1).default('Consilium consortium'),
  CONSILIUM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** For the admin commands: where the hub is, and the administrator token. */
  CONSILIUM_HUB_URL: z.string().url().optional(),
  CONSILIUM_ADMIN_TOKEN: z.string().min(10).optional(),
  /** Comma-separated reverse-proxy addresses whose X-Forwarded-For is believed (sign-in rate limits). */
  CONSILIUM_TRUSTED_PROXIES: z.string().optional(),
  /** Comma-separated browser origins allowed to send session-cookie mutations (CSRF check). */
  CONSILIUM_ALLOWED_ORIGINS: z.string().optional(),
  /** PEM files of the hub's certificate (chain) and private key: the hub serves HTTPS. */
  CONSILIUM_TLS_CERT: z.string().min(1).optional(),
  CONSILIUM_TLS_KEY: z.string().min(1).optional(),
  /** 1: serve plain HTTP on a non-loopback host, because a TLS-terminating proxy or ingress sits in front. */
  CONSILIUM_ALLOW_PLAIN_HTTP: z.enum(['1', 'true', 'yes', '0', 'false', 'no'], { error: 'expected 1 or 0 (true or false)' })
    .default('0')
    .transform((value) => value === '1' || value === 'true' || value === 'yes'),
  /** Signed requests per minute one site may make (per hub process); 0 turns the limit off. */
  CONSILIUM_SITE_RATE_LIMIT: z.coerce.number().int().min(0).optional(),
});
export type HubEnv = z.infer<typeof HubEnv>;

export function readEnv(source: NodeJS.ProcessEnv = process.env): HubEnv {
  const result = HubEnv.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  return result.data;
}
