import { readFile, writeFile, mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { AppError, ErrorCode } from '@consilium/errors';
import { z } from 'zod';
import type { AgentFiles } from './agent-files.ts';
import type { AgentEnv } from './env.ts';
import { proxyEnvOf, type NetworkOptions } from './network.ts';

export const AgentConfig = z.strictObject({
  hubUrl: z.string().url(),
  siteId: z.string().uuid(),
  siteName: z.string(),
  /** Data sources: a study id, or "*" for every study without its own entry → CSV path. */
  datasets: z.record(z.string(), z.string()).default({}),
  backend: z.enum(['auto', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu']).default('auto'),
  /** A PEM bundle of CAs to trust for the hub (a hospital's own CA or TLS-inspecting proxy). */
  caFile: z.string().min(1).optional(),
  /** The site's forward proxy for the hub (HTTPS_PROXY / HTTP_PROXY in the environment win over it). */
  proxy: z.string().url().optional(),
});
export type AgentConfig = z.infer<typeof AgentConfig>;

export async function loadConfig(files: AgentFiles): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(files.config, 'utf8');
  } catch {
    throw new AppError(ErrorCode.INVALID_INPUT, `This agent is not enrolled yet (no ${files.config}); run "consilium-agent enroll" first`);
  }
  const parsed = AgentConfig.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new AppError(ErrorCode.INVALID_INPUT, `${files.config} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/** Writes atomically (temp file + rename), so a crash never leaves half a config. */
export async function saveConfig(files: AgentFiles, config: AgentConfig): Promise<void> {
  await mkdir(path.dirname(files.config), { recursive: true });
  const temp = `${files.config}.tmp`;
  await writeFile(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, files.config);
}

/** The CSV a study reads: its own entry, else the default ("*"). */
export function datasetFor(config: AgentConfig, studyId: string): string {
  const file = config.datasets[studyId] ?? config.datasets['*'];
  if (!file) {
    throw new AppError(ErrorCode.INVALID_INPUT, `No data file configured for study ${studyId}: run the agent with --data <file.csv> (or --data ${studyId}=<file.csv>)`);
  }
  return file;
}

/**
 * How this agent reaches its hub: flags first (--ca-file, --proxy), then the environment
 * (CONSILIUM_CA_FILE, CONSILIUM_PROXY, HTTPS_PROXY / HTTP_PROXY / NO_PROXY), then the config file.
 */
export type NetworkResolver = (config: AgentConfig) => NetworkOptions;

export function networkOf(
  config: Pick<AgentConfig, 'caFile' | 'proxy'> | null,
  env: Partial<Pick<AgentEnv, 'CONSILIUM_CA_FILE' | 'CONSILIUM_PROXY' | 'HTTPS_PROXY' | 'https_proxy' | 'HTTP_PROXY' | 'http_proxy' | 'NO_PROXY' | 'no_proxy'>>,
  flags: { caFile?: string | undefined; proxy?: string | undefined } = {}): NetworkOptions {
  const caFile = flags.caFile ?? env.CONSILIUM_CA_FILE ?? config?.caFile;
  const envProxy = env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy;
  const proxy = flags.proxy ?? env.CONSILIUM_PROXY ?? (envProxy ? undefined : config?.proxy);
  return { caFile, proxyEnv: proxyEnvOf(env, proxy) };
}
