import { readdir, readFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { syntheticStudySpec, writeSyntheticHospitals } from '@consilium/data/synthetic';
import { describe, expect, it } from 'vitest';
import { latestModel, type StudyProgress } from './index.ts';
import { runLocalConsortium } from './run-local-consortium.ts';

/** Processes whose command line mentions `text` (the work directory is in every child's arguments). */
async function processesMentioning(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes(text)) found.push(`${pid}: ${cmdline.replaceAll('\0', ' ')}`);
  }
  return found;
}

describe('runLocalConsortium (end to end: a hub and three agent processes over HTTP)', () => {
  it('runs an encrypted study to completion, with every site evaluating the final model, and leaves nothing running', async () => {
    const workDir = await mkdtemp(path.join(tmpdir(), 'consilium-consortium-'));
    const hospitals = await writeSyntheticHospitals(path.join(workDir, 'data'), { seed: 11, sites: 3 });
    const spec = { ...syntheticStudySpec(), training: { ...syntheticStudySpec().training, rounds: 2 } };
    const updates: StudyProgress[] = [];

    const result = await runLocalConsortium({
      spec,
      sites: hospitals.map((h) => ({ name: h.name, dataPath: h.path })),
      workDir,
      onUpdate: (p) => updates.push(p),
      timeoutMs: 80_000,
    });

    const { progress } = result;
    expect(progress.status, progress.failureReason ?? '').toBe('completed');
    expect(progress.rounds.map((r) => [r.index, r.kind, r.status])).toEqual([
      [0, 'stats', 'complete'],
      [1, 'train', 'complete'],
      [2, 'train', 'complete'],
    ]);
    const final = latestModel(progress);
    expect(final?.version).toBe(2);
    expect(final?.evaluations.map((e) => e.siteName).sort()).toEqual(hospitals.map((h) => h.name).sort());
    expect(final?.evaluations.every((e) => e.final)).toBe(true);
    expect(final?.pooled?.accuracy).toBeGreaterThan(0.6);
    expect(updates.length).toBeGreaterThan(1);

    expect(result.roundTimesMs).toHaveLength(3);
    expect(result.roundTimesMs.every((ms) => ms !== null && ms > 0)).toBe(true);
    expect(result.wallMs).toBeGreaterThan(result.phasesMs.study);
    for (const h of hospitals) {
      const perRound = result.uploadedBytesPerSitePerRound[h.name];
      expect(perRound).toHaveLength(3);
      // Each site sent a ciphertext and a decryption share in every round: tens of kilobytes.
      expect(perRound?.every((bytes) => bytes > 10_000)).toBe(true);
      expect(result.uploads[h.name]?.keyShare).toBeGreaterThan(0);
    }

    const logs = await readdir(result.logsDir);
    expect(logs.sort()).toEqual(['agent-highmoor-district-hospital.log', 'agent-northgate-university-hospital.log', 'agent-riverside-general-hospital.log', 'hub.log']);
    expect(await readFile(path.join(result.logsDir, 'hub.log'), 'utf8')).toContain('"msg":"hub stopped"');
    expect(await processesMentioning(workDir)).toEqual([]);
  }, 90_000);
});
