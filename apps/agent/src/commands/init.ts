import { mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { describeError } from '@consilium/errors';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AgentFiles } from '../agent-files.ts';
import { networkOf } from '../config.ts';
import { isYes, type AgentEnv } from '../env.ts';
import { doctorCommand } from './doctor.ts';
import { enrollCommand } from './enroll.ts';

/** The systemd unit shipped with the agent (next steps point the administrator at it). */
export const SYSTEMD_UNIT = 'infra/systemd/consilium-agent.service';

export interface InitAnswers {
  hubUrl: string;
  data: string;
  dir: string;
  token: string;
  /** `yes`: approve, for this site, taking part in the token's study; otherwise a site administrator decides in the portal. */
  approveStudy?: string | undefined;
  caFile?: string | undefined;
  proxy?: string | undefined;
}
type Field = keyof InitAnswers;

/** A wrong answer when nobody can be asked again (exit code 2). */
export class InitInputError extends Error {}

/** Asks one question on the terminal; `secret` answers are not echoed. */
export interface Prompter {
  ask(question: string, options?: { secret?: boolean }): Promise<string>;
  close(): void;
}

const isHttpUrl = (value: string) => {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
};

async function fileProblem(file: string): Promise<string | null> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return `${file} is not a file`;
    await readFile(file, { flag: 'r' }).then(() => undefined);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `${file} does not exist` : code === 'EACCES' ? `${file} is not readable by this user` : `${file} cannot be read (${code ?? 'error'})`;
  }
}

const existingFile = (extra?: (text: string, file: string) => string | null) =>
  z
    .string()
    .trim()
    .min(1, 'is empty')
    .transform((value) => path.resolve(value))
    .superRefine(async (file, ctx) => {
      const problem = await fileProblem(file);
      if (problem) return ctx.addIssue({ code: 'custom', message: problem });
      const more = extra?.(await readFile(file, 'utf8'), file);
      if (more) ctx.addIssue({ code: 'custom', message: more });
    });

/** What each answer must be; messages say what is wrong and never repeat a secret. */
const FIELDS: Record<Field, { label: string; flag: string; env?: string; required: boolean; secret?: boolean; schema: z.ZodType<string, string> }> = {
  hubUrl: {
    label: 'Hub URL',
    flag: '--hub-url',
    env: 'CONSILIUM_HUB_URL',
    required: true,
    schema: z.string().trim().refine(isHttpUrl, 'must be an http:// or https:// URL, e.g. https://hub.example.org').transform((v) => v.replace(/\/+$/, '')),
  },
  data: {
    label: 'Data file (CSV)',
    flag: '--data',
    env: 'CONSILIUM_DATA',
    required: true,
    schema: existingFile((text, file) => (text.split(/\r?\n/, 1)[0]?.includes(',') ? null : `${file} does not look like a CSV file (no comma-separated header line)`)),
  },
  dir: {
    label: 'Agent data directory',
    flag: '--dir',
    env: 'CONSILIUM_AGENT_DIR',
    required: true,
    schema: z
      .string()
      .trim()
      .min(1, 'is empty')
      .transform((value) => path.resolve(value))
      .superRefine(async (dir, ctx) => {
        const info = await stat(dir).catch(() => null);
        if (info && !info.isDirectory()) ctx.addIssue({ code: 'custom', message: `${dir} exists and is not a directory` });
      }),
  },
  token: {
    label: 'Enrolment token',
    flag: '--token',
    env: 'CONSILIUM_ENROLLMENT_TOKEN',
    required: true,
    secret: true,
    schema: z.string().trim().min(10, 'is too short: paste the whole token the study lead sent').regex(/^\S+$/, 'must not contain spaces'),
  },
  approveStudy: {
    label: 'Approve taking part in the study this token is for? (yes/no; no leaves it to a site administrator in the portal)',
    flag: '--approve-study',
    env: 'CONSILIUM_APPROVE_STUDY',
    required: false,
    schema: z
      .string()
      .trim()
      .toLowerCase()
      .refine((v) => ['yes', 'y', 'true', '1', 'no', 'n', 'false', '0'].includes(v), 'answer yes or no')
      .transform((v) => (isYes(v) ? 'yes' : 'no')),
  },
  caFile: {
    label: 'CA bundle for the hub (PEM; empty for none)',
    flag: '--ca-file',
    env: 'CONSILIUM_CA_FILE',
    required: false,
    schema: existingFile((text, file) => (text.includes('-----BEGIN CERTIFICATE-----') ? null : `${file} is not a PEM CA bundle (no "-----BEGIN CERTIFICATE-----")`)),
  },
  proxy: {
    label: 'HTTPS proxy (empty for none)',
    flag: '--proxy',
    env: 'CONSILIUM_PROXY',
    required: false,
    schema: z.string().trim().refine(isHttpUrl, 'must be an http:// or https:// URL, e.g. http://proxy.hospital.local:3128'),
  },
};
const ORDER: Field[] = ['hubUrl', 'data', 'dir', 'token', 'approveStudy', 'caFile', 'proxy'];

async function validate(field: Field, value: string): Promise<{ value: string } | { problem: string }> {
  const result = await FIELDS[field].schema.safeParseAsync(value);
  return result.success ? { value: result.data } : { problem: `${FIELDS[field].label}: ${result.error.issues.map((i) => i.message).join('; ')}` };
}

/** A proxy URL without its password, for printing. */
function safeUrl(value: string): string {
  const url = new URL(value);
  if (url.password) url.password = '***';
  return url.toString();
}

/**
 * Collects and validates the answers: given ones (flags, environment) are checked, missing ones asked
 * for (and asked again, saying what is wrong, until valid). Without a prompter, a missing or invalid
 * answer is an InitInputError.
 */
export async function collectAnswers(
  given: Partial<Record<Field, string | undefined>>,
  defaults: Partial<Record<Field, string | undefined>>,
  prompter: Prompter | null,
  print: (line: string) => void,
): Promise<InitAnswers> {
  const answers: Partial<InitAnswers> = {};
  for (const field of ORDER) {
    const spec = FIELDS[field];
    let value = given[field];
    for (;;) {
      if (value === undefined || value.trim() === '') {
        if (prompter) {
          const fallback = defaults[field];
          const shown = fallback ? ` [${field === 'proxy' ? safeUrl(fallback) : fallback}]` : '';
          value = (await prompter.ask(`${spec.label}${shown}: `, { secret: spec.secret === true })).trim() || fallback || '';
          if (value === '' && !spec.required) break;
          if (value === '') {
            print(`${spec.label}: an answer is required`);
            continue;
          }
        } else if (defaults[field]) {
          value = defaults[field];
        } else if (spec.required) {
          throw new InitInputError(`${spec.label} is missing: pass ${spec.flag}${spec.env ? ` (or set ${spec.env})` : ''}`);
        } else {
          break;
        }
      }
      const checked = await validate(field, value);
      if ('value' in checked) {
        answers[field] = checked.value;
        break;
      }
      if (!prompter) throw new InitInputError(checked.problem);
      print(`${checked.problem} — please try again.`);
      value = undefined;
    }
  }
  return answers as InitAnswers;
}

export interface InitDeps {
  print: (line: string) => void;
  /** Asks on the terminal; null when nothing may be asked (--non-interactive, or not a terminal). */
  prompter: Prompter | null;
  env: AgentEnv;
  /** The agent's logger, once the data directory is known. */
  loggerFor?: (files: AgentFiles) => Logger;
}

/**
 * `consilium-agent init`: asks for (or takes from flags) the hub, data file, data directory,
 * enrolment token, whether the site approves taking part in the study, CA bundle and proxy; validates each; enrols (which writes the config, 0600, in the
 * data directory); checks the data with doctor; prints the next steps. Returns whether the data
 * check passed. The token is never printed or logged.
 */
export async function initCommand(
  given: Partial<Record<Field, string | undefined>>,
  defaults: Partial<Record<Field, string | undefined>>,
  deps: InitDeps,
): Promise<{ answers: InitAnswers; dataOk: boolean }> {
  const { print } = deps;
  if (deps.prompter) print('Consilium site agent setup. Press Enter to accept a [default].');
  let answers: InitAnswers;
  try {
    answers = await collectAnswers(given, defaults, deps.prompter, print);
  } finally {
    deps.prompter?.close();
  }
  const files = new AgentFiles(answers.dir);
  await mkdir(files.root, { recursive: true, mode: 0o700 });
  const logger = deps.loggerFor?.(files);
  logger?.info({ hub: answers.hubUrl, data: answers.data, dir: files.root, caFile: answers.caFile ?? null, proxy: answers.proxy ? safeUrl(answers.proxy) : null }, 'init: settings validated');

  const network = networkOf(null, deps.env, { caFile: answers.caFile, proxy: answers.proxy });
  await enrollCommand(
    files,
    { hubUrl: answers.hubUrl, token: answers.token, data: answers.data, approveStudy: answers.approveStudy === 'yes', caFile: answers.caFile, proxy: answers.proxy, network },
    print,
    logger,
  );
  print(`Configuration written to ${files.config} (readable by this user only).`);

  print('Checking the data file against the study schema (nothing is sent)…');
  let dataOk = false;
  try {
    dataOk = await doctorCommand(files, { network: () => network }, print);
  } catch (error) {
    print(`The data check could not run: ${describeError(error)}`);
  }
  logger?.info({ dataOk }, 'init: finished');
  const dirFlag = `--dir ${files.root}`;
  print('');
  print('Next steps:');
  if (!dataOk) print(`  0. Fix the data problems above, then check again: consilium-agent ${dirFlag} doctor`);
  print(`  1. Run the agent as a service: install ${SYSTEMD_UNIT} (set CONSILIUM_AGENT_DIR=${files.root} in it),`);
  print('     then: sudo systemctl daemon-reload && sudo systemctl enable --now consilium-agent');
  print(`  2. Or run it in the foreground: consilium-agent ${dirFlag} run`);
  print(`  3. See its state at any time: consilium-agent ${dirFlag} status`);
  return { answers, dataOk };
}

/**
 * Questions on a terminal with node:readline. Secret answers are not echoed: while one is typed,
 * what readline writes back goes nowhere.
 */
export function terminalPrompter(input: NodeJS.ReadStream, output: NodeJS.WriteStream, onInterrupt: () => void): Prompter {
  let muted = false;
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      if (!muted) output.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input, output: sink, terminal: true });
  rl.on('SIGINT', () => {
    muted = false;
    output.write('\n');
    onInterrupt();
  });
  return {
    async ask(question, options = {}) {
      muted = false;
      const answer = rl.question(question); // writes the question now
      muted = options.secret === true;
      try {
        return await answer;
      } finally {
        if (muted) output.write('\n');
        muted = false;
      }
    },
    close: () => rl.close(),
  };
}
