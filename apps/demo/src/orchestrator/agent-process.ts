import { AppError, ErrorCode } from '@consilium/errors';
import { spawnLogged, type ChildExit } from './child-process.ts';
import { agentCliScript } from './cli-scripts.ts';
import { withLogTail } from './log-tail.ts';

export interface AgentProcessOptions {
  hubUrl: string;
  /** The agent's data directory (identity key, config, key share, transfer log). */
  dir: string;
  /** The site's name, for messages (the hub knows the site by its enrolment token). */
  name: string;
  /** The site's data file. */
  dataPath: string;
  /** A one-time enrolment token: the agent enrols with it first. Omit for an agent already enrolled. */
  token?: string | undefined;
  /**
   * Whether the agent's operator approves, for the site, taking part in the token's study when it
   * enrols (`enroll --approve-study`). Default true; with false the site's membership is pending
   * until a site administrator approves it in the portal, and the agent does nothing for the study.
   */
  approveStudy?: boolean | undefined;
  /** Where the agent's stdout and stderr (JSON logs) go; enrolment and run append to the same file. */
  logFile: string;
  /** Exit once every study of this site has finished (`run --until-done`). */
  untilDone: boolean;
  /** How often the agent asks the hub for work (the agent's default is 1000 ms). */
  pollMs?: number | undefined;
  /** The agent's complete environment (default: empty; see HubProcessOptions.env). */
  env?: Record<string, string> | undefined;
  /** Gives up enrolling (the enrolment is killed; rejects with the signal's reason). */
  signal?: AbortSignal | undefined;
  /**
   * Runs this script instead of the agent's CLI for `run` (same arguments): the contribution
   * benchmark's agents that deviate from the protocol. Enrolment always uses the real CLI.
   */
  runScript?: string | undefined;
}

/** A site agent running as a child process (`consilium-agent run`). */
export interface AgentProcess {
  name: string;
  pid: number;
  logFile: string;
  /** The exit code (128 + signal number when a signal ended it). */
  exited: Promise<number>;
  hasExited(): boolean;
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM (the agent finishes its current step and stops), then waits for it to exit. */
  stop(): Promise<number>;
}

/** How long an enrolment may take (it creates a key pair and makes one request). */
const ENROLL_TIMEOUT_MS = 60_000;

/**
 * Starts a site agent: enrols it first when a token is given (rejecting with the agent's own
 * explanation if that fails), then runs it in the background. Resolves once `run` has been started.
 */
export async function startAgentProcess(options: AgentProcessOptions): Promise<AgentProcess> {
  const env = options.env ?? {};
  if (options.token !== undefined) await enrollAgent({ ...options, token: options.token, env });
  options.signal?.throwIfAborted();
  const args = ['--dir', options.dir, 'run', '--data', options.dataPath];
  if (options.untilDone) args.push('--until-done');
  if (options.pollMs !== undefined) args.push('--poll-ms', String(options.pollMs));
  const child = spawnLogged({ script: options.runScript ?? agentCliScript(), args, logFile: options.logFile, env });
  const code = (exit: Promise<ChildExit>) => exit.then((e) => e.code);
  return {
    name: options.name,
    pid: child.pid,
    logFile: child.logFile,
    exited: code(child.exited),
    hasExited: () => child.hasExited(),
    kill: (signal) => child.kill(signal),
    stop: () => code(child.stop()),
  };
}

/** Options of enrollAgent. */
export interface EnrollAgentOptions {
  hubUrl: string;
  dir: string;
  name: string;
  dataPath: string;
  token: string;
  logFile: string;
  /** Approve taking part in the study at enrolment (`--approve-study`); default true. */
  approveStudy?: boolean | undefined;
  env?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * Redeems a site's enrolment token with `consilium-agent enroll` (the site's identity key is
 * created on first use). Rejects with the tail of the agent's log when enrolment fails.
 */
export async function enrollAgent(options: EnrollAgentOptions): Promise<void> {
  const child = spawnLogged({
    script: agentCliScript(),
    args: ['--dir', options.dir, 'enroll', '--hub', options.hubUrl, '--data', options.dataPath, ...(options.approveStudy === false ? [] : ['--approve-study'])],
    logFile: options.logFile,
    // Through the environment rather than argv, where every user's `ps` would show it.
    env: { ...options.env, CONSILIUM_ENROLLMENT_TOKEN: options.token },
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), ENROLL_TIMEOUT_MS);
  const abort = () => child.kill('SIGKILL');
  options.signal?.addEventListener('abort', abort, { once: true });
  if (options.signal?.aborted) abort();
  const { code } = await child.exited.finally(() => {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', abort);
  });
  options.signal?.throwIfAborted();
  if (code !== 0) {
    throw new AppError(ErrorCode.UNAVAILABLE, await withLogTail(`Site "${options.name}" could not enrol (the agent exited with code ${code}).`, options.logFile, 10));
  }
}
