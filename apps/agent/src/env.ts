import { z } from 'zod';

/** The agent's environment, validated once (the only place the agent reads process.env). Flags override it. */
const AgentEnv = z.object({
  CONSILIUM_AGENT_DIR: z.string().min(1).default('.consilium/agent'),
  CONSILIUM_HUB_URL: z.string().url().optional(),
  CONSILIUM_DATA: z.string().min(1).optional(),
  CONSILIUM_BACKEND: z.enum(['auto', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu']).optional(),
  CONSILIUM_ENROLLMENT_TOKEN: z.string().min(10).optional(),
  /** `yes` to approve taking part in the study at enrolment (like --approve-study); `no` leaves it to the site administrator. */
  CONSILIUM_APPROVE_STUDY: z.enum(['yes', 'no', 'true', 'false', '1', '0', 'y', 'n']).optional(),
  CONSILIUM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CONSILIUM_POLL_MS: z.coerce.number().int().min(100).max(600_000).default(1000),
  /** A PEM bundle of CAs to trust for the hub (NODE_EXTRA_CA_CERTS works too, natively). */
  CONSILIUM_CA_FILE: z.string().min(1).optional(),
  /** The proxy for the hub; otherwise HTTPS_PROXY / HTTP_PROXY, minus NO_PROXY. */
  CONSILIUM_PROXY: z.string().url().optional(),
  HTTPS_PROXY: z.string().optional(),
  https_proxy: z.string().optional(),
  HTTP_PROXY: z.string().optional(),
  http_proxy: z.string().optional(),
  NO_PROXY: z.string().optional(),
  no_proxy: z.string().optional(),
});
export type AgentEnv = z.infer<typeof AgentEnv>;

/** Whether a yes/no setting (CONSILIUM_APPROVE_STUDY, the init question) says yes. */
export function isYes(value: string | undefined): boolean {
  return value !== undefined && ['yes', 'y', 'true', '1'].includes(value.trim().toLowerCase());
}

export function readEnv(source: NodeJS.ProcessEnv = process.env): AgentEnv {
  const result = AgentEnv.safeParse(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== '')));
  if (!result.success) {
    throw new Error(`Invalid environment: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}
