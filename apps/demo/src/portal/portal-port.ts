import { createServer } from 'node:net';

/** The portal's port when neither --portal-port nor CONSILIUM_PORTAL_PORT says otherwise. */
export const DEFAULT_PORTAL_PORT = 3000;

/** Whether nothing listens on `port` of 127.0.0.1 right now (a listen that succeeds is closed again). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port free right now on 127.0.0.1, chosen by the system. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface PortChoice {
  port: number;
  /** The port that was asked for, when it was taken and `port` is another one. */
  taken: number | null;
}

/** `wanted` when it is free, otherwise a free port the system picks (and `taken` says so). */
export async function choosePortalPort(wanted: number, probe: { isPortFree(port: number): Promise<boolean>; freePort(): Promise<number> } = { isPortFree, freePort }): Promise<PortChoice> {
  if (await probe.isPortFree(wanted)) return { port: wanted, taken: null };
  return { port: await probe.freePort(), taken: wanted };
}
