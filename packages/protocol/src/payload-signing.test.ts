import { verify } from 'node:crypto';
import { ErrorCode } from '@consilium/errors';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './hashing.ts';
import { generateIdentity, parsePublicKey } from './identity.ts';
import { PAYLOAD_PURPOSES, signPayload, verifyPayloadSignature } from './payload-signing.ts';
import type { PayloadStatement } from './payload-signing.ts';
import { catchAppError } from './test-utils.ts';

const identity = generateIdentity();
const statement: PayloadStatement = {
  purpose: 'submission',
  studyId: '0b7e4a52-3c1d-4f6e-8a9b-1c2d3e4f5a6b',
  roundId: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a',
  siteId: '6f1c2b1e-8a43-4d8e-9b0a-2f5d3c7e9a10',
  payloadSha256: sha256Hex('ciphertext bytes'),
};
const signature = signPayload({ ...statement, privateKeyPem: identity.privateKeyPem });

describe('payload signatures', () => {
  it('verify for the statement that was signed, for every purpose', () => {
    for (const purpose of PAYLOAD_PURPOSES) {
      const roundId = purpose === 'keyshare' ? null : statement.roundId;
      const signed = signPayload({ ...statement, purpose, roundId, privateKeyPem: identity.privateKeyPem });
      expect(() => verifyPayloadSignature({ ...statement, purpose, roundId, publicKey: identity.publicKey, signature: signed })).not.toThrow();
    }
  });

  it('sign the documented string, so an auditor can check them with any Ed25519 library', () => {
    const expected = ['CONSILIUM-PAYLOAD-V1', 'submission', statement.studyId, statement.roundId, statement.siteId, statement.payloadSha256];
    const bytes = Buffer.from(expected.join('\n'));
    expect(verify(null, bytes, parsePublicKey(identity.publicKey), Buffer.from(signature, 'base64'))).toBe(true);

    const noRound = signPayload({ ...statement, purpose: 'keyshare', roundId: null, privateKeyPem: identity.privateKeyPem });
    const noRoundBytes = Buffer.from(['CONSILIUM-PAYLOAD-V1', 'keyshare', statement.studyId, '-', statement.siteId, statement.payloadSha256].join('\n'));
    expect(verify(null, noRoundBytes, parsePublicKey(identity.publicKey), Buffer.from(noRound, 'base64'))).toBe(true);
  });

  describe('are bound to their context', () => {
    const moved: Record<string, Partial<PayloadStatement>> = {
      'a submission presented as a key share': { purpose: 'keyshare' },
      'a submission presented as a decryption share': { purpose: 'decryption-share' },
      'another study': { studyId: '1b7e4a52-3c1d-4f6e-8a9b-1c2d3e4f5a6b' },
      'another round': { roundId: '0d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a' },
      'no round': { roundId: null },
      'another site': { siteId: '7f1c2b1e-8a43-4d8e-9b0a-2f5d3c7e9a10' },
      'another payload': { payloadSha256: sha256Hex('other ciphertext bytes') },
    };
    for (const [what, change] of Object.entries(moved)) {
      it(`rejects ${what}`, () => {
        const error = catchAppError(
          () => verifyPayloadSignature({ ...statement, ...change, publicKey: identity.publicKey, signature }),
          ErrorCode.INVALID_SIGNATURE,
        );
        expect(error.message).toMatch(/does not verify/);
      });
    }
  });

  it('reject another site key', () => {
    const other = generateIdentity();
    catchAppError(() => verifyPayloadSignature({ ...statement, publicKey: other.publicKey, signature }), ErrorCode.INVALID_SIGNATURE);
  });

  it('reject a malformed signature, naming the payload', () => {
    const error = catchAppError(
      () => verifyPayloadSignature({ ...statement, publicKey: identity.publicKey, signature: signature.slice(0, -4) }),
      ErrorCode.INVALID_SIGNATURE,
    );
    expect(error.message).toMatch(/submission payload of site 6f1c2b1e-.* is not canonical base64 of 64 bytes/);
  });

  it('refuse statements whose fields could be confused', () => {
    const sign = (change: Partial<PayloadStatement>): string =>
      signPayload({ ...statement, ...change, privateKeyPem: identity.privateKeyPem });
    // A round literally named "-" would be indistinguishable from "no round".
    expect(catchAppError(() => sign({ roundId: '-' }), ErrorCode.INVALID_INPUT).message).toMatch(/roundId "-" cannot be signed/);
    catchAppError(() => sign({ studyId: 'study\nkeyshare' }), ErrorCode.INVALID_INPUT);
    catchAppError(() => sign({ siteId: '' }), ErrorCode.INVALID_INPUT);
    catchAppError(() => sign({ payloadSha256: 'abc' }), ErrorCode.INVALID_INPUT);
    const unknownPurpose = { purpose: 'model' } as unknown as Partial<PayloadStatement>;
    expect(catchAppError(() => sign(unknownPurpose), ErrorCode.INVALID_INPUT).message).toMatch(/Unknown payload purpose "model"/);
  });
});
