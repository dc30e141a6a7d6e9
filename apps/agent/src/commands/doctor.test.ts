import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StudySpecInput } from '@consilium/schemas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentFiles } from '../agent-files.ts';
import { doctorCommand } from './doctor.ts';

const spec: StudySpecInput = {
  name: 'Doctor check',
  data: {
    columns: [
      { name: 'age', type: 'numeric', range: [0, 120] },
      { name: 'smoker', type: 'categorical', categories: ['no', 'yes'] },
      { name: 'event', type: 'categorical', categories: ['0', '1'] },
    ],
    target: { column: 'event', positive: ['1'] },
    missingPolicy: 'error',
  },
  model: { type: 'logistic_regression' },
};

const goodRows = ['age,smoker,event', '50,no,0', '61,yes,1', '47,no,0', '70,yes,1', '55,no,1', '38,no,0'];

/** Runs `consilium-agent doctor --spec … --data …` offline and returns (ok, printed text). */
async function doctor(dir: string, name: string, lines: string[]): Promise<{ ok: boolean; text: string }> {
  const csv = path.join(dir, name);
  await writeFile(csv, lines.join('\n'));
  let text = '';
  const ok = await doctorCommand(new AgentFiles(path.join(dir, 'agent')), { spec: path.join(dir, 'spec.json'), data: csv }, (t) => (text += t));
  return { ok, text };
}

describe('consilium-agent doctor', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'consilium-doctor-'));
    await writeFile(path.join(dir, 'spec.json'), JSON.stringify(spec));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('passes a file that matches the schema', async () => {
    const { ok, text } = await doctor(dir, 'good.csv', goodRows);
    expect(ok).toBe(true);
    expect(text).toMatch(/good\.csv/);
  });

  it('names the missing column', async () => {
    const { ok, text } = await doctor(dir, 'missing.csv', ['age,event', '50,0', '61,1']);
    expect(ok).toBe(false);
    expect(text).toMatch(/smoker/);
  });

  it('names an extra, undeclared column', async () => {
    const { ok, text } = await doctor(dir, 'extra.csv', ['age,smoker,event,mrn', '50,no,0,123', '61,yes,1,456']);
    expect(ok).toBe(false);
    expect(text).toMatch(/mrn/);
  });

  it('names file, line, column and value of a non-numeric entry', async () => {
    const rows = [...goodRows];
    rows[3] = 'forty,no,0';
    const { ok, text } = await doctor(dir, 'text-in-number.csv', rows);
    expect(ok).toBe(false);
    expect(text).toMatch(/text-in-number\.csv/);
    expect(text).toMatch(/line 4/);
    expect(text).toMatch(/age/);
    expect(text).toMatch(/forty/);
  });

  it('names an unknown category and the allowed ones', async () => {
    const rows = [...goodRows];
    rows[2] = '61,sometimes,1';
    const { ok, text } = await doctor(dir, 'category.csv', rows);
    expect(ok).toBe(false);
    expect(text).toMatch(/line 3/);
    expect(text).toMatch(/sometimes/);
    expect(text).toMatch(/smoker/);
  });

  it('rejects an empty file', async () => {
    const { ok, text } = await doctor(dir, 'empty.csv', ['age,smoker,event']);
    expect(ok).toBe(false);
    expect(text).toMatch(/no data rows|empty/i);
  });

  it('rejects a target with only one class', async () => {
    const { ok, text } = await doctor(dir, 'one-class.csv', ['age,smoker,event', '50,no,0', '61,yes,0', '47,no,0']);
    expect(ok).toBe(false);
    expect(text).toMatch(/every usable row is negative/);
    expect(text).toMatch(/event/);
  });
});
