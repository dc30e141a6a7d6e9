import { enrollmentTokens, sites, studySites, type StudyConsent } from '@consilium/db';
import { isEndedStudyStatus } from '@consilium/schemas';
import { AppError, ErrorCode } from '@consilium/errors';
import { fingerprint, parsePublicKey } from '@consilium/protocol';
import { and, eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { hashToken } from '../secrets.ts';
import { maybeAutoStart } from '../studies/start-study.ts';
import { loadStudy } from '../studies/load-study.ts';
import { inTransaction } from '../transaction.ts';

export interface EnrollmentResult {
  siteId: string;
  siteName: string;
  studyId: string;
  studyName: string;
  /** Whether this enrolment completed the invitation list and started the study. */
  studyStarted: boolean;
  /**
   * The site's decision on the study: `approved` when the agent's operator approved it at enrolment
   * (`approveStudy`), otherwise as before (`pending` for a new membership) until a site administrator decides.
   */
  consent: StudyConsent;
}

/**
 * Redeems a one-time token: registers the site's public identity key (or checks it matches the
 * site's existing key) and adds the site to the token's study. A token works exactly once.
 * The membership is `pending` — the site takes no part yet — unless `approveStudy`: the agent's
 * operator approves taking part at enrolment (recorded as the site's decision, `site.consent_decided`).
 */
export async function enrollSite(
  ctx: DomainContext,
  input: { token: string; publicKey: string; agentVersion: string; approveStudy?: boolean | undefined },
): Promise<EnrollmentResult> {
  parsePublicKey(input.publicKey); // throws INVALID_INPUT naming the problem
  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const [token] = await tx.select().from(enrollmentTokens).where(eq(enrollmentTokens.tokenHash, hashToken(input.token))).for('update');
    // One message for unknown/used/expired/revoked would hide useful information from a legitimate
    // admin; the token is a 256-bit secret, so saying which case applies leaks nothing useful.
    if (!token) throw new AppError(ErrorCode.INVALID_TOKEN, 'This enrolment token is not valid: check it was copied completely');
    if (token.usedAt) throw new AppError(ErrorCode.INVALID_TOKEN, 'This enrolment token was already used; ask the study lead for a new one');
    if (token.revokedAt) throw new AppError(ErrorCode.INVALID_TOKEN, 'This enrolment token was revoked; ask the study lead for a new one');
    if (token.expiresAt.getTime() <= ctx.now().getTime()) {
      throw new AppError(ErrorCode.INVALID_TOKEN, `This enrolment token expired on ${token.expiresAt.toISOString()}; ask the study lead for a new one`);
    }
    const study = await loadStudy(tx, token.studyId, { forUpdate: true });
    // A site may also join a running study: it contributes from the next round on, and holds a key
    // share once the study is re-keyed (see ceremony/rekey-study.ts).
    if (isEndedStudyStatus(study.row.status)) {
      throw new AppError(ErrorCode.WRONG_STATE, `Study "${study.row.name}" has ended (status ${study.row.status}) and accepts no new sites`);
    }

    const [existing] = await tx.select().from(sites).where(eq(sites.name, token.siteName)).for('update');
    if (existing && existing.publicKey !== input.publicKey) {
      throw new AppError(
        ErrorCode.CONFLICT,
        `Site "${token.siteName}" is already enrolled with a different identity key; enrol from the same agent data directory (its identity.key), or ask the consortium administrator`,
      );
    }
    if (existing?.status === 'revoked') throw new AppError(ErrorCode.FORBIDDEN, `Site "${token.siteName}" has been revoked`);
    const siteId =
      existing?.id ??
      (await tx
        .insert(sites)
        .values({ name: token.siteName, publicKey: input.publicKey, agentVersion: input.agentVersion, enrolledAt: ctx.now() })
        .returning({ id: sites.id }))[0]!.id;

    await tx.insert(studySites).values({ studyId: study.row.id, siteId, joinedAt: ctx.now() }).onConflictDoNothing();
    const [membership] = await tx
      .select({ consent: studySites.consent })
      .from(studySites)
      .where(and(eq(studySites.studyId, study.row.id), eq(studySites.siteId, siteId)))
      .for('update');
    let consent: StudyConsent = membership?.consent ?? 'pending';
    await tx.update(enrollmentTokens).set({ usedAt: ctx.now(), usedBySiteId: siteId }).where(eq(enrollmentTokens.id, token.id));
    audit.record({
      action: 'site.enrolled',
      actor: `site:${siteId}`,
      studyId: study.row.id,
      siteId,
      payload: { siteName: token.siteName, publicKeyFingerprint: fingerprint(input.publicKey), newSite: !existing },
    });
    // Only an undecided membership: a re-enrolment does not overturn a site administrator's decline.
    if (input.approveStudy === true && consent === 'pending') {
      const actor = `site:${siteId}`;
      await tx
        .update(studySites)
        .set({ consent: 'approved', consentDecidedAt: ctx.now(), consentDecidedBy: actor, consentNote: 'approved by the agent operator at enrolment' })
        .where(and(eq(studySites.studyId, study.row.id), eq(studySites.siteId, siteId)));
      audit.record({
        action: 'site.consent_decided',
        actor,
        studyId: study.row.id,
        siteId,
        payload: { siteName: token.siteName, consent: 'approved', previous: consent, note: 'approved by the agent operator at enrolment' },
      });
      consent = 'approved';
    }
    const studyStarted = await maybeAutoStart(ctx, tx, audit, study);
    return { siteId, siteName: token.siteName, studyId: study.row.id, studyName: study.row.name, studyStarted, consent };
  });
}
