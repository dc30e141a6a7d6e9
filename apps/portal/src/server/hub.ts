/**
 * The portal's one data-access module: every read of hub data goes through here.
 *
 * Server-only. It holds the administrator token (from env.ts) and talks to the hub's tRPC API with
 * the typed client; pages and components receive plain data or a `HubProblem` describing what went
 * wrong (unconfigured, unreachable, token rejected, ...), which they render as an explanation.
 * Every call first awaits `connection()`: hub data is per request, never prerendered or cached.
 */
import 'server-only';
import type { RouterOutputs } from '@consilium/api';
import { createHubClient, type HubClient } from '@consilium/api/client';
import { TRPCClientError } from '@trpc/client';
import { connection } from 'next/server';
import { cache } from 'react';
import { z } from 'zod';
import { readPortalEnv, resolveAdminToken, type PortalEnv } from '../env.ts';

export type HubHealth = RouterOutputs['health']['check'];
export type StudySummary = RouterOutputs['studies']['list'][number];
export type StudyProgress = RouterOutputs['studies']['progress'];

export type HubProblemKind = 'misconfigured' | 'unreachable' | 'unauthorized' | 'not-found' | 'hub-error';

/** Something the page explains instead of showing data. Never contains the token. */
export interface HubProblem {
  kind: HubProblemKind;
  title: string;
  detail: string;
  /** What an operator can do about it. */
  hint?: string;
}

export type HubResult<T> = { ok: true; data: T } | { ok: false; problem: HubProblem };

/** How long the portal waits for the hub before calling it unreachable. */
const HUB_TIMEOUT_MS = 5_000;

const HUB_URL_HINT = 'Set CONSILIUM_HUB_URL to the hub\'s base URL (e.g. https://hub.example.org) and restart the portal.';
const TOKEN_HINT =
  'Set CONSILIUM_ADMIN_TOKEN to the hub\'s administrator token, or CONSILIUM_ADMIN_TOKEN_FILE to a file holding it (the hub writes it to <data-dir>/admin-token on first start), then restart the portal.';

/** The hub's address as shown on the page: origin and path only (no credentials, query or fragment). */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return url;
  }
}

function hubFetch(input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response> {
  const timeout = AbortSignal.timeout(HUB_TIMEOUT_MS);
  return fetch(input, { ...init, cache: 'no-store', signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout });
}

function client(env: PortalEnv, token?: string): HubClient {
  return createHubClient({
    url: env.hubUrl,
    fetch: hubFetch,
    ...(token ? { headers: () => ({ authorization: `Bearer ${token}` }) } : {}),
  });
}

function misconfigured(problems: string[]): HubProblem {
  return {
    kind: 'misconfigured',
    title: 'The portal is not configured correctly',
    detail: problems.join(' '),
    hint: `${HUB_URL_HINT} ${TOKEN_HINT}`,
  };
}

/** Classifies a failed hub call. Exported for tests. */
export function toHubProblem(error: unknown, env: PortalEnv): HubProblem {
  const where = displayUrl(env.hubUrl);
  if (error instanceof TRPCClientError) {
    const code = ((error as TRPCClientError<never>).data as { code?: string } | undefined)?.code;
    switch (code) {
      case 'UNAUTHORIZED':
      case 'FORBIDDEN':
        return { kind: 'unauthorized', title: 'The hub rejected the portal\'s administrator token', detail: error.message, hint: TOKEN_HINT };
      case 'NOT_FOUND':
        return { kind: 'not-found', title: 'Not found', detail: error.message };
      case undefined:
        break;
      default:
        return { kind: 'hub-error', title: 'The hub reported an error', detail: `${error.message} (${code})` };
    }
    // No tRPC error body: the request never got a hub answer (refused, timed out, not a hub at that URL).
    const cause = describeCause(error.cause);
    if (cause) {
      return {
        kind: 'unreachable',
        title: 'The hub is unreachable',
        detail: `No answer from ${where}${env.hubUrlConfigured ? '' : ' (the default, as CONSILIUM_HUB_URL is not set)'}: ${cause}.`,
        hint: `Check that the hub is running and reachable from the portal's server. ${HUB_URL_HINT}`,
      };
    }
    return {
      kind: 'hub-error',
      title: 'Unexpected answer from the hub',
      detail: `${where} answered, but not like a Consilium hub: ${error.message}`,
      hint: HUB_URL_HINT,
    };
  }
  return { kind: 'hub-error', title: 'Unexpected error talking to the hub', detail: error instanceof Error ? error.message : String(error) };
}

/** A network-level cause, in words (connection refused, DNS failure, timeout), or null. */
function describeCause(cause: unknown): string | null {
  if (!(cause instanceof Error)) return null;
  if (cause.name === 'TimeoutError' || cause.name === 'AbortError') return `no response within ${HUB_TIMEOUT_MS / 1000} s`;
  if (cause instanceof TypeError) {
    const inner = cause.cause as NodeJS.ErrnoException | undefined;
    if (inner?.code === 'ECONNREFUSED') return 'connection refused';
    if (inner?.code === 'ENOTFOUND' || inner?.code === 'EAI_AGAIN') return 'host name not found';
    if (inner?.code) return inner.code;
    return cause.message;
  }
  return null;
}

/** Runs one hub call with the public client (no token). */
async function publicCall<T>(call: (client: HubClient, env: PortalEnv) => Promise<T>): Promise<HubResult<T>> {
  await connection();
  const read = readPortalEnv();
  if (!read.ok) return { ok: false, problem: misconfigured(read.problems) };
  try {
    return { ok: true, data: await call(client(read.env), read.env) };
  } catch (error) {
    return { ok: false, problem: toHubProblem(error, read.env) };
  }
}

/** Runs one hub call as the consortium administrator. */
async function adminCall<T>(call: (client: HubClient) => Promise<T>): Promise<HubResult<T>> {
  await connection();
  const read = readPortalEnv();
  if (!read.ok) return { ok: false, problem: misconfigured(read.problems) };
  const token = await resolveAdminToken(read.env.adminToken);
  if (!token.ok) return { ok: false, problem: { kind: 'misconfigured', title: 'No administrator token for the hub', detail: token.problem, hint: TOKEN_HINT } };
  try {
    return { ok: true, data: await call(client(read.env, token.token)) };
  } catch (error) {
    return { ok: false, problem: toHubProblem(error, read.env) };
  }
}

export interface HubStatus extends HubHealth {
  hubUrl: string;
  /** Round trip of the health check, as the portal's server saw it. */
  latencyMs: number;
}

/** The hub's liveness (public: works without a token). */
export const getHubHealth = cache(
  (): Promise<HubResult<HubStatus>> =>
    publicCall(async (hub, env) => {
      const started = performance.now();
      const health = await hub.health.check.query();
      return { ...health, hubUrl: displayUrl(env.hubUrl), latencyMs: Math.round(performance.now() - started) };
    }),
);

/** All studies, newest first. */
export const listStudies = cache((): Promise<HubResult<StudySummary[]>> => adminCall((hub) => hub.studies.list.query()));

const StudyId = z.uuid();

/** One study's sites, rounds and model versions. An id that cannot exist is reported as not found. */
export const getStudyProgress = cache(async (studyId: string): Promise<HubResult<StudyProgress>> => {
  if (!StudyId.safeParse(studyId).success) {
    await connection();
    return { ok: false, problem: { kind: 'not-found', title: 'Not found', detail: 'There is no study with this id.' } };
  }
  return adminCall((hub) => hub.studies.progress.query({ studyId }));
});
