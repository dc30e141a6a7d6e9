import { randomUUID } from 'node:crypto';
import { testDatabaseTargets } from '@consilium/db/testing';
import { advanceDeadlines, HubCrypto, revokeSite, type DomainContext } from '@consilium/domain';
import {
  createTestHub,
  currentRound,
  refusalOf,
  setUpStudy,
  SimulatedSite,
  type SignedRequest,
  type TestHub,
  type TestStudy,
} from '@consilium/domain/testing';
import { ErrorCode } from '@consilium/errors';
import { sha256Hex } from '@consilium/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpStatusOf } from './errors.ts';
import { apiTransport, binaryBody, callerFor, unsignedRequest } from './testing/api-transport.ts';

/**
 * Every agent call is signed (Ed25519 over method, path, body hash, time and nonce). A valid,
 * correctly signed-for submission is sent with each kind of broken signature: each is refused with
 * its own error code and a message saying what is wrong, and nothing the hub stores changes. The
 * same submission, properly signed, is then accepted — so the refusals were the signature's doing.
 */
const PATH = '/trpc/agent.submitUpdate';

for (const target of testDatabaseTargets()) {
  describe.skipIf(target.skipReason !== null)(`signed agent requests on ${target.kind}`, { timeout: 60_000 }, () => {
    let hub: TestHub;
    let siteCrypto: HubCrypto;
    let domain: DomainContext;
    let study: TestStudy;
    let site: SimulatedSite;
    let envelope: Uint8Array;

    beforeAll(async () => {
      hub = await createTestHub(target);
      domain = hub.ctx;
      siteCrypto = new HubCrypto();
      const transport = apiTransport(domain);
      study = await setUpStudy(domain, transport, { siteCrypto, sites: 3 });
      site = study.sites[0]!;
      const round = await currentRound(domain, study.id);
      const parts = await site.encode(round.encoding, await transport.publicKey(site, study.id), site.statsVector(study.spec));
      envelope = site.envelope('submission', study.id, round.row.id, parts);
    }, 60_000);
    afterAll(async () => {
      await siteCrypto?.dispose();
      await hub?.close();
    });

    const sign = (overrides: { body?: Uint8Array; path?: string; now?: number; as?: { siteId?: string; privateKeyPem?: string }; by?: SimulatedSite } = {}) =>
      (overrides.by ?? site).signRequest({ method: 'POST', path: overrides.path ?? PATH, body: overrides.body ?? envelope, now: overrides.now ?? hub.clock.ms(), as: overrides.as });
    /** Sends `envelope` to submitUpdate: the path and body hash are those of what is sent, whatever was signed. */
    const submit = (request: SignedRequest) =>
      callerFor(domain, { ...request, path: PATH, bodySha256: sha256Hex(envelope) }).agent.submitUpdate(binaryBody(envelope));
    const expectRefused = async (request: SignedRequest, code: ErrorCode, message: string) => {
      const { error, changedTables } = await refusalOf(domain.db, () => submit(request));
      expect(error.code).toBe(code);
      expect(error.message).toContain(message);
      expect(httpStatusOf(error.code)).toBe(401);
      expect(changedTables).toEqual([]);
    };

    it('refuses an unsigned request', async () => {
      await expectRefused(unsignedRequest({ method: 'POST', path: PATH, body: envelope }), ErrorCode.UNAUTHENTICATED, 'needs a signed agent request');
    });

    it('refuses a request missing one of the signature headers, naming it', async () => {
      const request = sign();
      request.headers.delete('x-consilium-nonce');
      await expectRefused(request, ErrorCode.INVALID_SIGNATURE, 'missing header(s) x-consilium-nonce');
    });

    it('refuses a signature that was altered', async () => {
      const request = sign();
      const signature = Buffer.from(request.headers.get('x-consilium-signature')!, 'base64');
      signature[10] = signature[10]! ^ 0x01;
      request.headers.set('x-consilium-signature', signature.toString('base64'));
      await expectRefused(request, ErrorCode.INVALID_SIGNATURE, 'does not verify');
    });

    it('refuses a request whose body is not the one signed', async () => {
      const other = envelope.slice();
      other[other.length - 1] = other[other.length - 1]! ^ 0xff;
      await expectRefused(sign({ body: other }), ErrorCode.INVALID_SIGNATURE, 'the body, path or headers differ from what was signed');
    });

    it('refuses a request signed for another procedure', async () => {
      await expectRefused(sign({ path: '/trpc/agent.submitKeyShare' }), ErrorCode.INVALID_SIGNATURE, 'does not verify');
    });

    it("refuses a request signed with another site's key", async () => {
      const other = study.sites[1]!;
      await expectRefused(sign({ by: other, as: { siteId: site.siteId } }), ErrorCode.INVALID_SIGNATURE, `from site ${site.siteId} does not verify`);
    });

    it('refuses a site the hub does not know', async () => {
      const stranger = new SimulatedSite({ name: 'Stranger', crypto: siteCrypto, profile: { samples: 1, positives: 0 } });
      stranger.siteId = randomUUID();
      await expectRefused(sign({ by: stranger }), ErrorCode.INVALID_SIGNATURE, 'Unknown site');
    });

    it('refuses a timestamp outside the skew window, in the past and in the future', async () => {
      const skew = domain.limits.maxClockSkewMs;
      await expectRefused(sign({ now: hub.clock.ms() - skew - 1000 }), ErrorCode.STALE_REQUEST, 's behind the hub clock');
      await expectRefused(sign({ now: hub.clock.ms() + skew + 1000 }), ErrorCode.STALE_REQUEST, 's ahead of the hub clock');
    });

    it('accepts the same submission properly signed (within the skew), then refuses its replay, also once the nonce is forgotten', async () => {
      const request = sign({ now: hub.clock.ms() - domain.limits.maxClockSkewMs + 1000 });
      const receipt = await submit(request);
      expect(receipt).toMatchObject({ duplicate: false, submissionsSoFar: 1 });

      await expectRefused(request, ErrorCode.REPLAYED_REQUEST, 'replayed nonce');
      // Nonces are pruned after twice the skew window; by then the timestamp alone refuses the replay.
      hub.clock.advance(2 * domain.limits.maxClockSkewMs + 1000);
      await advanceDeadlines(domain);
      await expectRefused(request, ErrorCode.STALE_REQUEST, 'behind the hub clock');
    });

    it('refuses a revoked site at once, even with a valid signature', async () => {
      const revoked = study.sites[2]!;
      await revokeSite(domain, { siteName: revoked.name, actor: 'admin:test', reason: 'identity key reported lost' });
      const request = revoked.signRequest({ method: 'POST', path: PATH, body: envelope, now: hub.clock.ms() });
      const { error, changedTables } = await refusalOf(domain.db, () => submit(request));
      expect(error.code).toBe(ErrorCode.FORBIDDEN);
      expect(error.message).toContain('has been revoked');
      expect(changedTables).toEqual([]);
    });
  });
}
