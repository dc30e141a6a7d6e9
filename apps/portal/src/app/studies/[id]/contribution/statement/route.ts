/**
 * Downloads of a study's ownership statement, read from the hub with the person's session:
 *   ?format=json    the statement as the hub signed it (check it with `consilium-ownership verify`)
 *   ?format=ndjson  the ledger it pins, one entry per line (`verify --ledger` recomputes every share)
 *   ?format=html    a printable page (no scripts, every text escaped by the renderer)
 * The hub decides who may (the same people as the contribution page); its refusal is passed on.
 */
import { renderOwnershipStatementHtml } from '@consilium/contribution/statement';
import type { NextRequest } from 'next/server';
import { parseStatementFormat, STATEMENT_CONTENT_TYPES, statementFileName } from '../../../../../lib/statement.ts';
import { getOwnershipStatement, type HubProblemKind } from '../../../../../server/hub.ts';

const PROBLEM_STATUS: Record<HubProblemKind, number> = {
  misconfigured: 500,
  unreachable: 502,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  'hub-error': 409,
};

function text(status: number, body: string): Response {
  return new Response(`${body}\n`, { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' } });
}

export async function GET(request: NextRequest, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  const format = parseStatementFormat(request.nextUrl.searchParams.get('format'));
  if (format === null) return text(400, 'Unknown format: use ?format=json, ?format=ndjson or ?format=html.');

  const result = await getOwnershipStatement(id);
  if (!result.ok) {
    const { title, detail, hint } = result.problem;
    return text(PROBLEM_STATUS[result.problem.kind], `The ownership statement could not be produced. ${title}: ${detail}${hint ? `\n${hint}` : ''}`);
  }
  const { ledgerNdjson, ...statement } = result.data;
  const headers: Record<string, string> = { 'content-type': STATEMENT_CONTENT_TYPES[format], 'cache-control': 'no-store' };
  const fileName = statementFileName(id, format);
  if (format === 'html') {
    headers['content-disposition'] = `inline; filename="${fileName}"`;
    // A standalone page: its own inline styles, nothing else (no scripts, no external resources).
    headers['content-security-policy'] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";
    return new Response(renderOwnershipStatementHtml(statement), { status: 200, headers });
  }
  headers['content-disposition'] = `attachment; filename="${fileName}"`;
  const body = format === 'json' ? `${JSON.stringify(statement, null, 2)}\n` : ledgerNdjson.endsWith('\n') || ledgerNdjson === '' ? ledgerNdjson : `${ledgerNdjson}\n`;
  return new Response(body, { status: 200, headers });
}
