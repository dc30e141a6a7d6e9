import { contributionSettlements, decryptionShares, evaluations, modelVersions, rounds, sites, studies, studySites, submissions, type StudyConsent } from '@consilium/db';
import { StudySpec, VectorEncoding, type StudyStatus, type Task } from '@consilium/schemas';
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import { studyRoster } from '../ceremony/committee.ts';
import type { AuthenticatedSite } from './authenticate-site.ts';

export interface PollResult {
  siteId: string;
  siteName: string;
  serverTime: string;
  /** Work for this site now, most urgent first (decryptions unblock everyone). */
  tasks: Task[];
  /** Every study the site is a member of, with its decision on it and whether the study is paused. */
  studies: Array<{ studyId: string; name: string; status: StudyStatus; failureReason: string | null; consent: StudyConsent; pausedAt: string | null }>;
}

/**
 * An agent's poll, which doubles as its heartbeat: records when the site was last seen (and with which
 * agent version and training backend), and answers with the site's pending work. Agents pull, so a
 * hospital never has to accept inbound connections. Only studies the site takes part in now — it
 * approved them and they are not paused — give it work.
 */
export async function pollTasks(ctx: DomainContext, site: AuthenticatedSite, agent: { agentVersion: string; backend: string | null }): Promise<PollResult> {
  const now = ctx.now();
  await ctx.db.update(sites).set({ lastSeenAt: now, agentVersion: agent.agentVersion, backend: agent.backend }).where(eq(sites.id, site.siteId));

  const all = await ctx.db
    .select({ study: studies, consent: studySites.consent })
    .from(studySites)
    .innerJoin(studies, eq(studies.id, studySites.studyId))
    .where(eq(studySites.siteId, site.siteId));
  const memberships = all.filter((m) => m.consent === 'approved' && m.study.pausedAt === null);
  const tasks: Task[] = [];
  const studyIds = memberships.map((m) => m.study.id);

  for (const { study } of memberships) {
    if (study.status === 'keygen') {
      const task = await keygenTask(ctx, study, site.siteId);
      if (task) tasks.push(task);
    }
  }

  if (studyIds.length > 0) {
    const active = await ctx.db.select().from(rounds).where(and(inArray(rounds.studyId, studyIds), inArray(rounds.status, ['open', 'collecting', 'decrypting'])));
    const mine = active.filter((r) => r.participants.includes(site.siteId));
    const roundIds = mine.map((r) => r.id);
    const submitted = roundIds.length
      ? await ctx.db.select({ roundId: submissions.roundId }).from(submissions).where(and(inArray(submissions.roundId, roundIds), eq(submissions.siteId, site.siteId)))
      : [];
    // Decryptors need not be participants (a member that missed the round still holds its key share).
    const sealed = active.filter((r) => r.status === 'decrypting' && r.decryptors.includes(site.siteId));
    const decrypted = sealed.length
      ? await ctx.db
          .select({ roundId: decryptionShares.roundId, attempt: decryptionShares.attempt })
          .from(decryptionShares)
          .where(and(inArray(decryptionShares.roundId, sealed.map((r) => r.id)), eq(decryptionShares.siteId, site.siteId)))
      : [];
    for (const round of sealed) {
      if (!round.aggregateHash || decrypted.some((d) => d.roundId === round.id && d.attempt === round.decryptAttempt)) continue;
      const study = memberships.find((m) => m.study.id === round.studyId)!.study;
      const committee = study.committee ?? [];
      const encoding = VectorEncoding.parse(round.encoding);
      if (encoding.scheme !== 'ckks-multiparty') continue;
      tasks.unshift({
        kind: 'decrypt',
        studyId: round.studyId,
        roundId: round.id,
        roundIndex: round.index,
        deadline: (round.attemptDeadlineAt ?? round.decryptDeadlineAt ?? round.deadlineAt).toISOString(),
        chunkCount: encoding.chunkCount,
        scaleBits: encoding.scaleBits,
        aggregateHash: round.aggregateHash,
        epoch: round.keyEpoch,
        decryptors: round.decryptors.map((siteId) => ({ siteId, point: committee.indexOf(siteId) + 1 })),
        attempt: round.decryptAttempt,
        minSubmissions: StudySpec.parse(study.spec).federation.minSitesPerRound,
      });
    }
    for (const round of mine) {
      const study = memberships.find((m) => m.study.id === round.studyId)!.study;
      if (round.status === 'decrypting' || submitted.some((s) => s.roundId === round.id) || round.deadlineAt.getTime() < now.getTime()) continue;
      const encoding = VectorEncoding.parse(round.encoding);
      // The study row was read before the rounds, not in one snapshot: a round opened in between (its
      // study row updated in the same transaction) is seen with the study's older state — no total
      // sample count yet, no collective key. Its task is left to the next poll, not sent invalid.
      if ((round.kind === 'train' && study.totalSamples === null) || (encoding.scheme === 'ckks-multiparty' && !study.publicKeyHash)) continue;
      const common = {
        studyId: round.studyId,
        roundId: round.id,
        roundIndex: round.index,
        deadline: round.deadlineAt.toISOString(),
        encoding,
        ...(study.publicKeyHash ? { publicKeyHash: study.publicKeyHash } : {}),
      };
      if (round.kind === 'stats') tasks.push({ kind: 'stats', ...common });
      else tasks.push({ kind: 'train', ...common, modelVersionId: round.baseModelVersionId, totalSamples: study.totalSamples ?? 0 });
    }
    tasks.push(...(await evaluationTasks(ctx, site.siteId, memberships.map((m) => m.study))));
  }

  return {
    siteId: site.siteId,
    siteName: site.siteName,
    serverTime: now.toISOString(),
    tasks,
    studies: all.map(({ study, consent }) => ({
      studyId: study.id,
      name: study.name,
      status: study.status,
      failureReason: study.failureReason ?? study.stopReason,
      consent,
      pausedAt: study.pausedAt?.toISOString() ?? null,
    })),
  };
}

/**
 * The models of each study this site has not evaluated yet: the latest, and every earlier one whose
 * contribution round is still open and inside its validation window (its validation decides quality
 * and pay, so a site that was busy training while the next model appeared must still be able to
 * report on it). Oldest first.
 */
async function evaluationTasks(ctx: DomainContext, siteId: string, memberStudies: Array<typeof studies.$inferSelect>): Promise<Task[]> {
  const tasks: Task[] = [];
  for (const study of memberStudies) {
    if (study.status !== 'running' && study.status !== 'completed') continue;
    const models = await ctx.db
      .select({ id: modelVersions.id, version: modelVersions.version, createdAt: modelVersions.createdAt })
      .from(modelVersions)
      .where(eq(modelVersions.studyId, study.id))
      .orderBy(asc(modelVersions.version));
    const latest = models.at(-1);
    if (!latest) continue;
    const [settled] = await ctx.db
      .select({ round: contributionSettlements.round })
      .from(contributionSettlements)
      .where(eq(contributionSettlements.studyId, study.id))
      .orderBy(desc(contributionSettlements.round))
      .limit(1);
    // A report after a round's validation window has closed would change nothing: it is settled
    // without it at the next deadline tick, so only models still inside their window are asked for.
    const windowMs = StudySpec.parse(study.spec).federation.roundDeadlineSeconds * 1000;
    const now = ctx.now().getTime();
    const open = models.filter(
      (m) => m.id === latest.id || (settled !== undefined && m.version > settled.round && now < m.createdAt.getTime() + windowMs),
    );
    const done = await ctx.db
      .select({ modelVersionId: evaluations.modelVersionId })
      .from(evaluations)
      .where(and(eq(evaluations.siteId, siteId), inArray(evaluations.modelVersionId, open.map((m) => m.id))));
    for (const model of open) {
      if (done.some((d) => d.modelVersionId === model.id)) continue;
      tasks.push({ kind: 'evaluate', studyId: study.id, modelVersionId: model.id, final: study.status === 'completed' && model.id === latest.id });
    }
  }
  return tasks;
}

/**
 * The key-ceremony stage a committee member has to do now, if any: publish its public-key share,
 * deal its Shamir shares once every member has published, combine once every member has dealt.
 */
async function keygenTask(ctx: DomainContext, study: typeof studies.$inferSelect, siteId: string): Promise<Task | null> {
  const committee = study.committee ?? [];
  if (!committee.includes(siteId) || !study.crpSeed || !study.threshold) return null;
  const members = await ctx.db.select().from(studySites).where(eq(studySites.studyId, study.id));
  const me = members.find((m) => m.siteId === siteId)!;
  const ofCommittee = committee.map((id) => members.find((m) => m.siteId === id));
  const stage = !me.keyShare
    ? 'share'
    : ofCommittee.every((m) => m?.keyShare) && study.publicKey && !me.dealtAt
      ? 'deal'
      : ofCommittee.every((m) => m?.dealtAt) && !me.confirmedPublicKeyHash
        ? 'combine'
        : null;
  if (!stage) return null;
  return {
    kind: 'keygen',
    stage,
    studyId: study.id,
    epoch: study.keyEpoch,
    crpSeed: Buffer.from(study.crpSeed).toString('hex'),
    ckks: StudySpec.parse(study.spec).privacy.ckks,
    threshold: study.threshold,
    committee: committee.map((id, i) => ({ siteId: id, point: i + 1 })),
    roster: await studyRoster(ctx.db, study.id),
    minSubmissions: StudySpec.parse(study.spec).federation.minSitesPerRound,
  };
}

/** How often a waiting poll re-checks the database even without a notification (other hub replicas). */
const RECHECK_MS = 2000;

/**
 * A long poll: answers at once when the site has work, otherwise waits — up to `waitMs` — for a
 * change that may have given it some (a round sealed, a ceremony stage completed) or that changed one
 * of its studies' status, so agents start
 * the next step within milliseconds instead of a poll interval. Without a change feed it answers at
 * once, like `pollTasks`.
 */
export async function waitForTasks(
  ctx: DomainContext,
  site: AuthenticatedSite,
  agent: { agentVersion: string; backend: string | null },
  options: { waitMs: number; signal?: AbortSignal },
): Promise<PollResult> {
  const until = Date.now() + options.waitMs;
  let before: string | undefined;
  for (;;) {
    const result = await pollTasks(ctx, site, agent);
    const remaining = until - Date.now();
    // A study that changed status (say, completed), was approved, paused or resumed is news too: an agent run with --until-done exits on it.
    const statuses = studyStatuses(result);
    before ??= statuses;
    if (result.tasks.length > 0 || statuses !== before || remaining <= 0 || !ctx.changes || options.signal?.aborted) return result;
    await ctx.changes.wait(Math.min(remaining, RECHECK_MS), options.signal);
  }
}

/** The site's studies as one comparable string, in study-id order (the query's row order is not fixed). */
function studyStatuses(result: PollResult): string {
  return result.studies
    .map((s) => `${s.studyId}:${s.status}:${s.consent}:${s.pausedAt ?? ''}`)
    .sort()
    .join(',');
}
