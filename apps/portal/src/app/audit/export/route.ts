/**
 * Download of the audit log export for the /audit page's filter, CSV or NDJSON, fixed at the chain
 * head the page showed: `?format=csv|ndjson&throughSeq=N&studyId=…&siteId=…&actor=…&action=…&from=…&to=…`.
 * Streamed from the hub with the person's session (consortium administrators and compliance
 * officers); its signed manifest is /audit/export/manifest with the same parameters.
 */
import { proxyAuditExport } from '../../../server/audit-export.ts';

export function GET(request: Request): Promise<Response> {
  return proxyAuditExport(request, 'export');
}
