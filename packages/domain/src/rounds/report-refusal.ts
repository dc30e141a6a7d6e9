import type { AuthenticatedSite } from '../agents/authenticate-site.ts';
import { pointOf } from '../ceremony/committee.ts';
import type { DomainContext } from '../context.ts';
import { loadStudy } from '../studies/load-study.ts';
import { inTransaction } from '../transaction.ts';
import { failRound } from './fail-round.ts';
import { loadRound } from './load-round.ts';

/**
 * A decryptor reports that it refused to decrypt (the aggregate was not provably a sum of enough
 * signed submissions). The refusal goes into the hub's audit log — the agent keeps its own record —
 * and the round fails with the member's reason (every honest member would refuse the same
 * aggregate); it is retried with fresh submissions.
 */
export async function reportDecryptionRefusal(ctx: DomainContext, site: AuthenticatedSite, input: { roundId: string; reason: string }): Promise<{ recorded: boolean }> {
  return inTransaction(ctx.db, ctx.now, async (tx, audit) => {
    const round = await loadRound(tx, input.roundId, { forUpdate: true });
    const study = await loadStudy(tx, round.row.studyId);
    pointOf(study, site);
    const reason = input.reason.slice(0, 2000);
    audit.record({
      action: 'round.decryption_refused',
      actor: `site:${site.siteId}`,
      studyId: study.row.id,
      siteId: site.siteId,
      roundId: round.row.id,
      payload: { attempt: round.row.decryptAttempt, reason },
    });
    // Recorded whenever a committee member reports it (a report may arrive after the round moved
    // on). If the member is asked to decrypt now, the others would refuse the same aggregate: fail
    // the round now, saying why.
    if (round.row.status === 'decrypting' && round.row.decryptors.includes(site.siteId)) await failRound(ctx, tx, audit, study, round, `committee member "${site.siteName}" refused to decrypt: ${reason}`);
    return { recorded: true };
  });
}
