import type { GlobalStatistics } from '@consilium/data';
import { AppError, ErrorCode } from '@consilium/errors';
import { claimPayloadHash, decodeEnvelope, encodeEnvelope, sha256Hex, signPayload } from '@consilium/protocol';
import { StudySpec, type CkksParams, type ContributionClaim } from '@consilium/schemas';
import { createCkksContext, type CkksContext } from '@consilium/secagg';
import type { Logger } from 'pino';
import type { AgentFiles } from '../agent-files.ts';
import { datasetFor, type AgentConfig } from '../config.ts';
import { describeHubError, isDeferred, isTransient, type HubConnection } from '../hub-connection.ts';
import type { Progress } from '../progress.ts';
import { StudyData } from '../study-data.ts';
import { StudyKeys } from '../study-keys.ts';
import { StudyState, type OutboxItem } from '../study-state.ts';
import type { TransferLog } from '../transfer-log.ts';
import type { SiteBehaviour } from '../behaviour.ts';

export interface StudyContext {
  spec: StudySpec;
  statistics: GlobalStatistics | null;
  data: StudyData;
}

/**
 * What every task handler uses: the hub connection, local files and state, and caches that live
 * for the agent process (study data, CKKS contexts, downloaded keys and models).
 */
export class TaskContext {
  readonly files: AgentFiles;
  readonly config: AgentConfig;
  readonly hub: HubConnection;
  readonly logger: Logger;
  readonly progress: Progress;
  readonly transfers: TransferLog;
  readonly privateKeyPem: string;
  /** How this site deviates from the protocol: nothing, except in the contribution benchmark (behaviour.ts). */
  readonly behaviour: SiteBehaviour;
  readonly #studies = new Map<string, { data: StudyData; spec: StudySpec; statistics: GlobalStatistics | null }>();
  readonly #contexts = new Map<string, Promise<CkksContext>>();
  readonly #publicKeys = new Map<string, Uint8Array>();
  #model: { id: string; parameters: Float32Array } | null = null;

  constructor(init: { files: AgentFiles; config: AgentConfig; hub: HubConnection; logger: Logger; progress: Progress; transfers: TransferLog; privateKeyPem: string; behaviour?: SiteBehaviour | undefined }) {
    this.files = init.files;
    this.config = init.config;
    this.hub = init.hub;
    this.logger = init.logger;
    this.progress = init.progress;
    this.transfers = init.transfers;
    this.privateKeyPem = init.privateKeyPem;
    this.behaviour = init.behaviour ?? {};
  }

  get siteId(): string {
    return this.config.siteId;
  }

  state(studyId: string): StudyState {
    return new StudyState(this.files, studyId);
  }

  /** The study's key material (pinned ceremonies, ceremony secrets, threshold key shares). */
  keys(studyId: string): StudyKeys {
    return new StudyKeys(this.files, studyId);
  }

  /** The study's spec, local data and (once known) consortium statistics. */
  async study(studyId: string): Promise<StudyContext> {
    let cached = this.#studies.get(studyId);
    if (!cached || cached.statistics === null) {
      const view = await this.hub.client.agent.study.query({ studyId });
      const spec = StudySpec.parse(view.spec);
      const data = cached?.data ?? (await StudyData.load(spec, datasetFor(this.config, studyId)));
      cached = { data, spec, statistics: (view.statistics as GlobalStatistics | null) ?? null };
      this.#studies.set(studyId, cached);
    }
    return cached;
  }

  ckks(params: CkksParams): Promise<CkksContext> {
    const key = JSON.stringify(params);
    let context = this.#contexts.get(key);
    if (!context) {
      context = createCkksContext(params);
      this.#contexts.set(key, context);
    }
    return context;
  }

  /** The study's collective public key, fetched once and checked against the hash the task names. */
  async publicKey(studyId: string, expectedHash: string | undefined): Promise<Uint8Array> {
    if (!expectedHash) throw new AppError(ErrorCode.INVALID_INPUT, 'The hub did not say which collective key to encrypt under');
    const cached = this.#publicKeys.get(expectedHash);
    if (cached) return cached;
    const { bytes } = await this.hub.download(`/v1/studies/${studyId}/public-key`);
    const actual = sha256Hex(bytes);
    if (actual !== expectedHash) {
      throw new AppError(ErrorCode.INVALID_CIPHERTEXT, `The collective public key served by the hub (${actual.slice(0, 12)}…) is not the one the study agreed on (${expectedHash.slice(0, 12)}…); refusing to encrypt`);
    }
    this.#publicKeys.set(expectedHash, bytes);
    return bytes;
  }

  /** A global model's parameters, checked against the hash the hub publishes with them. */
  async modelParameters(modelVersionId: string): Promise<Float32Array> {
    if (this.#model?.id === modelVersionId) return this.#model.parameters;
    const { bytes, headers } = await this.hub.download(`/v1/models/${modelVersionId}/parameters`);
    const declared = headers.get('x-consilium-sha256');
    if (declared && declared !== sha256Hex(bytes)) throw new AppError(ErrorCode.INVALID_INPUT, `Model ${modelVersionId} arrived corrupted (hash mismatch)`);
    if (bytes.byteLength % 4 !== 0) throw new AppError(ErrorCode.INVALID_INPUT, `Model ${modelVersionId} is not a float32 vector`);
    const parameters = new Float32Array(bytes.slice().buffer);
    this.#model = { id: modelVersionId, parameters };
    return parameters;
  }

  /**
   * Signs, stores and sends an upload. The envelope is written to the study's outbox first, so if
   * the agent stops before the hub acknowledges it, the same bytes are re-sent on restart (the hub
   * treats an identical re-send as a no-op). `slot` tells a key epoch's or decryption attempt's
   * upload from another's (see OutboxItem).
   */
  /**
   * Signs and reports what this site did in a round, for contribution accounting (counts only: rows,
   * labels per class, epochs). Sent before the round's upload, so the hub has it when it settles the
   * round; the same claim sent again is a no-op, so a retried task may send it again.
   */
  async reportClaim(studyId: string, roundId: string, claim: ContributionClaim): Promise<void> {
    const payloadSha256 = claimPayloadHash({ roundId, claim });
    const signature = signPayload({ privateKeyPem: this.privateKeyPem, purpose: 'claim', studyId, roundId, siteId: this.siteId, payloadSha256 });
    await this.hub.client.agent.reportClaim.mutate({ studyId, roundId, claim, signature });
    await this.transfers.append({ kind: 'claim', studyId, roundId, bytes: JSON.stringify(claim).length, sha256: payloadSha256 });
  }

  async upload(kind: OutboxItem['kind'], studyId: string, roundId: string | null, parts: Uint8Array[], slot: string | null = null): Promise<void> {
    const stored = await this.state(studyId).existing(kind, roundId, slot);
    if (stored) return this.send(studyId, stored);
    const payloadSha256 = sha256Hex(parts);
    const signature = signPayload({ privateKeyPem: this.privateKeyPem, purpose: kind, studyId, roundId, siteId: this.siteId, payloadSha256 });
    const envelope = encodeEnvelope({ kind, studyId, roundId, payloadSha256, signature }, parts);
    const item = await this.state(studyId).enqueue(kind, roundId, slot, envelope);
    await this.send(studyId, item);
  }

  /**
   * Like `upload`, for parts produced one at a time (a large model's ciphertexts): each part is
   * hashed and written to disk as it comes, so the parts are never all in memory while they are made;
   * the envelope is then assembled on disk and read once to be sent.
   */
  async uploadStreamed(kind: OutboxItem['kind'], studyId: string, roundId: string | null, parts: Iterable<Uint8Array>, slot: string | null = null): Promise<void> {
    const state = this.state(studyId);
    const stored = await state.existing(kind, roundId, slot);
    if (stored) return this.send(studyId, stored);
    const item = await state.enqueueStreamed(kind, roundId, slot, parts, (payloadSha256) => ({
      kind,
      studyId,
      roundId,
      payloadSha256,
      signature: signPayload({ privateKeyPem: this.privateKeyPem, purpose: kind, studyId, roundId, siteId: this.siteId, payloadSha256 }),
    }));
    await this.send(studyId, item);
  }

  /**
   * The upload already built for this ceremony stage or decryption attempt, if any: key shares,
   * dealings and decryption shares are re-sent byte for byte, never recomputed (see StudyState).
   */
  async storedUpload(kind: OutboxItem['kind'], studyId: string, roundId: string | null, slot: string | null): Promise<OutboxItem | null> {
    return this.state(studyId).existing(kind, roundId, slot);
  }

  /**
   * Sends one stored upload. When the hub answers — accepted, or refused for good — it moves to
   * sent/ and the transfer log records it; on a transient failure — or while the study is paused,
   * or not approved by this site — it stays in the outbox.
   */
  async send(studyId: string, item: OutboxItem): Promise<void> {
    const wireBytes = item.envelope.byteLength;
    // The size and hash the hub records for the same upload, so the two logs can be matched.
    const { header, parts } = decodeEnvelope(item.envelope, { maxHeaderBytes: 16384, maxParts: 1e7, maxPartBytes: 2 ** 31, maxTotalBytes: 2 ** 40 });
    const payloadSha256 = (header as { payloadSha256: string }).payloadSha256;
    const bytes = parts.reduce((n, p) => n + p.byteLength, 0);
    try {
      const receipt = await this.#submit(item);
      await this.transfers.append({ kind: item.kind, studyId, roundId: item.roundId, bytes, wireBytes, sha256: payloadSha256, accepted: true, duplicate: receipt.duplicate });
      await this.state(studyId).done(item);
      this.logger.info({ kind: item.kind, studyId, roundId: item.roundId, bytes, duplicate: receipt.duplicate }, 'upload accepted');
    } catch (error) {
      if (!isTransient(error) && !isDeferred(error)) {
        await this.transfers.append({ kind: item.kind, studyId, roundId: item.roundId, bytes, wireBytes, sha256: payloadSha256, accepted: false, error: describeHubError(error) });
        await this.state(studyId).done(item);
      }
      throw error;
    }
  }

  #submit(item: OutboxItem): Promise<{ duplicate: boolean }> {
    const agent = this.hub.client.agent;
    switch (item.kind) {
      case 'keyshare':
        return agent.submitKeyShare.mutate(item.envelope);
      case 'dealing':
        return agent.submitDealing.mutate(item.envelope);
      case 'submission':
        return agent.submitUpdate.mutate(item.envelope);
      case 'decryption-share':
        return agent.submitDecryptionShare.mutate(item.envelope);
    }
  }
}
