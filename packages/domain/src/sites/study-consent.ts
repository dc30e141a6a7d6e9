import { sites, studySites, type StudyConsent } from '@consilium/db';
import { AppError, ErrorCode } from '@consilium/errors';
import { isEndedStudyStatus } from '@consilium/schemas';
import { and, eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { loadStudy } from '../studies/load-study.ts';
import { maybeAutoStart } from '../studies/start-study.ts';
import { inTransaction } from '../transaction.ts';

export interface ConsentDecision {
  consent: Exclude<StudyConsent, 'pending'>;
  decidedAt: Date;
  /** Whether this decision (the last one outstanding) started the study. */
  studyStarted: boolean;
}

/** What withdrawing an approval means, recorded with the decision. */
const WITHDRAWAL_EFFECT =
  'approval withdrawn: the site takes no part in the study from its next round on (the hub gives it no work and accepts no upload from it for this study); ' +
  'if it is on the decryption committee of an encrypted study it simply stops answering, like an offline member — the study lead should re-key the study without it';

/**
 * A site administrator's decision on a study their site is a member of: approve taking part, or
 * decline. A decision may be changed while the study has not ended — declining after approving
 * withdraws the site from the next round on. Recorded as `site.consent_decided` in the same
 * transaction. A decision that settles the last undecided membership may start the study.
 */
export async function decideStudyConsent(
  ctx: DomainContext,
  input: { siteName: string; studyId: string; decision: 'approve' | 'decline'; note?: string | undefined; actor: string },
): Promise<ConsentDecision> {
  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const [site] = await tx.select().from(sites).where(eq(sites.name, input.siteName));
    if (!site) throw new AppError(ErrorCode.NOT_FOUND, `No site named "${input.siteName}"`, { details: { siteName: input.siteName } });
    const study = await loadStudy(tx, input.studyId, { forUpdate: true });
    const [membership] = await tx
      .select()
      .from(studySites)
      .where(and(eq(studySites.studyId, study.row.id), eq(studySites.siteId, site.id)))
      .for('update');
    if (!membership) {
      throw new AppError(ErrorCode.NOT_FOUND, `Site "${site.name}" is not a member of study "${study.row.name}": it can only decide on studies it enrolled in`, {
        details: { siteName: site.name, studyId: study.row.id },
      });
    }
    if (isEndedStudyStatus(study.row.status)) {
      throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" has ended (status ${study.row.status}); there is nothing left to decide`);
    }
    const consent = input.decision === 'approve' ? 'approved' : 'declined';
    const note = input.note?.trim() ? input.note.trim() : null;
    const decidedAt = ctx.now();
    await tx
      .update(studySites)
      .set({ consent, consentDecidedAt: decidedAt, consentDecidedBy: input.actor, consentNote: note })
      .where(and(eq(studySites.studyId, study.row.id), eq(studySites.siteId, site.id)));
    const withdrawn = membership.consent === 'approved' && consent === 'declined';
    audit.record({
      action: 'site.consent_decided',
      actor: input.actor,
      studyId: study.row.id,
      siteId: site.id,
      payload: { siteName: site.name, consent, previous: membership.consent, note, ...(withdrawn ? { effect: WITHDRAWAL_EFFECT } : {}) },
    });
    // The last outstanding decision (an approval, or a decline next to enough approvals) may start the study.
    const studyStarted = await maybeAutoStart(ctx, tx, audit, study);
    return { consent, decidedAt, studyStarted };
  });
}
