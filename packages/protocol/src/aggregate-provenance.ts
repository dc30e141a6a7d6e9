import { AppError, ErrorCode } from '@consilium/errors';
import { sha256Hex } from './hashing.ts';
import { verifyPayloadSignature } from './payload-signing.ts';

/**
 * The check a decryption-committee member makes before it helps decrypt anything (no decryption
 * oracle): the aggregate it is asked to decrypt must be, chunk for chunk, the sum of at least
 * `minSubmissions` submissions of that round from distinct sites of the study's pinned roster, each
 * carrying its site's valid payload signature. A hub that presents one site's ciphertext, a sum of
 * too few, or a sum including anything unsigned is refused with DECRYPTION_REFUSED naming why.
 *
 * Cost: the member downloads every submission of the round (sites × model bytes) and re-adds them;
 * see docs/threat-model.md. The ciphertext addition is passed in, so this module stays free of the
 * cryptography package.
 */

export interface SignedSubmission {
  siteId: string;
  payloadSha256: string;
  signature: string;
  /** The submission's ciphertext chunks, in order. */
  parts: readonly Uint8Array[];
}

export interface ProvenanceCheck {
  studyId: string;
  roundId: string;
  roundIndex: number;
  /** siteId → base64 Ed25519 public key, pinned by this agent at the key ceremony. */
  roster: ReadonlyMap<string, string>;
  minSubmissions: number;
  submissions: readonly SignedSubmission[];
  /** The aggregate chunks this member is asked to decrypt. */
  aggregate: readonly Uint8Array[];
  /**
   * Reads a signed submission chunk (untrusted bytes: validating it) and adds it into the running sum
   * (null starts one); must be the hub's exact, deterministic reader and addition.
   */
  addPart: (sum: Uint8Array | null, part: Uint8Array) => Uint8Array;
}

function refuse(check: ProvenanceCheck, reason: string, details: Record<string, unknown> = {}): never {
  throw new AppError(ErrorCode.DECRYPTION_REFUSED, `Refusing to decrypt round ${check.roundIndex}: ${reason}`, {
    details: { studyId: check.studyId, roundId: check.roundId, ...details },
  });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Throws DECRYPTION_REFUSED unless the aggregate is provably a sum of enough signed submissions. */
export function checkAggregateProvenance(check: ProvenanceCheck): void {
  const { submissions, aggregate } = check;
  const seen = new Set<string>();
  for (const submission of submissions) {
    const publicKey = check.roster.get(submission.siteId);
    if (!publicKey) refuse(check, `the sum includes a submission from ${submission.siteId}, which is not a member of this study's pinned roster`, { siteId: submission.siteId });
    if (seen.has(submission.siteId)) refuse(check, `site ${submission.siteId} appears twice in the sum`, { siteId: submission.siteId });
    seen.add(submission.siteId);
    if (submission.parts.length !== aggregate.length) {
      refuse(check, `submission of site ${submission.siteId} has ${submission.parts.length} chunks; the aggregate has ${aggregate.length}`, { siteId: submission.siteId });
    }
    if (sha256Hex(submission.parts) !== submission.payloadSha256) {
      refuse(check, `the ciphertext presented as site ${submission.siteId}'s submission is not what that site signed (hash mismatch)`, { siteId: submission.siteId });
    }
    try {
      verifyPayloadSignature({
        publicKey,
        purpose: 'submission',
        studyId: check.studyId,
        roundId: check.roundId,
        siteId: submission.siteId,
        payloadSha256: submission.payloadSha256,
        signature: submission.signature,
      });
    } catch (error) {
      refuse(check, `the sum includes a ciphertext without a valid signature of site ${submission.siteId} for this round (${error instanceof Error ? error.message : String(error)})`, {
        siteId: submission.siteId,
      });
    }
  }
  if (submissions.length < check.minSubmissions) {
    refuse(check, `the aggregate would be the sum of ${submissions.length} submission(s); the study requires at least ${check.minSubmissions}`, {
      submissions: submissions.length,
      minSubmissions: check.minSubmissions,
    });
  }
  aggregate.forEach((chunk, index) => {
    let sum: Uint8Array | null = null;
    for (let s = 0; s < submissions.length; s++) {
      try {
        sum = check.addPart(sum, submissions[s]!.parts[index]!);
      } catch (error) {
        // A signed but malformed ciphertext (or a malformed aggregate) cannot be the sum's honest part.
        refuse(check, `chunk ${index} of the submissions cannot be added (${error instanceof Error ? error.message : String(error)})`, { chunk: index });
      }
    }
    if (sum === null || !sameBytes(sum, chunk)) {
      refuse(check, `aggregate chunk ${index} is not the sum of the ${submissions.length} signed submissions the hub listed`, { chunk: index });
    }
  });
}
