import { AppError, ErrorCode } from '@consilium/errors';
import { intFlags } from '../flags.ts';

export const loadOptions = {
  agents: 'string',
  params: 'string',
  replicas: 'string',
  rounds: 'string',
  'committee-size': 'string',
  threshold: 'string',
  'deadline-s': 'string',
  'wait-ms': 'string',
  plaintext: 'boolean',
  keep: 'boolean',
} as const;

export const loadHelp = `load          N simulated agents against hub process(es) on PostgreSQL: an encrypted (CKKS) study of about
              --params parameters, every agent submitting to every round at once; reports round time,
              client-side upload latency (p50/p95/p99), hub peak RSS and CPU seconds, database growth per
              round, request errors, and that every accepted submission was counted exactly once.
              The agents are SimulatedSite clients (real Ed25519 signatures, real CKKS encryption, real
              HTTP on loopback) in this one process: 200 real agent processes (TensorFlow each) cannot
              run on a 2-core machine. Needs DATABASE_URL (a fresh database is created and dropped).
    --agents <n>          simulated agents (default 200)
    --params <n>          model parameters, about (default 100000; an MLP on the synthetic cohort's 15 inputs)
    --replicas <n>        hub processes on the same database, agents spread round-robin (default 1)
    --rounds <n>          training rounds after the statistics round (default 2)
    --committee-size <n>  decryption committee (default 5)
    --threshold <n>       decryption threshold (default 3)
    --deadline-s <s>      round deadline (default 900: rounds close when every agent submitted)
    --wait-ms <ms>        the agents' long-poll wait (default 10000)
    --plaintext           a plaintext study (secureAggregation none) instead of CKKS
    --keep                keep the work directory (hub logs)`;

export interface LoadOptions {
  agents: number;
  params: number;
  replicas: number;
  rounds: number;
  committeeSize: number;
  threshold: number;
  deadlineS: number;
  waitMs: number;
  encrypted: boolean;
  keep: boolean;
}

export function parseLoadOptions(flags: Record<string, string | undefined>): LoadOptions {
  const issues: string[] = [];
  const int = intFlags(flags, issues);
  const options: LoadOptions = {
    agents: int('agents', 200, 3, 2000),
    params: int('params', 100_000, 50, 2_000_000),
    replicas: int('replicas', 1, 1, 8),
    rounds: int('rounds', 2, 1, 50),
    committeeSize: int('committee-size', 5, 2, 100),
    threshold: int('threshold', 3, 2, 100),
    deadlineS: int('deadline-s', 900, 30, 7 * 24 * 3600),
    waitMs: int('wait-ms', 10_000, 0, 30_000),
    encrypted: flags.plaintext === undefined,
    keep: flags.keep !== undefined,
  };
  if (options.threshold > options.committeeSize) issues.push(`--threshold (${options.threshold}) must not exceed --committee-size (${options.committeeSize})`);
  if (options.committeeSize > options.agents) issues.push(`--committee-size (${options.committeeSize}) must not exceed --agents (${options.agents})`);
  if (issues.length > 0) throw new AppError(ErrorCode.INVALID_INPUT, issues.join('; '));
  return options;
}
