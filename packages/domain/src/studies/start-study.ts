import { enrollmentTokens, studies, studySites, type Transaction } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { and, count, eq, gt, isNull } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { beginKeyCeremony } from '../ceremony/begin-ceremony.ts';
import { openRound } from '../rounds/open-round.ts';
import { inTransaction, type AuditTrail } from '../transaction.ts';
import { isEncrypted, loadStudy, type LoadedStudy } from './load-study.ts';

/** Starts a study by hand (an admin), with the sites enrolled so far. */
export async function startStudy(ctx: DomainContext, input: { studyId: string; actor: string }): Promise<void> {
  await inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const study = await loadStudy(tx, input.studyId, { forUpdate: true });
    if (study.row.status !== 'enrolling') {
      throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" has already started (status ${study.row.status})`);
    }
    await beginStudy(ctx, tx, audit, study, input.actor);
  });
}

/** Starts the study if it is set to auto-start and every invited site has enrolled. */
export async function maybeAutoStart(ctx: DomainContext, tx: Transaction, audit: AuditTrail, study: LoadedStudy): Promise<boolean> {
  if (!study.spec.federation.autoStart || study.row.status !== 'enrolling') return false;
  const [pending] = await tx
    .select({ n: count() })
    .from(enrollmentTokens)
    .where(
      and(
        eq(enrollmentTokens.studyId, study.row.id),
        isNull(enrollmentTokens.usedAt),
        isNull(enrollmentTokens.revokedAt),
        gt(enrollmentTokens.expiresAt, ctx.now()),
      ),
    );
  if ((pending?.n ?? 0) > 0) return false;
  if ((await siteCount(tx, study.row.id)) < minimumSites(study)) return false;
  await beginStudy(ctx, tx, audit, study, 'hub');
  return true;
}

function minimumSites(study: LoadedStudy): number {
  return Math.max(study.spec.federation.minSitesPerRound, isEncrypted(study.spec) ? 2 : 1);
}

async function siteCount(tx: Transaction, studyId: string): Promise<number> {
  const [row] = await tx.select({ n: count() }).from(studySites).where(eq(studySites.studyId, studyId));
  return row?.n ?? 0;
}

/**
 * Encrypted studies begin with the threshold key ceremony (see ceremony/begin-ceremony.ts);
 * plaintext studies go straight to the statistics round.
 */
async function beginStudy(ctx: DomainContext, tx: Transaction, audit: AuditTrail, study: LoadedStudy, actor: string): Promise<void> {
  const sites = await tx.select({ siteId: studySites.siteId }).from(studySites).where(eq(studySites.studyId, study.row.id));
  const needed = minimumSites(study);
  if (sites.length < needed) {
    throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" needs at least ${needed} enrolled sites to start; it has ${sites.length}`, {
      details: { enrolled: sites.length, needed },
    });
  }
  const now = ctx.now();
  await tx.update(studies).set({ startedAt: now }).where(eq(studies.id, study.row.id));
  audit.record({ action: 'study.started', actor, studyId: study.row.id, payload: { sites: sites.map((s) => s.siteId) } });
  if (isEncrypted(study.spec)) {
    await beginKeyCeremony(ctx, tx, audit, study, { epoch: 0, actor });
    return;
  }
  await tx.update(studies).set({ status: 'running' }).where(eq(studies.id, study.row.id));
  await openRound(ctx, tx, audit, { ...study, row: { ...study.row, status: 'running' } }, { index: 0, kind: 'stats', baseModelVersionId: null });
}
