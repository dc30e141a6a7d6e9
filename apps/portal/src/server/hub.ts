/**
 * The portal's one data-access module: every call to the hub goes through here.
 *
 * Server-only. It reads hub data as the signed-in person: the session token from the portal's
 * httpOnly cookie is forwarded as `Authorization: Bearer cses_…`, so the hub scopes everything to
 * that person's role. Without a session (or when the hub says it has ended) the person is sent to
 * /login; while a one-time password is still to be changed, to /account/password. Pages and
 * components receive plain data or a `HubProblem` describing what went wrong (unconfigured,
 * unreachable, forbidden for this role, ...), which they render as an explanation.
 * Every read first awaits `connection()`: hub data is per request, never prerendered or cached.
 */
import 'server-only';
import type { RouterInputs, RouterOutputs } from '@consilium/api';
import { createHubClient, type HubClient } from '@consilium/api/client';
import { TRPCClientError } from '@trpc/client';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { connection } from 'next/server';
import { cache } from 'react';
import { z } from 'zod';
import { readPortalEnv, type PortalEnv } from '../env.ts';
import { isSessionToken, loginUrl, PASSWORD_PATH, SESSION_COOKIE } from './session-cookie.ts';

export type HubHealth = RouterOutputs['health']['check'];
export type StudySummary = RouterOutputs['studies']['list'][number];
export type StudyProgress = RouterOutputs['studies']['progress'];
export type LoginResult = RouterOutputs['auth']['login'];
export type Me = RouterOutputs['auth']['me'];
export type SignedInUser = Extract<Me['principal'], { kind: 'user' }>;
export type SiteSummary = RouterOutputs['sites']['list'][number];
export type SiteUpload = RouterOutputs['sites']['uploads'][number];
export type StudyContribution = RouterOutputs['contribution']['summary'];
export type OwnershipStatementWithLedger = RouterOutputs['contribution']['statement'];
export type SiteDetail = RouterOutputs['sites']['detail'];
export type SiteStudy = SiteDetail['studies'][number];
export type StudyToken = RouterOutputs['studies']['tokens'][number];
export type IssuedToken = RouterOutputs['studies']['issueToken'];
export type Person = RouterOutputs['users']['list'][number];
export type CreatedPerson = RouterOutputs['users']['create'];

export type HubProblemKind = 'misconfigured' | 'unreachable' | 'unauthorized' | 'forbidden' | 'not-found' | 'hub-error';

/** Something the page explains instead of showing data. Never contains a token. */
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

interface CallerHeaders {
  /** The person's session token. */
  token?: string;
  /** The browser's address chain (sign-in only), for the hub's per-address limits. */
  forwardedFor?: string | null;
  /** The browser's user agent (sign-in only), recorded with the session. */
  userAgent?: string | null;
}

function client(env: PortalEnv, caller: CallerHeaders = {}): HubClient {
  const headers: Record<string, string> = {};
  if (caller.token) headers.authorization = `Bearer ${caller.token}`;
  if (caller.forwardedFor) headers['x-forwarded-for'] = caller.forwardedFor;
  if (caller.userAgent) headers['user-agent'] = caller.userAgent.slice(0, 512);
  return createHubClient({ url: env.hubUrl, fetch: hubFetch, headers: () => headers });
}

function misconfigured(problems: string[]): HubProblem {
  return { kind: 'misconfigured', title: 'The portal is not configured correctly', detail: problems.join(' '), hint: HUB_URL_HINT };
}

/** What the hub said about a refused call: its tRPC code, domain code, details and input issues. */
export interface HubErrorData {
  /** The hub's message, written for people. */
  message: string;
  code: string | null;
  appCode: string | null;
  details: Record<string, unknown> | null;
  zodIssues: Array<{ path: string; message: string }> | null;
}

/** The hub's error body of a failed call, or null when there was no hub answer. Exported for tests. */
export function hubErrorData(error: unknown): HubErrorData | null {
  if (!(error instanceof TRPCClientError)) return null;
  const data = (error as TRPCClientError<never>).data as Partial<HubErrorData> | undefined;
  if (!data?.code) return null;
  return { message: error.message, code: data.code, appCode: data.appCode ?? null, details: data.details ?? null, zodIssues: data.zodIssues ?? null };
}

/** The hub refused the session (unknown, revoked, expired, idle, disabled account). */
export function isSessionRefused(error: unknown): boolean {
  const data = hubErrorData(error);
  return data?.code === 'UNAUTHORIZED';
}

/** The hub refused the call until the one-time password is changed. */
export function isPasswordChangeRequired(error: unknown): boolean {
  const data = hubErrorData(error);
  return data?.code === 'FORBIDDEN' && data.details?.reason === 'password_change_required';
}

/** Classifies a failed hub call. Exported for tests. */
export function toHubProblem(error: unknown, env: PortalEnv): HubProblem {
  const where = displayUrl(env.hubUrl);
  if (error instanceof TRPCClientError) {
    const code = ((error as TRPCClientError<never>).data as { code?: string } | undefined)?.code;
    switch (code) {
      case 'UNAUTHORIZED':
        return { kind: 'unauthorized', title: 'Your session has ended', detail: error.message, hint: 'Sign in again.' };
      case 'FORBIDDEN':
        return { kind: 'forbidden', title: 'Your role cannot see this', detail: error.message, hint: 'Ask a consortium administrator if you need access.' };
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

/** The session token from the portal's cookie, if it looks like one. */
export async function readSessionToken(): Promise<string | null> {
  const value = (await cookies()).get(SESSION_COOKIE)?.value;
  return isSessionToken(value) ? value : null;
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

/**
 * Runs one hub call as the signed-in person. No session, or one the hub refuses: to /login. A
 * one-time password still to be changed: to /account/password. Other failures become a problem.
 */
async function userCall<T>(call: (client: HubClient) => Promise<T>): Promise<HubResult<T>> {
  await connection();
  const token = await readSessionToken();
  if (!token) redirect(loginUrl());
  const read = readPortalEnv();
  if (!read.ok) return { ok: false, problem: misconfigured(read.problems) };
  let failure: unknown;
  try {
    return { ok: true, data: await call(client(read.env, { token })) };
  } catch (error) {
    failure = error;
  }
  // Outside the catch: redirect() works by throwing.
  if (isSessionRefused(failure)) redirect(loginUrl({ reason: 'expired' }));
  if (isPasswordChangeRequired(failure)) redirect(PASSWORD_PATH);
  return { ok: false, problem: toHubProblem(failure, read.env) };
}

export interface HubStatus extends HubHealth {
  hubUrl: string;
  /** Round trip of the health check, as the portal's server saw it. */
  latencyMs: number;
}

/** The hub's liveness (public: works without a session). */
export const getHubHealth = cache(
  (): Promise<HubResult<HubStatus>> =>
    publicCall(async (hub, env) => {
      const started = performance.now();
      const health = await hub.health.check.query();
      return { ...health, hubUrl: displayUrl(env.hubUrl), latencyMs: Math.round(performance.now() - started) };
    }),
);

/** Who is signed in and what their role may call (the hub's access policy), for the header's menu. */
export interface SignedIn {
  user: SignedInUser;
  /** The hub procedures the role may call (e.g. `sites.uploads`). */
  procedures: ReadonlySet<string>;
}

/**
 * Who is signed in, with their permissions, for the header: never redirects (the sign-in page
 * itself renders it). Null without a usable session.
 */
export const getSignedIn = cache(async (): Promise<SignedIn | null> => {
  await connection();
  const token = await readSessionToken();
  const read = readPortalEnv();
  if (!token || !read.ok) return null;
  try {
    const me = await client(read.env, { token }).auth.me.query();
    return me.principal.kind === 'user' ? { user: me.principal, procedures: new Set(me.permissions.map((p) => p.procedure)) } : null;
  } catch {
    return null;
  }
});

/** Who is signed in, for the header and the password page. Null without a usable session. */
export const getSignedInUser = cache(async (): Promise<SignedInUser | null> => (await getSignedIn())?.user ?? null);

/** The studies the person's role may see (the hub scopes the list), newest first. */
export const listStudies = cache((): Promise<HubResult<StudySummary[]>> => userCall((hub) => hub.studies.list.query()));

const StudyId = z.uuid();

/** One study's sites, rounds and model versions. An id that cannot exist is reported as not found. */
export const getStudyProgress = cache(async (studyId: string): Promise<HubResult<StudyProgress>> => {
  if (!StudyId.safeParse(studyId).success) {
    await connection();
    return { ok: false, problem: { kind: 'not-found', title: 'Not found', detail: 'There is no study with this id.' } };
  }
  return userCall((hub) => hub.studies.progress.query({ studyId }));
});

/**
 * A study's contribution accounting (ownership shares, components, reputation, evidence). The hub
 * lets administrators, compliance officers, the study's lead and its member sites' administrators
 * read it; anyone else gets a "forbidden" problem that says who may.
 */
export const getStudyContribution = cache(async (studyId: string): Promise<HubResult<StudyContribution>> => {
  if (!StudyId.safeParse(studyId).success) {
    await connection();
    return { ok: false, problem: { kind: 'not-found', title: 'Not found', detail: 'There is no study with this id.' } };
  }
  const result = await userCall((hub) => hub.contribution.summary.query({ studyId }));
  return result.ok || result.problem.kind !== 'forbidden' ? result : { ok: false, problem: contributionForbidden(result.problem) };
});

/** The study's ownership statement, signed by the hub, with its ledger as NDJSON (same access as the summary). */
export const getOwnershipStatement = cache(async (studyId: string): Promise<HubResult<OwnershipStatementWithLedger>> => {
  if (!StudyId.safeParse(studyId).success) {
    await connection();
    return { ok: false, problem: { kind: 'not-found', title: 'Not found', detail: 'There is no study with this id.' } };
  }
  const result = await userCall((hub) => hub.contribution.statement.query({ studyId }));
  return result.ok || result.problem.kind !== 'forbidden' ? result : { ok: false, problem: contributionForbidden(result.problem) };
});

/** FORBIDDEN on contribution data, explained: who may see it, and the hub's own words. */
export function contributionForbidden(problem: HubProblem): HubProblem {
  return {
    kind: 'forbidden',
    title: 'Your role cannot see this study\'s contribution accounting',
    detail: `Ownership shares, rewards and evidence are shown to consortium administrators, compliance officers, the study's lead and the administrators of the study's member sites. The hub said: ${problem.detail}`,
    ...(problem.hint === undefined ? {} : { hint: problem.hint }),
  };
}

/** The sites the person's role may see (a site administrator: only their own). */
export const listSites = cache((): Promise<HubResult<SiteSummary[]>> => userCall((hub) => hub.sites.list.query()));

/** People's accounts (consortium administrators and compliance officers may list them). */
export const listPeople = cache((): Promise<HubResult<Person[]>> => userCall((hub) => hub.users.list.query()));

/** Everything a site's agent uploaded, as the hub accepted it, oldest first. An unknown site is not found. */
export const listSiteUploads = cache(async (siteName: string): Promise<HubResult<SiteUpload[]>> => {
  if (siteName.length === 0 || siteName.length > 100) {
    await connection();
    return { ok: false, problem: { kind: 'not-found', title: 'Not found', detail: 'There is no site with this name.' } };
  }
  return userCall((hub) => hub.sites.uploads.query({ siteName }));
});

/** One site's agent, key history and the studies it is invited to, with their consent (`sites.detail`). */
export const getSiteDetail = cache(async (siteName: string): Promise<HubResult<SiteDetail>> => {
  if (siteName.length === 0 || siteName.length > 100) {
    await connection();
    return { ok: false, problem: { kind: 'not-found', title: 'Not found', detail: 'There is no site with this name.' } };
  }
  return userCall((hub) => hub.sites.detail.query({ siteName }));
});

/** A study's enrolment tokens (never the token values): site, issued, expires, state (`studies.tokens`). */
export const listStudyTokens = cache(async (studyId: string): Promise<HubResult<StudyToken[]>> => {
  if (!StudyId.safeParse(studyId).success) {
    await connection();
    return { ok: false, problem: { kind: 'not-found', title: 'Not found', detail: 'There is no study with this id.' } };
  }
  return userCall((hub) => hub.studies.tokens.query({ studyId }));
});

// ─── Model downloads (binary: the hub's HTTP route, not tRPC) ───────────────

/** A global model version's flat parameters as the hub serves them to the person. */
export interface ModelParameters {
  /** Flat float32 little-endian parameters. */
  bytes: Uint8Array;
  /** The hub's SHA-256 of the bytes (x-consilium-sha256). */
  sha256: string | null;
  /** When the hub published the version (x-consilium-created-at), if it said. */
  publishedAt: string | null;
}

/** The most a model download may be: far above any model a study spec allows. */
const MAX_MODEL_BYTES = 64 * 1024 * 1024;

/** The hub's JSON refusal of a binary route: `{ error: { code, message, details } }`. */
const BinaryRouteError = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).nullable().optional() }) });

/**
 * The parameters of one model version of a study, read with the person's session from the hub's
 * `GET /v1/studies/<id>/models/<model id>/parameters`. The hub authorises it like `studies.progress`
 * (the study's lead, administrators, compliance officers, its member sites' administrators). A
 * refused session goes to /login, a one-time password to /account/password, like every other read.
 */
export async function getModelParameters(studyId: string, modelVersionId: string): Promise<HubResult<ModelParameters>> {
  await connection();
  if (!StudyId.safeParse(studyId).success || !StudyId.safeParse(modelVersionId).success) {
    return { ok: false, problem: { kind: 'not-found', title: 'Not found', detail: 'There is no such model version.' } };
  }
  const token = await readSessionToken();
  if (!token) redirect(loginUrl());
  const read = readPortalEnv();
  if (!read.ok) return { ok: false, problem: misconfigured(read.problems) };
  const url = `${read.env.hubUrl}/v1/studies/${studyId}/models/${modelVersionId}/parameters`;
  let response: Response;
  try {
    response = await hubFetch(url, { headers: { authorization: `Bearer ${token}` } });
  } catch (error) {
    const cause = describeCause(error);
    return {
      ok: false,
      problem: { kind: 'unreachable', title: 'The hub is unreachable', detail: `No answer from ${displayUrl(read.env.hubUrl)}: ${cause ?? String(error)}.`, hint: HUB_URL_HINT },
    };
  }
  if (response.ok) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    if (bytes.byteLength > MAX_MODEL_BYTES) return { ok: false, problem: { kind: 'hub-error', title: 'Unexpected answer from the hub', detail: `The model is ${bytes.byteLength} bytes, more than the portal accepts.` } };
    return { ok: true, data: { bytes, sha256: response.headers.get('x-consilium-sha256'), publishedAt: response.headers.get('x-consilium-created-at') } };
  }
  const body = BinaryRouteError.safeParse(await response.json().catch(() => null));
  const message = body.success ? body.data.error.message : `HTTP ${response.status}`;
  if (response.status === 401) redirect(loginUrl({ reason: 'expired' }));
  if (response.status === 403 && body.success && body.data.error.details?.reason === 'password_change_required') redirect(PASSWORD_PATH);
  if (response.status === 403) return { ok: false, problem: { kind: 'forbidden', title: 'Your role cannot see this', detail: message, hint: 'Ask a consortium administrator if you need access.' } };
  if (response.status === 404) return { ok: false, problem: { kind: 'not-found', title: 'Not found', detail: message } };
  return { ok: false, problem: { kind: 'hub-error', title: 'The hub reported an error', detail: `${message} (${response.status})` } };
}

// ─── Audit log (compliance officers, administrators) ──────────────────────────

export type AuditEventsPage = RouterOutputs['audit']['events'];
export type AuditEvent = AuditEventsPage['events'][number];
export type AuditVerification = RouterOutputs['audit']['verify'];

/** One keyset page of the audit log, newest first, filtered (see lib/audit.ts for the query). */
export function listAuditEvents(query: RouterInputs['audit']['events']): Promise<HubResult<AuditEventsPage>> {
  return userCall((hub) => hub.audit.events.query(query));
}

/** The catalogue of audited action names, for the viewer's filter. */
export const listAuditActions = cache((): Promise<HubResult<string[]>> => userCall((hub) => hub.audit.actions.query()));

/** The live chain's integrity: the hub re-verifies every event's hash and link up to the head. */
export const verifyAuditLog = cache((): Promise<HubResult<AuditVerification>> => userCall((hub) => hub.audit.verify.query()));

// ─── Account changes (called from server actions) ────────────────────────────

/** A hub mutation's outcome for a form: the data, or the hub's refusal (or why there was no answer). */
export type HubMutationResult<T> = { ok: true; data: T } | { ok: false; error: HubErrorData | null; problem: HubProblem };

async function mutation<T>(caller: CallerHeaders, call: (client: HubClient) => Promise<T>): Promise<HubMutationResult<T>> {
  const read = readPortalEnv();
  if (!read.ok) return { ok: false, error: null, problem: misconfigured(read.problems) };
  try {
    return { ok: true, data: await call(client(read.env, caller)) };
  } catch (error) {
    return { ok: false, error: hubErrorData(error), problem: toHubProblem(error, read.env) };
  }
}

/** `auth.login`, passing on the browser's address and user agent. */
export function hubLogin(input: RouterInputs['auth']['login'], browser: { forwardedFor: string | null; userAgent: string | null }): Promise<HubMutationResult<LoginResult>> {
  return mutation(browser, (hub) => hub.auth.login.mutate(input));
}

/** `auth.changePassword` for the session. */
export function hubChangePassword(token: string, input: RouterInputs['auth']['changePassword']): Promise<HubMutationResult<{ sessionsRevoked: number }>> {
  return mutation({ token }, (hub) => hub.auth.changePassword.mutate(input));
}

/** `auth.logout`: ends the session at the hub. */
export function hubLogout(token: string): Promise<HubMutationResult<{ loggedOut: true }>> {
  return mutation({ token }, (hub) => hub.auth.logout.mutate());
}

// ─── Study and site changes (called from server actions, as the signed-in person) ───

/**
 * Runs one hub mutation as the signed-in person. No session, or one the hub refuses: to /login; a
 * one-time password still to be changed: to /account/password. Other refusals come back for the form.
 */
async function userMutation<T>(call: (client: HubClient) => Promise<T>): Promise<HubMutationResult<T>> {
  const token = await readSessionToken();
  if (!token) redirect(loginUrl({ reason: 'expired' }));
  const result = await mutation({ token }, call);
  // Outside any catch: redirect() works by throwing.
  if (!result.ok && result.error?.code === 'UNAUTHORIZED') redirect(loginUrl({ reason: 'expired' }));
  if (!result.ok && result.error?.code === 'FORBIDDEN' && result.error.details?.reason === 'password_change_required') redirect(PASSWORD_PATH);
  return result;
}

/** `studies.create`: the hub validates the spec again and answers the new study's id. */
export function hubCreateStudy(input: RouterInputs['studies']['create']): Promise<HubMutationResult<RouterOutputs['studies']['create']>> {
  return userMutation((hub) => hub.studies.create.mutate(input));
}

/** `studies.issueToken`: the token value is in the answer once and nowhere else. */
export function hubIssueToken(input: RouterInputs['studies']['issueToken']): Promise<HubMutationResult<IssuedToken>> {
  return userMutation((hub) => hub.studies.issueToken.mutate(input));
}

/** `studies.revokeToken`. */
export function hubRevokeToken(input: RouterInputs['studies']['revokeToken']): Promise<HubMutationResult<RouterOutputs['studies']['revokeToken']>> {
  return userMutation((hub) => hub.studies.revokeToken.mutate(input));
}

/** `studies.pause`. */
export function hubPauseStudy(input: RouterInputs['studies']['pause']): Promise<HubMutationResult<RouterOutputs['studies']['pause']>> {
  return userMutation((hub) => hub.studies.pause.mutate(input));
}

/** `studies.resume`. */
export function hubResumeStudy(input: RouterInputs['studies']['resume']): Promise<HubMutationResult<RouterOutputs['studies']['resume']>> {
  return userMutation((hub) => hub.studies.resume.mutate(input));
}

/** `studies.stop`: final; the model versions so far are kept. */
export function hubStopStudy(input: RouterInputs['studies']['stop']): Promise<HubMutationResult<RouterOutputs['studies']['stop']>> {
  return userMutation((hub) => hub.studies.stop.mutate(input));
}

/** `sites.decideConsent`: a site administrator approves or declines their site's part in a study. */
export function hubDecideConsent(input: RouterInputs['sites']['decideConsent']): Promise<HubMutationResult<RouterOutputs['sites']['decideConsent']>> {
  return userMutation((hub) => hub.sites.decideConsent.mutate(input));
}

/** `users.create`: the one-time password is in the answer once and nowhere else. */
export function hubCreatePerson(input: RouterInputs['users']['create']): Promise<HubMutationResult<CreatedPerson>> {
  return userMutation((hub) => hub.users.create.mutate(input));
}

/** `users.setRole`: effective on the person's next call. */
export function hubSetPersonRole(input: RouterInputs['users']['setRole']): Promise<HubMutationResult<RouterOutputs['users']['setRole']>> {
  return userMutation((hub) => hub.users.setRole.mutate(input));
}

/** `users.disable`: the account can no longer sign in and its sessions end. */
export function hubDisablePerson(input: RouterInputs['users']['disable']): Promise<HubMutationResult<RouterOutputs['users']['disable']>> {
  return userMutation((hub) => hub.users.disable.mutate(input));
}

/** `users.revokeSessions`: signs the person out everywhere; they can sign in again. */
export function hubRevokePersonSessions(input: RouterInputs['users']['revokeSessions']): Promise<HubMutationResult<RouterOutputs['users']['revokeSessions']>> {
  return userMutation((hub) => hub.users.revokeSessions.mutate(input));
}

/** The hub's address as the portal knows it, for the enrolment command shown with a new token. */
export function hubAddress(): string {
  const read = readPortalEnv();
  return read.ok ? displayUrl(read.env.hubUrl) : 'https://hub.example.org';
}
