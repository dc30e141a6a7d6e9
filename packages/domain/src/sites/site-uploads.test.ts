import { testDatabaseTargets } from '@consilium/db/testing';
import { ErrorCode } from '@consilium/errors';
import { decodeEnvelope, sha256Hex } from '@consilium/protocol';
import { describe, expect, it } from 'vitest';
import { driveStudy, rejectionOf, setUpStudy, testStudySpec, useDomainHarness, type HubTransport, type SimulatedSite } from '../testing/index.ts';
import { listSiteUploads } from './site-uploads.ts';

const LIMITS = { maxHeaderBytes: 64 * 1024, maxParts: 1_000_000, maxPartBytes: 64 * 1024 * 1024, maxTotalBytes: 2 ** 31 };

/** What a site sent, as its agent logs it: kind, payload hash (over every part) and payload bytes. */
interface Sent {
  kind: 'submission' | 'decryption-share';
  payloadSha256: string;
  bytes: number;
}

/**
 * What left a site, as the hub recorded it, must be exactly what the site sent: every encrypted
 * update and partial decryption, with the same payload hash and size the agent's transfer log has.
 */
for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`what left a site on ${target.kind}`, { timeout: 120_000 }, () => {
    const harness = useDomainHarness(target);

    it('lists every accepted upload of the site, round by round, with the hashes and sizes it sent', async () => {
      // Arrange: a transport that logs what each site sends, as the agent's transfer log does.
      const sent = new Map<string, Sent[]>();
      const record = (site: SimulatedSite, kind: Sent['kind'], envelope: Uint8Array) => {
        const { parts } = decodeEnvelope(envelope, LIMITS);
        const log = sent.get(site.siteId) ?? [];
        log.push({ kind, payloadSha256: sha256Hex(parts), bytes: parts.reduce((n, p) => n + p.byteLength, 0) });
        sent.set(site.siteId, log);
      };
      const base = harness.transport;
      const logging: HubTransport = {
        ...base,
        submitUpdate: (site, envelope) => (record(site, 'submission', envelope), base.submitUpdate(site, envelope)),
        submitDecryptionShare: (site, envelope) => (record(site, 'decryption-share', envelope), base.submitDecryptionShare(site, envelope)),
      };
      const study = await setUpStudy(harness.hub.ctx, logging, { siteCrypto: harness.siteCrypto, sites: 3, spec: testStudySpec({ trainingRounds: 2 }) });

      // Act
      await driveStudy(study.sites, logging, study);
      const perSite = await Promise.all(study.sites.map((site) => listSiteUploads(harness.hub.ctx, { siteName: site.name, studyId: study.id })));

      // Assert: per site, the same uploads in the same order; rounds 0 (statistics) to 2.
      for (const [i, site] of study.sites.entries()) {
        const uploads = perSite[i]!;
        expect(uploads.map(({ kind, payloadSha256, bytes }) => ({ kind, payloadSha256, bytes }))).toEqual(sent.get(site.siteId));
        expect(uploads.filter((u) => u.kind === 'submission').map((u) => u.roundIndex)).toEqual([0, 1, 2]);
        expect(uploads.every((u) => u.studyId === study.id && u.studyName === study.spec.name)).toBe(true);
      }
      // t = 2 of the 3 members decrypt each of the three rounds.
      expect(perSite.flat().filter((u) => u.kind === 'decryption-share')).toHaveLength(2 * 3);
    });

    it('names an unknown site', async () => {
      const error = await rejectionOf(listSiteUploads(harness.hub.ctx, { siteName: 'No Such Hospital' }));
      expect(error).toMatchObject({ code: ErrorCode.NOT_FOUND, message: 'No site named "No Such Hospital"' });
    });
  });
}
