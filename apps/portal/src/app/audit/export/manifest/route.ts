/**
 * The signed manifest of the export /audit/export serves for the same parameters (which must name
 * `throughSeq`). Saved next to the export as `<export>.manifest.json` — the name the hub gives it —
 * it lets `consilium-audit verify <export> --public-key <hub key>` check the export offline.
 */
import { proxyAuditExport } from '../../../../server/audit-export.ts';

export function GET(request: Request): Promise<Response> {
  return proxyAuditExport(request, 'manifest');
}
