/**
 * `npm run bench -- contribution`: a consortium of six real agents (one process each, over HTTP, an
 * encrypted study with threshold decryption) in which four sites misbehave the ways
 * docs/contribution.md defends against, and what the hub's contribution accounting makes of them:
 * each site's components, reputation, flags, slashes and final ownership share.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { syntheticStudySpec } from '@consilium/data/synthetic';
import { createStudy, enrollAgent, startAgentProcess, startHubProcess, adminClientOf, type AgentProcess, type HubProcess } from '@consilium/demo/orchestrator';
import { AppError, ErrorCode } from '@consilium/errors';
import type { StudySpecInput } from '@consilium/schemas';
import type { BenchContext, BenchResult } from '../bench-context.ts';
import { intFlags } from '../flags.ts';
import { writeConsortiumData, type SiteDataPlan } from './consortium-data.ts';
import { contributionReport, type SiteRole } from './report.ts';

export const contributionOptions = { rounds: 'string', seed: 'string', 'deadline-s': 'string', keep: 'boolean' } as const;
export const contributionHelp = `contribution  six real agents on an encrypted study: an honest large site, an honest small site with rare data,
              a free rider, a label flipper, a sample-count inflater and an unreliable site; reports each
              site's contribution components, reputation, flags, slashes and ownership share
    --rounds <n>        training rounds (default 6)
    --deadline-s <s>    round deadline in seconds: how long a missed round holds the others, and the key
                        ceremony's deadline (default 30)
    --seed <n>          data seed (default 7)
    --keep              keep the work directory (logs, databases)`;

/** Who misbehaves how (apps/agent/src/behaviour.ts), and the data each site holds. */
const SITES: ReadonlyArray<{ role: SiteRole; data: Omit<SiteDataPlan, 'name'>; behaviour: Record<string, unknown> }> = [
  { role: 'large', data: { rows: 600, positiveRate: 0.2 }, behaviour: {} },
  { role: 'rare', data: { rows: 160, positiveRate: 0.7 }, behaviour: {} },
  { role: 'freerider', data: { rows: 300, positiveRate: 0.2 }, behaviour: { freeRide: { rows: 20, epochs: 1 } } },
  { role: 'flipper', data: { rows: 300, positiveRate: 0.2, flipLabels: true }, behaviour: {} },
  { role: 'inflater', data: { rows: 300, positiveRate: 0.2 }, behaviour: { inflateSamples: 4 } },
  { role: 'unreliable', data: { rows: 600, positiveRate: 0.2 }, behaviour: { missTrainingRounds: [2, 4] } },
];

const SITE_AGENT = fileURLToPath(new URL('./site-agent.ts', import.meta.url));

export async function contribution(ctx: BenchContext): Promise<BenchResult> {
  const issues: string[] = [];
  const int = intFlags(ctx.flags, issues);
  const rounds = int('rounds', 6, 3, 50);
  const seed = int('seed', 7, 1, 2 ** 31 - 1);
  const deadlineS = int('deadline-s', 30, 5, 3600);
  if (issues.length > 0) throw new AppError(ErrorCode.INVALID_INPUT, issues.join('; '));

  await mkdir(ctx.workDir, { recursive: true });
  const data = await writeConsortiumData(
    path.join(ctx.workDir, 'data'),
    SITES.map((s) => ({ name: s.role, ...s.data })),
    seed,
  );
  const base = syntheticStudySpec();
  const spec: StudySpecInput = {
    ...base,
    name: 'Contribution benchmark',
    training: { ...base.training, rounds },
    federation: { ...base.federation, minSitesPerRound: 4, roundDeadlineSeconds: deadlineS, decryptionDeadlineSeconds: 60 },
    privacy: { ...base.privacy, secureAggregation: 'ckks-multiparty' },
  };

  let hub: HubProcess | null = null;
  const agents: AgentProcess[] = [];
  const started = performance.now();
  try {
    hub = await startHubProcess({ dataDir: path.join(ctx.workDir, 'hub'), databaseUrl: ctx.databaseUrl, logFile: path.join(ctx.workDir, 'hub.log') });
    ctx.log(`hub at ${hub.url}; creating the study`);
    const { studyId, tokens } = await createStudy(hub, spec, SITES.map((s) => s.role));
    for (const [i, site] of SITES.entries()) {
      const dir = path.join(ctx.workDir, 'sites', site.role);
      const logFile = path.join(ctx.workDir, `${site.role}.log`);
      await enrollAgent({ hubUrl: hub.url, dir, name: site.role, dataPath: data[i]!.path, token: tokens[site.role]!, logFile });
      agents.push(
        await startAgentProcess({
          hubUrl: hub.url,
          dir,
          name: site.role,
          dataPath: data[i]!.path,
          logFile,
          untilDone: true,
          pollMs: 300,
          runScript: SITE_AGENT,
          env: { CONSILIUM_BENCH_BEHAVIOUR: JSON.stringify(site.behaviour) },
        }),
      );
    }
    ctx.log(`six agents running (${SITES.map((s) => s.role).join(', ')}); ${rounds} rounds`);

    const client = adminClientOf(hub);
    const timeoutMs = (rounds + 2) * (deadlineS + 60) * 1000;
    let summary = await client.contribution.summary.query({ studyId });
    let lastLine = '';
    while (summary.settledRounds < rounds) {
      if (performance.now() - started > timeoutMs) throw new AppError(ErrorCode.UNAVAILABLE, `only ${summary.settledRounds} of ${rounds} rounds were settled in ${timeoutMs / 1000} s (logs in ${ctx.workDir})`);
      const progress = await client.studies.progress.query({ studyId });
      if (progress.status === 'failed') throw new AppError(ErrorCode.INTERNAL, `the study failed: ${progress.failureReason} (logs in ${ctx.workDir})`);
      const line = `study ${progress.status}, ${summary.settledRounds}/${rounds} rounds settled`;
      if (line !== lastLine) ctx.log((lastLine = line));
      await new Promise((resolve) => setTimeout(resolve, 500));
      summary = await client.contribution.summary.query({ studyId });
    }
    const wallS = (performance.now() - started) / 1000;
    return contributionReport({ summary, sites: SITES.map((s, i) => ({ role: s.role, rows: data[i]!.rows, positives: data[i]!.positives, behaviour: s.behaviour })), rounds, wallS });
  } finally {
    await Promise.all(agents.map((a) => a.stop().catch(() => undefined)));
    await hub?.stop().catch(() => undefined);
    if (ctx.flags.keep === undefined) await rm(ctx.workDir, { recursive: true, force: true });
  }
}
