import { createHash, randomUUID } from 'node:crypto';
import { statisticsLayout } from '@consilium/data';
import { FedAvg } from '@consilium/fl/strategy';
import { AppError, ErrorCode } from '@consilium/errors';
import { createRng } from '@consilium/random';
import { encodeEnvelope, generateIdentity, sha256Hex, signPayload, signRequest, type Identity, type PayloadPurpose } from '@consilium/protocol';
import { checkPinnedRoster, readAggregate, readCeremonyKeyShares, readSubmissions, runCombineStage, runDealStage, runDecryptStage, runShareStage } from '@consilium/keyholder';
import type { DecryptTask, KeygenTask, RosterEntry, StudySpec, UploadHeader, VectorEncoding } from '@consilium/schemas';
import { encryptVector, packCiphertext } from '@consilium/secagg';
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

/** A committee member's key material for one study (the agent keeps the same on disk, 0600). */
interface KeyMaterial {
  epoch: number;
  roster: RosterEntry[];
  minSubmissions: number;
  /** s_i: dropped once the threshold key share exists. */
  secretShare: Uint8Array | null;
  boxPrivateKey: Uint8Array;
  boxPublicKey: Uint8Array;
  keyShare: Uint8Array | null;
}

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
  /** Decryptions this site refused (its local record of each no-oracle refusal). */
  readonly refusals: Array<{ roundId: string; reason: string }> = [];
  readonly #crypto: HubCrypto;
  /** Key material by study: what the agent keeps in its data directory. */
  readonly #keys = new Map<string, KeyMaterial>();
  readonly #decrypted = new Map<string, { set: string; shares: Uint8Array[] }>();
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

  /**
   * Stage `share` of the key ceremony: pins the roster and keeps s_i and the box key (for the same
   * epoch, a retry rebuilds the same upload from them, as the agent does).
   */
  async keyShare(task: KeygenTask): Promise<Uint8Array[]> {
    const context = await this.#crypto.context(task.ckks);
    const kept = this.#keys.get(task.studyId);
    const same = kept?.epoch === task.epoch && kept.secretShare && kept.boxPublicKey ? kept : undefined;
    const stage = runShareStage(context, task.crpSeed, same ? { secretShare: same.secretShare!, boxPrivateKey: same.boxPrivateKey, boxPublicKey: same.boxPublicKey } : undefined);
    this.#keys.set(task.studyId, {
      epoch: task.epoch,
      roster: task.roster,
      minSubmissions: task.minSubmissions,
      secretShare: stage.secretShare,
      boxPrivateKey: stage.boxPrivateKey,
      boxPublicKey: stage.parts[1],
      keyShare: null,
    });
    return stage.parts;
  }

  /** Stage `deal`: checks the committee's signed key material against the pinned roster, deals s_i. */
  async deal(task: KeygenTask, keySharesDownload: Uint8Array): Promise<Uint8Array[]> {
    const context = await this.#crypto.context(task.ckks);
    const keys = this.#material(task.studyId, task.epoch);
    checkPinnedRoster(keys.roster, task.roster);
    if (!keys.secretShare) throw new Error(`Simulated site "${this.name}" has no secret share left to deal`);
    return runDealStage(context, task, this.siteId, keys.secretShare, readCeremonyKeyShares(task, keys.roster, keySharesDownload));
  }

  /** Stage `combine`: keeps the threshold key share, forgets s_i, returns the public key hash to confirm. */
  async combine(task: KeygenTask, keySharesDownload: Uint8Array, dealtDownload: Uint8Array): Promise<string> {
    const context = await this.#crypto.context(task.ckks);
    const keys = this.#material(task.studyId, task.epoch);
    checkPinnedRoster(keys.roster, task.roster);
    const result = runCombineStage(context, task, this.siteId, keys.boxPrivateKey, readCeremonyKeyShares(task, keys.roster, keySharesDownload), dealtDownload);
    keys.keyShare = result.keyShare;
    keys.secretShare = null;
    return result.publicKeyHash;
  }

  /** Whether this site holds key material for a study yet. */
  hasSecretShare(studyId: string): boolean {
    return this.#keys.has(studyId);
  }

  /** The secret material this site holds for a study (tests look for it in the hub's database). */
  secrets(studyId: string): Uint8Array[] {
    const keys = this.#keys.get(studyId);
    if (!keys) throw new Error(`Simulated site "${this.name}" has no key material for study ${studyId}`);
    return [keys.secretShare, keys.keyShare, keys.boxPrivateKey].filter((s): s is Uint8Array => s !== null);
  }

  /** The threshold key share this site holds for a study (after the ceremony). */
  thresholdKeyShare(studyId: string): Uint8Array {
    const share = this.#keys.get(studyId)?.keyShare;
    if (!share) throw new Error(`Simulated site "${this.name}" has no threshold key share for study ${studyId}`);
    return share;
  }

  #material(studyId: string, epoch: number): KeyMaterial {
    const keys = this.#keys.get(studyId);
    if (!keys || keys.epoch !== epoch) throw new Error(`Simulated site "${this.name}" has no key material for study ${studyId}, epoch ${epoch}`);
    return keys;
  }

  /** What the agent uploads for a vector: CKKS ciphertexts under the collective key, or float64 bytes. */
  async encode(encoding: VectorEncoding, publicKey: Uint8Array | null, vector: Float64Array): Promise<Uint8Array[]> {
    if (vector.length !== encoding.length) throw new Error(`vector has ${vector.length} values, the round expects ${encoding.length}`);
    if (encoding.scheme === 'plaintext') return [new Uint8Array(vector.slice().buffer)];
    if (!publicKey) throw new Error('an encrypted round needs the collective public key');
    const context = await this.#crypto.context(encoding.ckks);
    return encryptVector(context, publicKey, vector, encoding.scaleBits).map((ciphertext) => packCiphertext(context, ciphertext, encoding.scaleBits));
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

  /**
   * This site's partial decryption of a sealed aggregate, after the same no-oracle check the agent
   * makes (throws DECRYPTION_REFUSED when the aggregate is not a sum of enough signed submissions).
   */
  async partialDecrypt(task: DecryptTask, ckks: StudySpec['privacy']['ckks'], aggregateDownload: Uint8Array, submissionsDownload: Uint8Array): Promise<Uint8Array[]> {
    // One share per aggregate, ever (as the agent): a second one for another decryptor set would
    // leak the key share (see chooseDecryptors in the domain).
    const set = task.decryptors.map((d) => d.point).join(',');
    const earlier = this.#decrypted.get(task.aggregateHash);
    if (earlier) {
      if (earlier.set === set) return earlier.shares;
      throw new AppError(ErrorCode.DECRYPTION_REFUSED, `Refusing to decrypt round ${task.roundIndex} again: this site already decrypted that aggregate for another decryptor set`);
    }
    const context = await this.#crypto.context(ckks);
    const keys = this.#material(task.studyId, task.epoch);
    if (!keys.keyShare) throw new Error(`Simulated site "${this.name}" has no threshold key share for study ${task.studyId}`);
    const shares = runDecryptStage(context, task, {
      selfSiteId: this.siteId,
      keyShare: keys.keyShare,
      pinned: { roster: keys.roster, minSubmissions: keys.minSubmissions },
      aggregate: readAggregate(task, aggregateDownload),
      submissions: readSubmissions(task, submissionsDownload),
    });
    this.#decrypted.set(task.aggregateHash, { set, shares });
    return shares;
  }

  /** A deterministic generator in [0, 1) seeded by this site's name and a label. */
  #random(label: string): () => number {
    return createRng(createHash('sha256').update(`${this.name}\n${label}`).digest().readUInt32LE(0));
  }

}
