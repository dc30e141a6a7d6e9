import { initBackend } from '@consilium/fl/train';
import type { Logger } from 'pino';
import type { AgentFiles } from '../agent-files.ts';
import { loadConfig, networkOf, saveConfig, type NetworkResolver } from '../config.ts';
import { HubConnection } from '../hub-connection.ts';
import { loadIdentity } from '../identity-store.ts';
import type { Progress } from '../progress.ts';
import { runAgent } from '../runner.ts';
import { TaskContext } from '../tasks/task-context.ts';
import { TransferLog } from '../transfer-log.ts';
import type { SiteBehaviour } from '../behaviour.ts';
import { AGENT_VERSION } from '../version.ts';
import { doctorCommand } from './doctor.ts';

export interface RunCommandOptions {
  /** "file.csv" (all studies) or "<studyId>=file.csv"; remembered in the config. */
  data: string[];
  backend?: 'auto' | 'wasm' | 'cpu' | 'tensorflow' | 'tensorflow-gpu' | undefined;
  pollMs: number;
  untilDone: boolean;
  /** Deviations from the protocol, for the contribution benchmark only (behaviour.ts); never set by the CLI. */
  behaviour?: SiteBehaviour | undefined;
  /** How to reach the hub (default: the config's CA bundle and proxy). */
  network?: NetworkResolver | undefined;
}

/** Runs the agent until stopped (or, with --until-done, until its studies finish). */
export async function runCommand(
  files: AgentFiles,
  options: RunCommandOptions,
  deps: { logger: Logger; progress: Progress; print: (line: string) => void; signal: AbortSignal },
): Promise<boolean> {
  let config = await loadConfig(files);
  const datasets = { ...config.datasets };
  for (const entry of options.data) {
    const eq = entry.indexOf('=');
    if (eq > 0) datasets[entry.slice(0, eq)] = entry.slice(eq + 1);
    else datasets['*'] = entry;
  }
  config = { ...config, datasets, backend: options.backend ?? config.backend };
  await saveConfig(files, config);

  // Nothing is sent before the data checks out against every study's schema.
  const network = options.network ?? ((c) => networkOf(c, {}));
  const ok = await doctorCommand(files, { network }, (text) => deps.logger.info({ report: text }, 'data check'));
  if (!ok) {
    await doctorCommand(files, { network }, deps.print);
    deps.print('The data does not match the study schema; nothing was sent. Fix the problems above and run again.');
    return false;
  }
  const backend = await initBackend(config.backend);
  const identity = await loadIdentity(files.identityKey);
  const hub = new HubConnection({ hubUrl: config.hubUrl, siteId: config.siteId, privateKeyPem: identity.privateKeyPem, network: network(config) });
  const ctx = new TaskContext({ files, config, hub, logger: deps.logger, progress: deps.progress, transfers: new TransferLog(files.transfers), privateKeyPem: identity.privateKeyPem, behaviour: options.behaviour });
  await runAgent(ctx, { agentVersion: AGENT_VERSION, backend, pollMs: options.pollMs, untilDone: options.untilDone, signal: deps.signal });
  return true;
}
