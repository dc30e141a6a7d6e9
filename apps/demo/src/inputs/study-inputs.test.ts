import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { syntheticStudySpec } from '@consilium/data/synthetic';
import { describe, expect, it } from 'vitest';
import { readStudySpec, syntheticInputs, userInputs } from './study-inputs.ts';

const tempDir = () => mkdtemp(path.join(tmpdir(), 'consilium-inputs-'));

describe('syntheticInputs', () => {
  it('writes the four hospitals\' files and loads them, encrypted unless told otherwise', async () => {
    const dir = await tempDir();
    const inputs = await syntheticInputs(dir, { plaintext: false });
    expect(inputs.sites).toHaveLength(4);
    expect(inputs.spec.privacy.secureAggregation).toBe('ckks-multiparty');
    for (const site of inputs.sites) {
      expect(path.dirname(site.dataPath)).toBe(dir);
      expect(inputs.datasets.get(site.name)?.rowCount).toBeGreaterThan(100);
    }
    expect((await syntheticInputs(await tempDir(), { plaintext: true })).spec.privacy.secureAggregation).toBe('none');
  });

  it('writes the same data every time', async () => {
    const [a, b] = [await syntheticInputs(await tempDir(), { plaintext: false }), await syntheticInputs(await tempDir(), { plaintext: false })];
    expect(await readFile(a.sites[0]!.dataPath, 'utf8')).toBe(await readFile(b.sites[0]!.dataPath, 'utf8'));
  });
});

describe('user studies', () => {
  it('names the file and the field of a bad spec', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'spec.json');
    await writeFile(file, JSON.stringify({ ...syntheticStudySpec(), training: { rounds: 0 } }));
    await expect(readStudySpec(file)).rejects.toThrow(`${file}: Invalid study spec: training.rounds:`);
    await writeFile(file, '{ "name": ');
    await expect(readStudySpec(file)).rejects.toThrow(`${file} is not valid JSON`);
    await expect(readStudySpec(path.join(dir, 'nope.json'))).rejects.toThrow(`Cannot read the study spec ${path.join(dir, 'nope.json')}: ENOENT`);
  });

  it('checks every site file against the spec before anything starts, naming the site and the problem', async () => {
    const dir = await tempDir();
    const specFile = path.join(dir, 'spec.json');
    await writeFile(specFile, JSON.stringify(syntheticStudySpec()));
    const { sites } = await syntheticInputs(dir, { plaintext: false });
    const good = sites.slice(0, 2).map((s, i) => ({ name: `Site ${i + 1}`, dataPath: path.relative(process.cwd(), s.dataPath) }));

    const inputs = await userInputs(specFile, good, { plaintext: true });
    expect(inputs.synthetic).toBe(false);
    expect(inputs.spec.privacy.secureAggregation).toBe('none');
    expect(inputs.sites.every((s) => path.isAbsolute(s.dataPath))).toBe(true);

    await expect(userInputs(specFile, [...good, { name: 'Ghost', dataPath: path.join(dir, 'ghost.csv') }], { plaintext: false })).rejects.toThrow(
      `Site "Ghost": the data file ${path.join(dir, 'ghost.csv')} does not exist or cannot be read`,
    );
    const bad = path.join(dir, 'bad.csv');
    const csv = await readFile(sites[0]!.dataPath, 'utf8');
    await writeFile(bad, csv.replace(/\n([^,\n]+),(\d+),/, '\n$1,250,'));
    await expect(userInputs(specFile, [...good, { name: 'Bad', dataPath: bad }], { plaintext: false })).rejects.toThrow(/^Site "Bad": .*bad\.csv does not match the study's data schema .*age/);
  });
});
