import { createHash, randomUUID } from 'node:crypto';
import { statisticsLayout } from '@consilium/data';
import { FedAvg } from '@consilium/fl/strategy';
import { createRng } from '@consilium/random';
import { encodeEnvelope, generateIdentity, sha256Hex, signPayload, signRequest, type Identity, type PayloadPurpose } from '@consilium/protocol';
import type { CkksParams, StudySpec, UploadHeader, VectorEncoding } from '@consilium/schemas';
import { createPublicKeyShare, encryptVector, generateSecretShare, partialDecrypt } from '@consilium/secagg';
import type { HubCrypto } from '../crypto.ts';

/** What the HTTP layer hands the API for one request (structurally `RequestInfo` of @consilium/api). */
export interface SignedRequest {
  method: string;
  path: string;
  /** SHA-256 of the exact body bytes "received". */
  bodySha256: string;
  headers: Headers;
  requestId: string;
}

/** A hospital's data as far as the protocol is concerned: how many training rows, how many positive. */
export interface SiteProfile {
  samples: number;
  positives: number;
}

/** One accepted contribution of a site to a round, kept to compute expected results. */
export interface Contribution {
  vector: Float64Array;
  /** The locally "trained" parameters (training rounds only). */
  parameters: Float32Array | null;
  numExamples: number;
}

const fedAvg = new FedAvg();

/**
 * A site agent without a dataset or TensorFlow: a real Ed25519 identity that signs requests and
 * payloads, a real CKKS secret share, and updates that go through the same encoding, encryption
 * and partial decryption as the agent's (apps/agent/src/tasks/*). Parameters are deterministic
 * pseudo-random numbers, so expected aggregates can be computed in float64.
 */
export class SimulatedSite {
  readonly name: string;
  readonly identity: Identity;
  readonly profile: SiteProfile;
  /** Accepted contributions by round id (filled by the driver once the hub acknowledged them). */
  readonly accepted = new Map<string, Contribution>();
  readonly #crypto: HubCrypto;
  readonly #secretShares = new Map<string, Uint8Array>();
  #siteId: string | null = null;

  constructor(init: { name: string; crypto: HubCrypto; profile: SiteProfile; identity?: Identity }) {
    this.name = init.name;
    this.#crypto = init.crypto;
    this.profile = init.profile;
    this.identity = init.identity ?? generateIdentity();
  }

  /** The id the hub gave this site at enrolment. */
  get siteId(): string {
    if (!this.#siteId) throw new Error(`Simulated site "${this.name}" has not enrolled yet`);
    return this.#siteId;
  }

  set siteId(id: string) {
    this.#siteId = id;
  }

  /**
   * Signs a request exactly as the agent's HubConnection does. `as` signs with other credentials
   * (another site's id or key) to build forged requests.
   */
  signRequest(input: { method: string; path: string; body?: Uint8Array | string; now: number; as?: { siteId?: string; privateKeyPem?: string } }): SignedRequest {
    const body = input.body ?? new Uint8Array(0);
    const headers = new Headers(
      signRequest({
        privateKeyPem: input.as?.privateKeyPem ?? this.identity.privateKeyPem,
        siteId: input.as?.siteId ?? this.siteId,
        method: input.method,
        path: input.path,
        body,
        now: input.now,
      }),
    );
    return { method: input.method, path: input.path, bodySha256: sha256Hex(body), headers, requestId: randomUUID() };
  }

  /**
   * An upload envelope as TaskContext.upload builds it. Options forge it: sign for another purpose,
   * declare another payload hash, or sign with another key.
   */
  envelope(
    kind: UploadHeader['kind'],
    studyId: string,
    roundId: string | null,
    parts: Uint8Array[],
    forge: { purpose?: PayloadPurpose; declaredSha256?: string; privateKeyPem?: string } = {},
  ): Uint8Array {
    const payloadSha256 = forge.declaredSha256 ?? sha256Hex(parts);
    const signature = signPayload({
      privateKeyPem: forge.privateKeyPem ?? this.identity.privateKeyPem,
      purpose: forge.purpose ?? kind,
      studyId,
      roundId,
      siteId: this.siteId,
      payloadSha256,
    });
    return encodeEnvelope({ kind, studyId, roundId, payloadSha256, signature }, parts);
  }

  /** This site's public-key share for a study's ceremony; the secret share is created once and kept here. */
  async keyShare(task: { studyId: string; crpSeed: string; ckks: CkksParams }): Promise<Uint8Array[]> {
    const context = await this.#crypto.context(task.ckks);
    let secret = this.#secretShares.get(task.studyId);
    if (!secret) {
      secret = generateSecretShare(context);
      this.#secretShares.set(task.studyId, secret);
    }
    return [createPublicKeyShare(context, secret, Buffer.from(task.crpSeed, 'hex'))];
  }

  /** Whether this site has made its secret share for a study yet. */
  hasSecretShare(studyId: string): boolean {
    return this.#secretShares.has(studyId);
  }

  /** The secret share this site holds for a study (tests look for it in the hub's database). */
  secretShare(studyId: string): Uint8Array {
    const secret = this.#secretShares.get(studyId);
    if (!secret) throw new Error(`Simulated site "${this.name}" has no secret share for study ${studyId}`);
    return secret;
  }

  /** What the agent uploads for a vector: CKKS ciphertexts under the collective key, or float64 bytes. */
  async encode(encoding: VectorEncoding, publicKey: Uint8Array | null, vector: Float64Array): Promise<Uint8Array[]> {
    if (vector.length !== encoding.length) throw new Error(`vector has ${vector.length} values, the round expects ${encoding.length}`);
    if (encoding.scheme === 'plaintext') return [new Uint8Array(vector.slice().buffer)];
    if (!publicKey) throw new Error('an encrypted round needs the collective public key');
    const context = await this.#crypto.context(encoding.ckks);
    return encryptVector(context, publicKey, vector, encoding.scaleBits);
  }

  /**
   * This site's statistics-round vector (layout of @consilium/data's localStatistics): for each
   * numeric feature Σz and Σz² of values scaled to [0, 1], then the row and positive counts.
   */
  statsVector(spec: StudySpec): Float64Array {
    const layout = statisticsLayout(spec.data);
    const vector = new Float64Array(layout.length);
    const random = this.#random('stats');
    const n = this.profile.samples;
    for (const slot of layout.numeric) {
      const mean = 0.2 + 0.6 * random();
      const variance = 0.01 + 0.05 * random();
      vector[slot.sumIndex] = n * mean;
      vector[slot.sumOfSquaresIndex] = n * (mean * mean + variance);
    }
    vector[layout.countIndex] = n;
    vector[layout.positivesIndex] = this.profile.positives;
    return vector;
  }

  /**
   * A training-round update: "locally trained" parameters in [−1, 1] (deterministic per site and
   * round), encoded for weighted FedAvg exactly as the agent does.
   */
  trainUpdate(spec: StudySpec, task: { roundIndex: number; totalSamples: number; encoding: VectorEncoding }): Contribution {
    const random = this.#random(`train ${task.roundIndex}`);
    // FedAvg's vector is the P parameters, then the weight and the weighted loss.
    const parameterCount = task.encoding.length - fedAvg.vectorLength(0);
    const parameters = Float32Array.from({ length: parameterCount }, () => 2 * random() - 1);
    const trainLoss = 0.3 + 0.4 * random();
    const { vector } = fedAvg.encodeUpdate(
      { parameters, numExamples: this.profile.samples, trainLoss },
      { totalSamples: task.totalSamples, maxAbsParameter: spec.privacy.maxAbsParameter },
    );
    return { vector, parameters, numExamples: this.profile.samples };
  }

  /** This site's partial decryption of each chunk of a sealed aggregate. */
  async partialDecrypt(studyId: string, ckks: CkksParams, aggregate: Uint8Array[]): Promise<Uint8Array[]> {
    const context = await this.#crypto.context(ckks);
    const secret = this.secretShare(studyId);
    return aggregate.map((chunk) => partialDecrypt(context, secret, chunk));
  }

  /** A deterministic generator in [0, 1) seeded by this site's name and a label. */
  #random(label: string): () => number {
    return createRng(createHash('sha256').update(`${this.name}\n${label}`).digest().readUInt32LE(0));
  }

}
