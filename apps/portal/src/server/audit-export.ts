/**
 * The audit log export, read from the hub as the signed-in person (see hub.ts for the rules every
 * hub call follows: the session token from the portal's cookie is forwarded as a bearer token, the
 * hub decides who may). Two things:
 *
 *  - `getAuditExportHead`: the chain head now and the hub's public key, for the /audit page to fix
 *    its download links at that head and to show the key's fingerprint;
 *  - `proxyAuditExport`: a download (the export, or its signed manifest), streamed from the hub to
 *    the browser chunk by chunk: the portal never holds an export in memory, and a browser that
 *    cancels the download cancels the hub's.
 */
import 'server-only';
import { redirect } from 'next/navigation';
import { connection } from 'next/server';
import { cache } from 'react';
import { z } from 'zod';
import { readPortalEnv } from '../env.ts';
import { hubAuditExportQuery, type AuditExportFile } from '../lib/audit.ts';
import { displayUrl, readSessionToken, type HubProblem, type HubResult } from './hub.ts';
import { loginUrl, PASSWORD_PATH } from './session-cookie.ts';

/** How long the page waits for the head (one row) before calling the hub unreachable. */
const HEAD_TIMEOUT_MS = 5_000;

const ExportHead = z.object({ chainHead: z.object({ seq: z.number().int().nonnegative(), hash: z.string() }), publicKey: z.string(), fingerprint: z.string() });
export type AuditExportHead = z.output<typeof ExportHead>;

const HubError = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).nullable().optional() }) });

async function hubError(response: Response): Promise<{ message: string; details: Record<string, unknown> | null }> {
  const body = HubError.safeParse(await response.json().catch(() => null));
  return body.success ? { message: body.data.error.message, details: body.data.error.details ?? null } : { message: `HTTP ${response.status}`, details: null };
}

/** The chain head and the hub's public key (null problem kinds as hub.ts describes them). */
export const getAuditExportHead = cache(async (): Promise<HubResult<AuditExportHead>> => {
  await connection();
  const token = await readSessionToken();
  if (!token) redirect(loginUrl());
  const read = readPortalEnv();
  if (!read.ok) return { ok: false, problem: { kind: 'misconfigured', title: 'The portal is not configured correctly', detail: read.problems.join(' ') } };
  let response: Response;
  try {
    response = await fetch(`${read.env.hubUrl}/v1/audit/export/head`, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store', signal: AbortSignal.timeout(HEAD_TIMEOUT_MS) });
  } catch (error) {
    return { ok: false, problem: { kind: 'unreachable', title: 'The hub is unreachable', detail: `No answer from ${displayUrl(read.env.hubUrl)}: ${error instanceof Error ? error.message : String(error)}.` } };
  }
  if (response.ok) {
    const head = ExportHead.safeParse(await response.json().catch(() => null));
    if (head.success) return { ok: true, data: head.data };
    return { ok: false, problem: { kind: 'hub-error', title: 'Unexpected answer from the hub', detail: 'The audit export head is not what the portal expects.' } };
  }
  const { message, details } = await hubError(response);
  if (response.status === 401) redirect(loginUrl({ reason: 'expired' }));
  if (response.status === 403 && details?.reason === 'password_change_required') redirect(PASSWORD_PATH);
  const problem: HubProblem =
    response.status === 403
      ? { kind: 'forbidden', title: 'Your role cannot export the audit log', detail: message, hint: 'Consortium administrators and compliance officers can.' }
      : { kind: 'hub-error', title: 'The hub cannot export the audit log', detail: `${message} (${response.status})` };
  return { ok: false, problem };
});

/** Headers of the hub's answer that the browser gets too. */
const FORWARDED_HEADERS = ['content-type', 'content-disposition', 'x-consilium-audit-through-seq'] as const;

function text(status: number, body: string): Response {
  return new Response(`${body}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } });
}

/**
 * A download of the export (`file: 'export'`) or its signed manifest, for the browser. The search
 * parameters are the page's link's (lib/audit.ts `auditExportHref`); the hub validates them.
 */
export async function proxyAuditExport(request: Request, file: AuditExportFile): Promise<Response> {
  const search = hubAuditExportQuery(new URL(request.url).searchParams);
  if (!search.ok) return text(400, `The audit export could not be downloaded: ${search.problem}`);
  const token = await readSessionToken();
  if (!token) return Response.redirect(new URL(loginUrl({ next: '/audit' }), request.url), 303);
  const read = readPortalEnv();
  if (!read.ok) return text(500, `The portal is not configured correctly: ${read.problems.join(' ')}`);

  const url = `${read.env.hubUrl}/v1/audit/export${file === 'manifest' ? '/manifest' : ''}?${search.query}`;
  let response: Response;
  try {
    // No timeout: a large export takes as long as it takes. The browser cancelling cancels this too.
    response = await fetch(url, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store', signal: request.signal });
  } catch (error) {
    return text(502, `The audit export could not be downloaded: no answer from the hub at ${displayUrl(read.env.hubUrl)} (${error instanceof Error ? error.message : String(error)}).`);
  }
  if (!response.ok || response.body === null) {
    const { message, details } = await hubError(response);
    if (response.status === 401) return Response.redirect(new URL(loginUrl({ reason: 'expired', next: '/audit' }), request.url), 303);
    if (response.status === 403 && details?.reason === 'password_change_required') return Response.redirect(new URL(PASSWORD_PATH, request.url), 303);
    const status = [400, 403, 404, 409].includes(response.status) ? response.status : 502;
    return text(status, `The audit export could not be downloaded. The hub said: ${message}`);
  }
  const headers = new Headers({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  for (const name of FORWARDED_HEADERS) {
    const value = response.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  // The hub's body as it arrives: nothing is buffered here.
  return new Response(response.body, { status: 200, headers });
}
