import { createHubClient, type HubClient } from '@consilium/api/client';
import type { HubCrypto } from '@consilium/domain';
import { runCeremony, SimulatedSite, siteProfiles, testStudySpec, type Contribution, type HubTransport, type TestStudy } from '@consilium/domain/testing';
import type { StatsTask } from '@consilium/schemas';

/** The administrator's client of a running hub. */
export function adminOverHttp(url: string, token: string): HubClient {
  return createHubClient({ url, headers: () => ({ authorization: `Bearer ${token}` }) });
}

/**
 * Sets a study up on a running hub the way people do: the study lead creates it and issues tokens
 * through the admin API; each simulated site enrols and runs the key ceremony (share, deal, combine)
 * over HTTP. The study is then in its statistics round.
 */
export async function setUpStudyOverHttp(options: { admin: HubClient; transport: HubTransport; siteCrypto: HubCrypto; sites?: number }): Promise<TestStudy> {
  const spec = testStudySpec();
  const { studyId } = await options.admin.studies.create.mutate({ spec });
  const profiles = siteProfiles(options.sites ?? 3);
  const tokens = [];
  for (const i of profiles.keys()) tokens.push(await options.admin.studies.issueToken.mutate({ studyId, siteName: `Hospital ${i + 1}` }));
  const sites = tokens.map((t, i) => new SimulatedSite({ name: t.siteName, crypto: options.siteCrypto, profile: profiles[i]! }));
  for (const [i, site] of sites.entries()) site.siteId = (await options.transport.enroll(site, tokens[i]!.token)).siteId;
  const study = { id: studyId, spec, sites };
  await runCeremony(sites, options.transport, study);
  return study;
}

/**
 * A site's statistics-round upload as its agent would keep it in its outbox (so it can re-send the
 * same bytes after a crash), and the contribution it carries.
 */
export async function statsUpload(
  site: SimulatedSite,
  transport: HubTransport,
  study: TestStudy,
): Promise<{ envelope: Uint8Array; parts: Uint8Array[]; roundId: string; contribution: Contribution }> {
  const task = (await transport.poll(site)).tasks.find((t): t is StatsTask => t.kind === 'stats' && t.studyId === study.id);
  if (!task) throw new Error(`${site.name} has no statistics task`);
  const contribution = { vector: site.statsVector(study.spec), parameters: null, numExamples: site.profile.samples };
  const parts = await site.encode(task.encoding, await transport.publicKey(site, study.id), contribution.vector);
  return { envelope: site.envelope('submission', study.id, task.roundId, parts), parts, roundId: task.roundId, contribution };
}
