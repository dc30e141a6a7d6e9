import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh directory under the OS temp dir, and a way to write files into it and remove it. */
export interface TempDir {
  path: string;
  /** Writes `text` to `<dir>/<name>` and returns the file's path. */
  write(name: string, text: string): Promise<string>;
  remove(): Promise<void>;
}

/** Creates a temp directory for one test file's fixtures. */
export async function createTempDir(): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), 'consilium-data-'));
  return {
    path,
    async write(name, text) {
      const file = join(path, name);
      await writeFile(file, text, 'utf8');
      return file;
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}
