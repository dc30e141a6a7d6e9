import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { performTask, type HubTransport, type PollAnswer, type SimulatedSite, type StudyUnderTest } from '@consilium/domain/testing';
import { sha256Hex } from '@consilium/protocol';
import type { StatsTask, TrainTask } from '@consilium/schemas';

/** One update a simulated agent uploaded: the client-side latency of the request, and the hub's receipt. */
export interface UploadRecord {
  site: string;
  roundId: string;
  kind: 'stats' | 'train';
  bytes: number;
  /** The site's own work before the upload (encoding, encryption, signing), in this shared process. */
  prepareMs: number;
  /** When the request started and ended (performance.now()). */
  startedAt: number;
  endedAt: number;
  latencyMs: number;
  accepted: boolean;
  duplicate: boolean;
}

/**
 * Holds every agent's upload of a round until all `expected` agents have prepared theirs (encoded
 * and, under CKKS, encrypted), then lets them go at once: 200 uploads arrive together, as they
 * would from 200 hospitals that finished training at about the same time — rather than one after
 * another at the pace this one process can encrypt. Released anyway after `timeoutMs`.
 */
export class RoundBarrier {
  readonly #expected: number;
  readonly #timeoutMs: number;
  readonly #rounds = new Map<string, { ready: number; release: () => void; released: Promise<void>; firstReadyAt: number; releasedAt: number | null }>();

  constructor(expected: number, timeoutMs: number) {
    this.#expected = expected;
    this.#timeoutMs = timeoutMs;
  }

  async arrive(roundId: string): Promise<void> {
    let round = this.#rounds.get(roundId);
    if (!round) {
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const entry = { ready: 0, release, released, firstReadyAt: performance.now(), releasedAt: null as number | null };
      const timer = setTimeout(() => this.#open(entry), this.#timeoutMs);
      timer.unref();
      void released.then(() => clearTimeout(timer));
      this.#rounds.set(roundId, (round = entry));
    }
    round.ready += 1;
    if (round.ready >= this.#expected) this.#open(round);
    await round.released;
  }

  /** When the round's uploads were let go (performance.now()), and how many agents were ready then. */
  released(roundId: string): { at: number | null; ready: number } {
    const round = this.#rounds.get(roundId);
    return { at: round?.releasedAt ?? null, ready: round?.ready ?? 0 };
  }

  #open(round: { release: () => void; releasedAt: number | null }): void {
    round.releasedAt ??= performance.now();
    round.release();
  }
}

/**
 * One simulated agent's life: long-poll its hub, perform its tasks the way the agent does
 * (@consilium/domain/testing's performTask: key ceremony, partial decryption), and for statistics
 * and training rounds prepare the upload, wait at the barrier, upload it and record the receipt.
 * Ends when its study is over or `signal` aborts. A failed call is retried after a second (the
 * agent's behaviour); the transport has recorded it as an error.
 */
export async function runLoadAgent(input: {
  site: SimulatedSite;
  transport: HubTransport & { poll(site: SimulatedSite): Promise<PollAnswer> };
  study: StudyUnderTest;
  barrier: RoundBarrier;
  uploads: UploadRecord[];
  signal: AbortSignal;
}): Promise<void> {
  const { site, transport, study, signal } = input;
  let publicKey: Uint8Array | null = null;
  const uploaded = new Set<string>();
  // The agent's outbox: a retry re-sends the same bytes (a fresh encryption would conflict with an accepted one).
  const outbox = new Map<string, { envelope: Uint8Array; prepareMs: number }>();
  while (!signal.aborted) {
    let answer: PollAnswer;
    try {
      answer = await transport.poll(site);
    } catch {
      if (signal.aborted) return;
      await sleep(1000);
      continue;
    }
    const status = answer.studies.find((s) => s.studyId === study.id)?.status;
    if (status === 'completed' || status === 'failed') return;
    const tasks = answer.tasks.filter((t) => t.studyId === study.id && t.kind !== 'evaluate' && !((t.kind === 'stats' || t.kind === 'train') && uploaded.has(t.roundId)));
    // Only work this simulated agent leaves alone (evaluations): don't spin on it.
    if (tasks.length === 0 && answer.tasks.length > 0) await sleep(1000);
    for (const task of tasks) {
      try {
        if (task.kind === 'stats' || task.kind === 'train') {
          if (task.encoding.scheme === 'ckks-multiparty' && publicKey === null) {
            publicKey = await transport.publicKey(site, study.id);
            if (sha256Hex(publicKey) !== task.publicKeyHash) throw new Error(`the hub served another collective key for study ${study.id}`);
          }
          input.uploads.push(await upload(site, transport, study, task, publicKey, input.barrier, outbox));
          uploaded.add(task.roundId);
        } else {
          await performTask(site, transport, study, task);
        }
      } catch {
        if (signal.aborted) return;
        await sleep(1000);
      }
    }
  }
}

async function upload(
  site: SimulatedSite,
  transport: HubTransport,
  study: StudyUnderTest,
  task: StatsTask | TrainTask,
  publicKey: Uint8Array | null,
  barrier: RoundBarrier,
  outbox: Map<string, { envelope: Uint8Array; prepareMs: number }>,
): Promise<UploadRecord> {
  let prepared = outbox.get(task.roundId);
  if (!prepared) {
    // Encryption is synchronous: one agent's at a time, with the event loop free in between (for
    // the other agents' requests and the benchmark's own sampling), not all of them in one go.
    await nextTurn();
    const started = performance.now();
    const vector = task.kind === 'stats' ? site.statsVector(study.spec) : site.trainUpdate(study.spec, task).vector;
    const parts = await site.encode(task.encoding, publicKey, vector);
    const envelope = site.envelope('submission', task.studyId, task.roundId, parts);
    outbox.set(task.roundId, (prepared = { envelope, prepareMs: performance.now() - started }));
    await barrier.arrive(task.roundId);
  }
  const { envelope, prepareMs } = prepared;
  const startedAt = performance.now();
  const receipt = await transport.submitUpdate(site, envelope);
  const endedAt = performance.now();
  return {
    site: site.name,
    roundId: task.roundId,
    kind: task.kind,
    bytes: envelope.byteLength,
    prepareMs,
    startedAt,
    endedAt,
    latencyMs: endedAt - startedAt,
    accepted: true,
    duplicate: receipt.duplicate,
  };
}
