/**
 * The audit log viewer's (/audit) search parameters, links and display helpers. Pure functions,
 * tested beside. The filter lives in the URL, so a filtered page can be bookmarked and shared, and
 * "Older"/"Newer" are plain links carrying a keyset cursor (`after` / `newer`).
 */

import type { RouterInputs } from '@consilium/api';

export type AuditEventsQuery = RouterInputs['audit']['events'];

/** The filter form's values, as typed (datetime-local values are in UTC, as the portal shows times). */
export interface AuditForm {
  study: string;
  site: string;
  actor: string;
  action: string;
  /** `YYYY-MM-DDTHH:mm` (UTC), inclusive. */
  from: string;
  /** `YYYY-MM-DDTHH:mm` (UTC), exclusive. */
  to: string;
}

export interface AuditRequest {
  form: AuditForm;
  /** What to ask the hub (absent fields are not filtered on). */
  query: AuditEventsQuery;
  /** Why some of the search parameters were ignored, in words; the rest still applies. */
  problems: string[];
  /** Whether any filter field is set (not counting cursors). */
  filtered: boolean;
}

export type SearchParams = Record<string, string | string[] | undefined>;

export const AUDIT_PAGE_SIZE = 50;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

function first(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
}

/** A datetime-local value read as UTC, as an ISO instant (`2025-03-01T09:30:00.000Z`); null when it is not one. */
export function localDateTimeToIso(value: string): string | null {
  if (!LOCAL_DATE_TIME.test(value)) return null;
  const date = new Date(`${value}Z`);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function cursor(value: string): number | null {
  return /^[1-9]\d{0,15}$/.test(value) && Number.isSafeInteger(Number(value)) ? Number(value) : null;
}

/**
 * The viewer's request from the page's search parameters. `actions` is the hub's catalogue
 * (`audit.actions`): an action outside it is reported rather than sent (it would match nothing).
 */
export function readAuditRequest(params: SearchParams, actions: readonly string[] | null = null): AuditRequest {
  const form: AuditForm = {
    study: first(params.study),
    site: first(params.site),
    actor: first(params.actor),
    action: first(params.action),
    from: first(params.from),
    to: first(params.to),
  };
  const problems: string[] = [];
  const query: AuditEventsQuery = { limit: AUDIT_PAGE_SIZE };
  if (form.study) {
    if (UUID.test(form.study)) query.studyId = form.study.toLowerCase();
    else problems.push('The study is not a study id; it was ignored.');
  }
  if (form.site) {
    if (UUID.test(form.site)) query.siteId = form.site.toLowerCase();
    else problems.push('The site is not a site id; it was ignored.');
  }
  if (form.actor) query.actor = form.actor.slice(0, 200);
  if (form.action) {
    if (actions === null || actions.includes(form.action)) query.action = form.action as NonNullable<AuditEventsQuery['action']>;
    else problems.push(`"${form.action}" is not an audited action; it was ignored.`);
  }
  for (const key of ['from', 'to'] as const) {
    if (!form[key]) continue;
    const iso = localDateTimeToIso(form[key]);
    if (iso) query[key] = iso;
    else problems.push(`"${form[key]}" is not a date and time (${key === 'from' ? 'From' : 'To'}); it was ignored.`);
  }
  if (query.from && query.to && query.from >= query.to) {
    problems.push('"From" must be before "To"; the time range was ignored.');
    delete query.from;
    delete query.to;
  }
  const after = cursor(first(params.after));
  const newer = cursor(first(params.newer));
  if (after !== null) query.after = after;
  else if (newer !== null) query.newerThan = newer;
  const filtered = Boolean(query.studyId || query.siteId || query.actor || query.action || query.from || query.to);
  return { form, query, problems, filtered };
}

/** `/audit` with the form's filter and at most one cursor; empty fields are left out. */
export function auditHref(form: AuditForm, page: { after: number } | { newer: number } | null = null): string {
  const params = new URLSearchParams();
  for (const key of ['study', 'site', 'actor', 'action', 'from', 'to'] as const) if (form[key]) params.set(key, form[key]);
  if (page && 'after' in page) params.set('after', String(page.after));
  if (page && 'newer' in page) params.set('newer', String(page.newer));
  const search = params.toString();
  return search ? `/audit?${search}` : '/audit';
}

/** A shell word, quoted only when needed. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The `consilium-hub audit:export` command for the viewer's filter (exports are written and signed
 * on the hub's host, which holds the signing key). Only what the viewer applied goes in: ignored
 * parameters are left out.
 */
export function exportCommand(format: 'csv' | 'ndjson', query: AuditEventsQuery): string {
  const words = ['consilium-hub', 'audit:export', '--format', format, '--out', `audit-export.${format}`];
  const flags: Array<[string, string | undefined]> = [
    ['--study', query.studyId],
    ['--site', query.siteId],
    ['--actor', query.actor],
    ['--action', query.action],
    ['--from', query.from],
    ['--to', query.to],
  ];
  for (const [flag, value] of flags) if (value) words.push(flag, value);
  return words.map(shellWord).join(' ');
}

// ─── Downloads of a signed export (the portal's /audit/export routes proxy the hub's) ──────────

export type AuditExportFormat = 'csv' | 'ndjson';
export type AuditExportFile = 'export' | 'manifest';

/** The filter parameters the hub's export takes, in the order they are written into a link. */
const EXPORT_FILTER_KEYS = ['studyId', 'siteId', 'actor', 'action', 'from', 'to'] as const;

/**
 * The portal's link to download the export of the viewer's filter (`file: 'export'`) or its
 * signed manifest, fixed at `throughSeq` (the chain head when the page was shown): the two links
 * then name the same events, however the log grows meanwhile. Only the filter the viewer applied
 * goes in (cursors and ignored parameters are left out).
 */
export function auditExportHref(format: AuditExportFormat, file: AuditExportFile, query: AuditEventsQuery, throughSeq: number): string {
  const params = new URLSearchParams({ format, throughSeq: String(throughSeq) });
  for (const key of EXPORT_FILTER_KEYS) {
    const value = query[key];
    if (value) params.set(key, value);
  }
  return `/audit/export${file === 'manifest' ? '/manifest' : ''}?${params}`;
}

/**
 * The query the portal forwards to the hub for a download: the format, throughSeq and filter
 * parameters only, each at most once and of a sane length (the hub validates their values and
 * answers 400 naming a bad one); empty ones are dropped. Otherwise why not, in words.
 */
export function hubAuditExportQuery(search: URLSearchParams): { ok: true; query: string } | { ok: false; problem: string } {
  const allowed = new Set<string>(['format', 'throughSeq', ...EXPORT_FILTER_KEYS]);
  const out = new URLSearchParams();
  for (const [key, value] of search) {
    if (!allowed.has(key)) return { ok: false, problem: `Unknown parameter "${key.slice(0, 40)}".` };
    if (out.has(key)) return { ok: false, problem: `The parameter "${key}" is given more than once.` };
    if (value.length > 200) return { ok: false, problem: `The parameter "${key}" is too long.` };
    if (value !== '') out.set(key, value);
  }
  if (!out.has('format')) return { ok: false, problem: 'Say which format: ?format=csv or ?format=ndjson.' };
  return { ok: true, query: out.toString() };
}

/**
 * The command that checks a downloaded export offline. The key is the hub's, obtained from its
 * operator through a channel the auditor trusts (`consilium-hub audit:public-key`), never from the
 * export's own manifest.
 */
export function verifyCommand(fileName: string, publicKey = '<hub public key>'): string {
  // A placeholder (`<hub public key>`) is shown as such, for the reader to replace.
  const word = (w: string) => (/^<[^<>']*>$/.test(w) ? w : shellWord(w));
  return ['consilium-audit', 'verify', fileName, '--public-key', publicKey].map(word).join(' ');
}

/** The file name the hub gives an export fixed at `throughSeq` (filtered ones add a digest of the filter). */
export function exportFileNamePattern(format: AuditExportFormat, throughSeq: number, filtered: boolean): string {
  return `consilium-audit-through-${throughSeq}${filtered ? '-filtered-<…>' : ''}.${format}`;
}

/** One line about a payload: its top-level fields, `key: value`, cut to `max` characters. */
export function payloadSummary(payload: unknown, max = 80): string {
  let text: string;
  if (payload === null || typeof payload !== 'object') text = JSON.stringify(payload) ?? '';
  else if (Array.isArray(payload)) text = `${payload.length} item${payload.length === 1 ? '' : 's'}`;
  else {
    const entries = Object.entries(payload as Record<string, unknown>);
    if (entries.length === 0) return '—';
    text = entries.map(([key, value]) => `${key}: ${summaryValue(value)}`).join(', ');
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function summaryValue(value: unknown): string {
  if (typeof value === 'string') return /^[0-9a-f]{64}$/.test(value) ? `${value.slice(0, 12)}…` : value;
  if (Array.isArray(value)) return `[${value.length}]`;
  if (value !== null && typeof value === 'object') return '{…}';
  return String(value);
}

/** The payload as indented JSON, for the expandable detail. */
export function prettyPayload(payload: unknown): string {
  return JSON.stringify(payload, null, 2) ?? 'null';
}

/** "site:<uuid>" → the site's name when known; other actors unchanged. */
export function actorLabel(actor: string, siteNames: ReadonlyMap<string, string>): string {
  const match = /^site:(.+)$/.exec(actor);
  const name = match ? siteNames.get(match[1]!) : undefined;
  return name ? `site: ${name}` : actor;
}
