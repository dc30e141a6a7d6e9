import { auditEvents, auditHead, type Executor } from '@consilium/db';
import { and, asc, eq, gt, lte } from 'drizzle-orm';
import { AuditChainVerifier, type ChainVerification } from './chain-verifier.ts';
import { GENESIS_HASH } from './hash.ts';

// The verifier itself has no database dependency, so offline tools can load it alone.
export { AuditChainVerifier, type ChainBreak, type ChainVerification } from './chain-verifier.ts';

/**
 * Verifies the whole audit chain stored in the database, reading it in pages (constant memory). The
 * head is read first and the chain checked up to it: events appended while verification runs (a busy
 * hub) are simply not part of this check, rather than being mistaken for a mismatch at the tail.
 */
export async function verifyAuditChain(db: Executor, options: { pageSize?: number } = {}): Promise<ChainVerification> {
  const pageSize = options.pageSize ?? 1000;
  const [headRow] = await db.select().from(auditHead).where(eq(auditHead.id, 1));
  const head = headRow ? { seq: headRow.seq, hash: headRow.hash } : { seq: 0, hash: GENESIS_HASH };
  const verifier = new AuditChainVerifier();
  let after = 0;
  for (;;) {
    const page = await db
      .select()
      .from(auditEvents)
      .where(and(gt(auditEvents.seq, after), lte(auditEvents.seq, head.seq)))
      .orderBy(asc(auditEvents.seq))
      .limit(pageSize);
    for (const row of page) {
      if (!verifier.push(row)) return verifier.finish();
    }
    if (page.length < pageSize) break;
    after = page[page.length - 1]!.seq;
  }
  return verifier.finish(head);
}
