import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseListeningLine, startHubProcess } from './hub-process.ts';

describe('parseListeningLine', () => {
  it('finds the hub\'s machine-readable line and ignores everything else', () => {
    expect(parseListeningLine('{"event":"listening","url":"http://127.0.0.1:4000","database":"pglite","adminTokenFile":null}')).toEqual({
      event: 'listening',
      url: 'http://127.0.0.1:4000',
      adminTokenFile: null,
    });
    expect(parseListeningLine('{"level":30,"msg":"hub started"}')).toBeNull();
    expect(parseListeningLine('First start: administrator token written')).toBeNull();
    expect(parseListeningLine('null')).toBeNull();
  });
});

describe('startHubProcess', () => {
  it('reports a hub that cannot start with the end of its log, and leaves nothing running', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'consilium-hub-'));
    // Nothing listens on port 9 (discard): the hub fails to open its database and exits.
    const starting = startHubProcess({ dataDir: path.join(dir, 'hub'), databaseUrl: 'postgres://nobody@127.0.0.1:9/none', logFile: path.join(dir, 'hub.log') });
    await expect(starting).rejects.toThrow(/The hub exited \(code 1\) before it was listening\.\nLast lines of .*hub\.log:\n[\s\S]*Cannot connect to PostgreSQL at postgres:\/\/nobody@127\.0\.0\.1:9\/none/);
  }, 30_000);
});
