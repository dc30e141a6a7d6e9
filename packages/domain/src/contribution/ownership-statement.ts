import type { LedgerEntry, OwnershipStatementInput } from '@consilium/contribution';
import { AppError, ErrorCode } from '@consilium/errors';
import type { DomainContext } from '../context.ts';
import { getStudyContribution } from './contribution-view.ts';
import { loadStudyLedger } from './ledger-store.ts';

/**
 * What a signed ownership statement of a study is built from (`buildOwnershipStatement`, then
 * `signOwnershipStatement` with the hub's key): the study's name, status and settled rounds, its
 * ledger entries in append order (the deposits that fund its stakes included), and each site's
 * name, reputation and number of flags as the contribution view reports them. `entries` is also
 * what a verifier recomputes the statement from (as NDJSON, `ledgerToNdjson`).
 *
 * Read in one repeatable-read transaction, so the ledger and the settled state belong to the same
 * moment even while a round is being settled. Throws NOT_FOUND for an unknown study and WRONG_STATE
 * while no site has earned a reward in it (there is nothing to own a share of yet);
 * buildOwnershipStatement refuses that case with WRONG_STATE as well.
 */
export async function ownershipStatementInput(ctx: DomainContext, studyId: string): Promise<{ input: OwnershipStatementInput; entries: LedgerEntry[] }> {
  const { view, entries } = await ctx.db.transaction(
    async (tx) => {
      const view = await getStudyContribution({ ...ctx, db: tx }, studyId);
      const ledger = await loadStudyLedger(tx, studyId);
      return { view, entries: [...ledger.entries] };
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  );

  const earned = view.sites.reduce((sum, site) => sum + BigInt(site.rewardMicro), 0n);
  if (earned === 0n) {
    const why = view.opened
      ? `${view.settledRounds} round(s) settled, none of which paid a reward`
      : 'its contribution accounting has not opened yet (that happens when the statistics round completes)';
    throw new AppError(ErrorCode.WRONG_STATE, `Study "${view.studyName}" has no ownership statement yet: no site has earned a reward in it (${why})`, {
      details: { studyId, settledRounds: view.settledRounds },
    });
  }

  const input: OwnershipStatementInput = {
    study: { id: view.studyId, name: view.studyName },
    status: view.status,
    rounds: view.settledRounds,
    entries,
    siteNames: new Map(view.sites.map((s) => [s.siteId, s.siteName])),
    reputation: new Map(view.sites.map((s) => [s.siteId, s.reputation])),
    flags: new Map(view.sites.map((s) => [s.siteId, s.flags])),
    issuedAt: ctx.now(),
  };
  return { input, entries };
}
