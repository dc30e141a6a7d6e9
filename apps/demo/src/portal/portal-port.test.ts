import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { choosePortalPort, freePort, isPortFree } from './portal-port.ts';

describe('choosePortalPort', () => {
  let server: Server | null = null;
  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = null;
  });

  it('keeps the port asked for when it is free', async () => {
    const port = await freePort();
    expect(await isPortFree(port)).toBe(true);
    expect(await choosePortalPort(port)).toEqual({ port, taken: null });
  });

  it('falls back to another free port when the one asked for is taken, and says which was taken', async () => {
    const busy = createServer();
    server = busy;
    const port = await new Promise<number>((resolve) =>
      busy.listen(0, '127.0.0.1', () => {
        const address = busy.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      }),
    );
    expect(await isPortFree(port)).toBe(false);
    const choice = await choosePortalPort(port);
    expect(choice.taken).toBe(port);
    expect(choice.port).not.toBe(port);
    expect(await isPortFree(choice.port)).toBe(true);
  });

  it('asks the system for a port only when it must', async () => {
    const asked: string[] = [];
    const probe = (free: boolean) => ({
      isPortFree: (p: number) => (asked.push(`free ${p}?`), Promise.resolve(free)),
      freePort: () => (asked.push('any'), Promise.resolve(41_000)),
    });
    expect(await choosePortalPort(3000, probe(true))).toEqual({ port: 3000, taken: null });
    expect(await choosePortalPort(3000, probe(false))).toEqual({ port: 41_000, taken: 3000 });
    expect(asked).toEqual(['free 3000?', 'free 3000?', 'any']);
  });
});
