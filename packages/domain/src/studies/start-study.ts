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
    if (study.row.pausedAt) throw new AppError(ErrorCode.STUDY_PAUSED, `Study "${study.row.name}" is paused; resume it before starting it`);
    await beginStudy(ctx, tx, audit, study, input.actor);
  });
}

/**
 * Starts the study if it is set to auto-start, every invited site has enrolled and decided (no
 * token is outstanding, no membership's consent is pending) and enough sites approved. The last
 * enrolment or approval starts it; a site that declined does not hold it up.
 */
export async function maybeAutoStart(ctx: DomainContext, tx: Transaction, audit: AuditTrail, study: LoadedStudy): Promise<boolean> {
  if (!study.spec.federation.autoStart || study.row.status !== 'enrolling' || study.row.pausedAt) return false;
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
  const consents = await tx.select({ consent: studySites.consent }).from(studySites).where(eq(studySites.studyId, study.row.id));
  if (consents.some((c) => c.consent === 'pending')) return false;
  if (consents.filter((c) => c.consent === 'approved').length < minimumSites(study)) return false;
  await beginStudy(ctx, tx, audit, study, 'hub');
  return true;
}

function minimumSites(study: LoadedStudy): number {
  return Math.max(study.spec.federation.minSitesPerRound, isEncrypted(study.spec) ? 2 : 1);
}


/**
 * Only sites that approved the study take part. Encrypted studies begin with the threshold key ceremony (see ceremony/begin-ceremony.ts);
 * plaintext studies go straight to the statistics round.
 */
async function beginStudy(ctx: DomainContext, tx: Transaction, audit: AuditTrail, study: LoadedStudy, actor: string): Promise<void> {
  const members = await tx.select({ siteId: studySites.siteId, consent: studySites.consent }).from(studySites).where(eq(studySites.studyId, study.row.id));
  const sites = members.filter((m) => m.consent === 'approved');
  const needed = minimumSites(study);
  if (sites.length < needed) {
    const undecided = members.filter((m) => m.consent === 'pending').length;
    throw new AppError(
      ErrorCode.WRONG_STATE,
      `Study "${study.row.name}" needs at least ${needed} enrolled sites that approved it to start; it has ${sites.length}` +
        (undecided > 0 ? ` (${undecided} enrolled site(s) have not decided yet: their site administrators approve the study in the portal)` : ''),
      { details: { enrolled: members.length, approved: sites.length, needed } },
    );
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
