import { randomUUID } from 'node:crypto';
import { AppError, ErrorCode } from '@consilium/errors';
import { describe, expect, it } from 'vitest';
import { checkAggregateProvenance, type ProvenanceCheck, type SignedSubmission } from './aggregate-provenance.ts';
import { sha256Hex } from './hashing.ts';
import { generateIdentity } from './identity.ts';
import { signPayload } from './payload-signing.ts';

/** Byte-wise addition mod 256 stands in for ciphertext addition: deterministic and order-free, like the hub's. */
const add = (a: Uint8Array, b: Uint8Array) => Uint8Array.from(a, (x, i) => (x + b[i]!) & 0xff);
const addPart = (sum: Uint8Array | null, part: Uint8Array) => (sum === null ? part.slice() : add(sum, part));

const studyId = randomUUID();
const roundId = randomUUID();
const sites = Array.from({ length: 4 }, () => ({ id: randomUUID(), identity: generateIdentity() }));
const roster = new Map(sites.map((s) => [s.id, s.identity.publicKey]));

function submission(site: (typeof sites)[number], parts: Uint8Array[], signer = site.identity.privateKeyPem): SignedSubmission {
  const payloadSha256 = sha256Hex(parts);
  return { siteId: site.id, payloadSha256, parts, signature: signPayload({ privateKeyPem: signer, purpose: 'submission', studyId, roundId, siteId: site.id, payloadSha256 }) };
}

const chunks = sites.map((_, i) => [Uint8Array.of(i + 1, 10 * i), Uint8Array.of(3 * i, 7)]);
const honest = sites.map((site, i) => submission(site, chunks[i]!));
const sumOf = (subs: SignedSubmission[]) => subs[0]!.parts.map((_, c) => subs.slice(1).reduce((acc, s) => add(acc, s.parts[c]!), subs[0]!.parts[c]!));

function check(overrides: Partial<ProvenanceCheck>): ProvenanceCheck {
  return { studyId, roundId, roundIndex: 3, roster, minSubmissions: 3, submissions: honest, aggregate: sumOf(honest), addPart, ...overrides };
}

function refusal(input: ProvenanceCheck): AppError {
  try {
    checkAggregateProvenance(input);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe(ErrorCode.DECRYPTION_REFUSED);
    return error as AppError;
  }
  throw new Error('expected a refusal');
}

describe('checkAggregateProvenance', () => {
  it('accepts the exact sum of enough signed submissions from distinct roster sites', () => {
    expect(() => checkAggregateProvenance(check({}))).not.toThrow();
    expect(() => checkAggregateProvenance(check({ submissions: honest.slice(0, 3), aggregate: sumOf(honest.slice(0, 3)) }))).not.toThrow();
  });

  it("refuses one site's ciphertext presented as the aggregate", () => {
    expect(refusal(check({ aggregate: honest[0]!.parts })).message).toBe('Refusing to decrypt round 3: aggregate chunk 0 is not the sum of the 4 signed submissions the hub listed');
  });

  it('refuses a sum of fewer submissions than the minimum, even when it is exact', () => {
    const two = honest.slice(0, 2);
    expect(refusal(check({ submissions: two, aggregate: sumOf(two) })).message).toContain('the aggregate would be the sum of 2 submission(s); the study requires at least 3');
  });

  it('refuses a submission signed with another key, or whose bytes differ from what was signed', () => {
    const forged = submission(sites[3]!, chunks[3]!, generateIdentity().privateKeyPem);
    const withForged = [...honest.slice(0, 3), forged];
    expect(refusal(check({ submissions: withForged, aggregate: sumOf(withForged) })).message).toContain(`without a valid signature of site ${sites[3]!.id}`);
    const altered = { ...honest[1]!, parts: [Uint8Array.of(9, 9), honest[1]!.parts[1]!] };
    const withAltered = [honest[0]!, altered, honest[2]!];
    expect(refusal(check({ submissions: withAltered, aggregate: sumOf(withAltered) })).message).toContain('is not what that site signed');
  });

  it('refuses a site outside the pinned roster, or the same site twice', () => {
    const stranger = { id: randomUUID(), identity: generateIdentity() };
    const withStranger = [...honest.slice(0, 2), submission(stranger, chunks[2]!)];
    expect(refusal(check({ submissions: withStranger, aggregate: sumOf(withStranger) })).message).toContain('not a member of this study');
    const twice = [honest[0]!, honest[1]!, honest[1]!];
    expect(refusal(check({ submissions: twice, aggregate: sumOf(twice) })).message).toContain('appears twice');
  });

  it('refuses a submission with the wrong number of chunks', () => {
    const short = { ...honest[2]!, parts: honest[2]!.parts.slice(0, 1) };
    expect(refusal(check({ submissions: [honest[0]!, honest[1]!, short] })).message).toContain('has 1 chunks; the aggregate has 2');
  });
});
