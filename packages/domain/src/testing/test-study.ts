import { randomBytes } from 'node:crypto';
import { rounds } from '@consilium/db';
import { syntheticStudySpec } from '@consilium/data/synthetic';
import { StudySpec } from '@consilium/schemas';
import { desc, eq } from 'drizzle-orm';
import type { DomainContext } from '../context.ts';
import type { HubCrypto } from '../crypto.ts';
import { issueEnrollmentToken } from '../enrollment/issue-token.ts';
import { loadRound, type LoadedRound } from '../rounds/load-round.ts';
import { createStudy } from '../studies/create-study.ts';
import { runPendingTasks, type StudyUnderTest } from './drive.ts';
import { SimulatedSite, type SiteProfile } from './simulated-site.ts';
import type { HubTransport } from './transport.ts';

export interface TestStudyOptions {
  name?: string;
  /** false for a plaintext study (secureAggregation `none`). */
  encrypted?: boolean;
  trainingRounds?: number;
  minSitesPerRound?: number;
  roundDeadlineSeconds?: number;
  decryptionDeadlineSeconds?: number;
  /** The decryption committee (defaults: every site, majority threshold). */
  committee?: { size?: number; threshold?: number };
}

/** The synthetic cohort's study (logistic regression, federated standardisation), made small. */
export function testStudySpec(options: TestStudyOptions = {}): StudySpec {
  const base = syntheticStudySpec();
  return StudySpec.parse({
    ...base,
    name: options.name ?? `Test study ${randomBytes(3).toString('hex')}`,
    training: { ...base.training, rounds: options.trainingRounds ?? 1 },
    federation: {
      ...base.federation,
      minSitesPerRound: options.minSitesPerRound ?? 2,
      roundDeadlineSeconds: options.roundDeadlineSeconds ?? 600,
      decryptionDeadlineSeconds: options.decryptionDeadlineSeconds ?? 300,
    },
    privacy: { ...base.privacy, secureAggregation: options.encrypted === false ? 'none' : 'ckks-multiparty', committee: options.committee ?? {} },
  });
}

export interface TestStudy extends StudyUnderTest {
  sites: SimulatedSite[];
}

/** Site profiles of different sizes, so FedAvg weights differ. */
export function siteProfiles(count: number): SiteProfile[] {
  return Array.from({ length: count }, (_, i) => ({ samples: 120 + 97 * i, positives: 20 + 11 * i }));
}

/**
 * Creates a study, issues one token per site and enrols each simulated site through `transport`
 * (auto-start begins the study with the last enrolment); then, unless `ceremony` is false, the
 * committee runs the key ceremony (share, deal, combine), which opens the statistics round.
 */
export async function setUpStudy(
  ctx: DomainContext,
  transport: HubTransport,
  /** `approveStudy: false`: the sites enrol without approving the study (their site administrators decide later). */
  options: { spec?: StudySpec; sites?: number | SiteProfile[]; siteCrypto: HubCrypto; ceremony?: boolean; approveStudy?: boolean },
): Promise<TestStudy> {
  const spec = options.spec ?? testStudySpec();
  const profiles = Array.isArray(options.sites) ? options.sites : siteProfiles(options.sites ?? 3);
  const { studyId } = await createStudy(ctx, { spec, actor: 'admin:test' });
  const tag = randomBytes(3).toString('hex');
  const tokens = [];
  for (const [i] of profiles.entries()) tokens.push(await issueEnrollmentToken(ctx, { studyId, siteName: `Site ${i + 1} ${tag}`, actor: 'admin:test' }));
  const sites: SimulatedSite[] = [];
  for (const [i, profile] of profiles.entries()) {
    const token = tokens[i]!;
    const site = new SimulatedSite({ name: token.siteName, crypto: options.siteCrypto, profile });
    site.siteId = (await transport.enroll(site, token.token, { approveStudy: options.approveStudy ?? true })).siteId;
    sites.push(site);
  }
  const study = { id: studyId, spec, sites };
  if (options.ceremony !== false && spec.privacy.secureAggregation === 'ckks-multiparty') await runCeremony(sites, transport, study);
  return study;
}

/** The study's latest round (the one sites are working on). */
export async function currentRound(ctx: DomainContext, studyId: string): Promise<LoadedRound> {
  const [latest] = await ctx.db.select({ id: rounds.id }).from(rounds).where(eq(rounds.studyId, studyId)).orderBy(desc(rounds.index)).limit(1);
  if (!latest) throw new Error(`study ${studyId} has no round yet`);
  return loadRound(ctx.db, latest.id);
}

/** Runs the key ceremony's stages (share, deal, combine) for every site until none has keygen work. */
export async function runCeremony(sites: readonly SimulatedSite[], transport: HubTransport, study: StudyUnderTest): Promise<void> {
  for (let pass = 0; pass < 6; pass++) {
    let performed = 0;
    for (const site of sites) performed += await runPendingTasks(site, transport, study, { kinds: ['keygen'] });
    if (performed === 0) return;
  }
  throw new Error(`the key ceremony of study ${study.id} did not settle`);
}
