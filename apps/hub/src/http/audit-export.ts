/**
 * The audit log export for people (the portal's "Export" on /audit, or curl with an administrator
 * token), the HTTP counterpart of `consilium-hub audit:export`:
 *
 *   GET /v1/audit/export/head                     the chain head now, and the hub's public key
 *   GET /v1/audit/export?format=…&throughSeq=N&…  the export (CSV or NDJSON), streamed
 *   GET /v1/audit/export/manifest?…&throughSeq=N  its manifest, signed with the hub's key
 *
 * Filter parameters are the viewer's: studyId, siteId, actor, action, from, to (validated as the
 * CLI's flags are). Authenticated like the people's procedures and authorised by the access policy
 * of `audit.events` (consortium administrators and compliance officers), which shows the same events.
 *
 * The manifest states the export's count, last event and SHA-256, known only once the file is
 * written; a streamed download cannot carry them in front. So an export is a fixed cut of the
 * chain: events 1 to `throughSeq` (the chain head when the portal page was shown; default the head
 * now), read and verified, the matching ones written. Events up to `throughSeq` never change (the
 * chain is verified on every pass), so the same parameters always give the same bytes, and the
 * manifest route signs exactly what the export route streams, by producing it again without
 * sending it. Both use the CLI's writer (`produceAuditExport`): for the same cut the bytes are the
 * ones `audit:export --through-seq` would write, and `consilium-audit verify` checks them unchanged.
 * Saved side by side (`<file>` and `<file>.manifest.json`, the names the hub gives them), the
 * export verifies with `consilium-audit verify <file> --public-key <hub key>`.
 *
 * Memory is one page of events whatever the size of the log: the reading waits for the response to
 * drain. Each completed export is recorded in the audit log (`audit.exported`: who, format, filter,
 * throughSeq, count) before the response ends, so an unrecorded export is never delivered whole.
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import {
  AUDIT_EXPORT_FORMATS,
  manifestPathFor,
  prepareAuditExport,
  produceAuditExport,
  readAuditHead,
  signAuditExport,
  type AuditExportCut,
  type AuditExportFormat,
} from '@consilium/audit';
import { authorizeUserDownload } from '@consilium/api';
import { inTransaction, type DomainContext } from '@consilium/domain';
import { AppError, ErrorCode } from '@consilium/errors';
import { canonicalJson, fingerprint, publicKeyFromPrivate, sha256Hex } from '@consilium/protocol';
import { z } from 'zod';
import { sendJson } from './responses.ts';

/** The access policy entry the export borrows (who may read the audit log). */
export const AUDIT_EXPORT_POLICY = 'audit.events';

const ROUTES = { '/v1/audit/export': 'export', '/v1/audit/export/manifest': 'manifest', '/v1/audit/export/head': 'head' } as const;

const CONTENT_TYPES: Record<AuditExportFormat, string> = { csv: 'text/csv; charset=utf-8', ndjson: 'application/x-ndjson; charset=utf-8' };

const seqParam = z
  .string()
  .regex(/^\d{1,15}$/, 'expected a non-negative integer (an event seq)')
  .transform(Number);

/** Query parameters. The filter's own fields are validated by the audit package, as the CLI's flags are. */
const ExportQuery = z.strictObject({
  format: z.enum(AUDIT_EXPORT_FORMATS, { error: `expected one of: ${AUDIT_EXPORT_FORMATS.join(', ')}` }),
  throughSeq: seqParam.optional(),
  studyId: z.string().optional(),
  siteId: z.string().optional(),
  actor: z.string().optional(),
  action: z.string().optional(),
  from: z.string().optional(),
  to: z.string().optional(),
});
type ExportQuery = z.output<typeof ExportQuery>;

export interface AuditExportRouteOptions {
  /** The hub's Ed25519 signing key (PKCS#8 PEM); without it nothing is exported (nothing could be verified). */
  signingKeyPem: string | undefined;
}

/** Answers the people's audit export routes; false when the path is another route's. */
export async function handleAuditExport(
  domain: DomainContext,
  req: { method: string; path: string; headers: Headers },
  res: ServerResponse,
  options: AuditExportRouteOptions,
): Promise<boolean> {
  const [pathname = '', search = ''] = req.path.split('?', 2);
  const route = ROUTES[pathname as keyof typeof ROUTES];
  if (route === undefined) return false;
  if (req.method !== 'GET') throw new AppError(ErrorCode.INVALID_INPUT, `${req.method} is not allowed here; use GET`);
  const { actor } = await authorizeUserDownload(domain, req.headers, { procedure: AUDIT_EXPORT_POLICY });
  const keyPem = options.signingKeyPem;
  if (keyPem === undefined) throw new AppError(ErrorCode.WRONG_STATE, 'This hub has no signing key, so it cannot sign audit exports (see the hub\'s log at start-up)');

  if (route === 'head') {
    const publicKey = publicKeyFromPrivate(keyPem);
    sendJson(res, 200, { chainHead: await readAuditHead(domain.db), publicKey, fingerprint: fingerprint(publicKey) }, { 'cache-control': 'no-store' });
    return true;
  }

  const query = parseQuery(new URLSearchParams(search));
  if (route === 'manifest' && query.throughSeq === undefined) {
    throw new AppError(ErrorCode.INVALID_INPUT, 'throughSeq: required for a manifest (the throughSeq of the export it signs)', { details: { field: 'throughSeq' } });
  }
  const { format, throughSeq, ...filter } = query;
  const cut = await prepareAuditExport(domain.db, { filter, ...(throughSeq === undefined ? {} : { throughSeq }) });
  const fileName = auditExportFileName(format, cut);

  if (route === 'manifest') {
    const totals = await produceAuditExport(domain.db, cut, { format }, () => undefined);
    const manifest = signAuditExport(cut, totals, { format, fileName, exportedAt: domain.now(), signingKeyPem: keyPem });
    const text = `${JSON.stringify(manifest, null, 2)}\n`;
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'content-disposition': attachment(manifestPathFor(fileName)),
      'cache-control': 'no-store',
    });
    res.end(text);
    return true;
  }

  const headers = {
    'content-type': CONTENT_TYPES[format],
    'content-disposition': attachment(fileName),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-consilium-audit-through-seq': String(cut.chainHead.seq),
  };
  // The CSV header is held back until the first page of events has verified, so that a broken
  // chain found there is still answered with an error status rather than a cut-off download.
  let pending: Buffer | null = null;
  let started = false;
  const send = async (chunk: Buffer) => {
    if (!started) {
      started = true;
      res.writeHead(200, headers);
    }
    if (res.destroyed) throw new AppError(ErrorCode.UNAVAILABLE, 'The client went away during the audit export');
    if (!res.write(chunk)) await drained(res);
  };
  const totals = await produceAuditExport(domain.db, cut, { format }, async (chunk) => {
    if (!started && pending === null && format === 'csv') {
      pending = chunk;
      return;
    }
    if (pending) {
      const header = pending;
      pending = null;
      await send(header);
    }
    await send(chunk);
  });
  if (pending) await send(pending);
  if (!started) res.writeHead(200, headers);
  await inTransaction(domain.db, domain.now, async (_tx, audit) => {
    audit.record({ action: 'audit.exported', actor, payload: { format, filter: cut.filter, throughSeq: cut.chainHead.seq, count: totals.count } });
  });
  res.end();
  return true;
}

/** Waits for the response to take more, or fails when the client went away. */
async function drained(res: ServerResponse): Promise<void> {
  const closed = new AbortController();
  const onClose = () => closed.abort();
  res.once('close', onClose);
  try {
    await once(res, 'drain', { signal: closed.signal });
  } catch {
    throw new AppError(ErrorCode.UNAVAILABLE, 'The client went away during the audit export');
  } finally {
    res.off('close', onClose);
  }
}

/** Rejects unknown, repeated and malformed parameters with a message naming each. */
function parseQuery(params: URLSearchParams): ExportQuery {
  const raw: Record<string, string> = {};
  for (const [key, value] of params) {
    if (key in raw) throw new AppError(ErrorCode.INVALID_INPUT, `${key}: given more than once`, { details: { field: key } });
    // An empty field of a form means "no filter".
    if (value !== '') raw[key] = value;
  }
  const parsed = ExportQuery.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => (i.code === 'unrecognized_keys' ? `${i.keys.join(', ')}: unknown parameter` : `${i.path.join('.') || 'query'}: ${i.message}`));
    throw new AppError(ErrorCode.INVALID_INPUT, `Invalid audit export request: ${issues.join('; ')}`, { details: { issues } });
  }
  return parsed.data;
}

/**
 * The export's file name: the cut and, for a selection, a digest of its filter, so that exports of
 * different filters do not overwrite each other (`consilium-audit-through-42.ndjson`,
 * `consilium-audit-through-42-filtered-1a2b3c4d.csv`). The manifest records it.
 */
export function auditExportFileName(format: AuditExportFormat, cut: AuditExportCut): string {
  const filtered = Object.keys(cut.filter).length > 0 ? `-filtered-${sha256Hex(new TextEncoder().encode(canonicalJson(cut.filter))).slice(0, 8)}` : '';
  return `consilium-audit-through-${cut.chainHead.seq}${filtered}.${format}`;
}

function attachment(name: string): string {
  return `attachment; filename="${name}"`;
}
