import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { StudyProgress } from '@consilium/demo/orchestrator';
import type { FaultSite } from './fault-consortium.ts';
import { siteIdOf } from './fault-study.ts';

/** What holding a round needs of a consortium (FaultConsortium, ReplicaConsortium). */
export interface HoldableConsortium {
  sites: FaultSite[];
  waitFor<T>(what: string, pick: (progress: StudyProgress) => T | undefined | false, options?: { timeoutMs?: number; pollMs?: number }): Promise<T>;
  freezeAgent(site: FaultSite): void;
  thawAgent(site: FaultSite): void;
}

/**
 * Freezes one site's agent (SIGSTOP) in a training round it has not submitted to — the first such
 * site, or `pick`'s — and waits until every other participant's update is in: the round is then
 * collecting, with accepted updates, until the held site is thawed. Tries again on the next round
 * when the site submitted before it was frozen. Used by the hub-crash and replica fault tests.
 */
export async function holdRoundCollecting(
  consortium: HoldableConsortium,
  pick: (sites: FaultSite[]) => FaultSite[] = (sites) => sites,
): Promise<{ progress: StudyProgress; round: StudyProgress['rounds'][number]; held: FaultSite }> {
  for (let attempt = 1; ; attempt++) {
    const pending = await consortium.waitFor(
      'a training round with a site yet to submit',
      (progress) => {
        const round = progress.rounds.at(-1);
        if (round?.kind !== 'train' || (round.status !== 'open' && round.status !== 'collecting')) return false;
        const site = pick(consortium.sites).find((s) => !round.submitted.includes(siteIdOf(progress, s.name)));
        return site !== undefined && { site, roundId: round.id };
      },
      { timeoutMs: 90_000, pollMs: 20 },
    );
    consortium.freezeAgent(pending.site);
    const state = await consortium.waitFor(
      'the held round collecting with every other update',
      (progress) => {
        const round = progress.rounds.find((r) => r.id === pending.roundId);
        if (!round) return false;
        if (round.submitted.includes(siteIdOf(progress, pending.site.name)) || (round.status !== 'open' && round.status !== 'collecting')) return { progress, round, missed: true };
        return round.status === 'collecting' && round.submitted.length === round.participants.length - 1 && { progress, round, missed: false };
      },
      { timeoutMs: 60_000, pollMs: 50 },
    );
    if (!state.missed) return { progress: state.progress, round: state.round, held: pending.site };
    consortium.thawAgent(pending.site);
    if (attempt === 3) throw new Error('Three times a site submitted before it could be held back');
  }
}

/** The line an agent logs each time it finds the hub unreachable or busy and will try again. */
export const RETRY_LOG_LINE = '"msg":"hub unreachable or busy; retrying"';

/**
 * Watches the held site's agent for a retry from now on: take it before letting the agent go while
 * the hub (or its database) is down, then `wait` until the agent has met the outage and logged a
 * retry. A fixed outage alone is not enough: under load the thawed agent may still be training when
 * the hub comes back, and then never sees it gone. Earlier retries in the log do not count.
 */
export function watchForRetry(site: FaultSite): { wait(timeoutMs?: number): Promise<void> } {
  const from = existsSync(site.logFile) ? statSync(site.logFile).size : 0;
  return {
    async wait(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const log = await readFile(site.logFile).catch(() => Buffer.alloc(0));
        if (log.subarray(from).toString('utf8').includes(RETRY_LOG_LINE)) return;
        if (Date.now() > deadline) throw new Error(`${site.name}'s agent did not retry within ${timeoutMs} ms of being let go while the hub was unavailable`);
        await sleep(50);
      }
    },
  };
}
