import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateIdentity } from '@consilium/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubConnection } from './hub-connection.ts';
import { proxyEnvOf, type NetworkOptions } from './network.ts';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const listen = async <S extends net.Server>(server: S): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};
const close = (server: net.Server & { closeAllConnections?: () => void }) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });

/**
 * The agent's way out of a hospital network: through the site's forward proxy (a real CONNECT proxy
 * here, recording what it tunnels), bypassing it for NO_PROXY hosts, trusting the hospital's CA
 * bundle (a self-signed hub certificate made with openssl), refusing an untrusted certificate, and
 * giving up on a hub that never answers.
 */
describe.skipIf(!hasOpenssl)('the agent\'s outbound HTTPS (proxy, CA bundle, timeouts)', { timeout: 30_000 }, () => {
  let dir: string;
  let caFile: string;
  let hubPort: number;
  let proxyPort: number;
  let silentPort: number;
  const tunnels: string[] = [];
  const hubRequests: Array<{ url: string; signed: boolean }> = [];
  let hubServer: https.Server;
  let proxy: http.Server;
  let silent: net.Server;
  const held: net.Socket[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'consilium-network-'));
    caFile = path.join(dir, 'hub-ca.pem');
    const keyFile = path.join(dir, 'hub-key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', caFile, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    hubServer = https.createServer({ key: await readFile(keyFile), cert: await readFile(caFile) }, (req, res) => {
      hubRequests.push({ url: req.url ?? '', signed: typeof req.headers['x-consilium-signature'] === 'string' });
      res.setHeader('content-type', 'application/octet-stream');
      res.end(Buffer.from('hub-bytes'));
    });
    hubPort = await listen(hubServer);
    proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    proxyPort = await listen(proxy);
    // A "hub" that accepts connections and never says anything.
    silent = net.createServer((socket) => void held.push(socket));
    silentPort = await listen(silent);
  });
  afterAll(async () => {
    for (const socket of held) socket.destroy();
    await Promise.all([close(hubServer), close(proxy), close(silent)]);
    await rm(dir, { recursive: true, force: true });
  });

  const connect = (hubUrl: string, network: NetworkOptions, timeoutMs = 5000) =>
    new HubConnection({ hubUrl, siteId: '00000000-0000-4000-8000-000000000001', privateKeyPem: generateIdentity().privateKeyPem, network, timeoutMs });
  const viaProxy = (extra: { NO_PROXY?: string } = {}) => proxyEnvOf({ HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`, ...extra });

  it('sends signed requests through the proxy (CONNECT) and trusts the CA bundle', async () => {
    tunnels.length = 0;
    const { bytes } = await connect(`https://127.0.0.1:${hubPort}`, { caFile, proxyEnv: viaProxy() }).download('/v1/ping');
    expect(Buffer.from(bytes).toString()).toBe('hub-bytes');
    expect(tunnels).toEqual([`127.0.0.1:${hubPort}`]);
    expect(hubRequests.at(-1)).toEqual({ url: '/v1/ping', signed: true });
  });

  it('uses the proxy given as a setting (init --proxy) just like HTTPS_PROXY', async () => {
    tunnels.length = 0;
    await connect(`https://localhost:${hubPort}`, { caFile, proxyEnv: proxyEnvOf({}, `http://127.0.0.1:${proxyPort}`) }).download('/v1/setting');
    expect(tunnels).toEqual([`localhost:${hubPort}`]);
  });

  it('goes direct to hosts in NO_PROXY', async () => {
    tunnels.length = 0;
    const { bytes } = await connect(`https://localhost:${hubPort}`, { caFile, proxyEnv: viaProxy({ NO_PROXY: 'localhost,.hospital.local' }) }).download('/v1/direct');
    expect(Buffer.from(bytes).toString()).toBe('hub-bytes');
    expect(tunnels).toEqual([]);
    expect(hubRequests.at(-1)?.url).toBe('/v1/direct');
  });

  it('refuses a certificate no trusted CA signed, saying how to fix it', async () => {
    const seen = hubRequests.length;
    for (const network of [{ proxyEnv: viaProxy() }, {}]) {
      const error = await connect(`https://127.0.0.1:${hubPort}`, network).download('/v1/untrusted').then(() => null, (e: unknown) => e as Error);
      expect(error?.message).toMatch(/Cannot reach the hub at https:\/\/127\.0\.0\.1:\d+: the hub's TLS certificate is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT/);
      expect(error?.message).toContain('--ca-file');
    }
    expect(hubRequests.length).toBe(seen);
  });

  it('refuses a CA bundle that is not one', async () => {
    const bogus = path.join(dir, 'not-a-bundle.pem');
    await writeFile(bogus, 'hello');
    expect(() => connect(`https://127.0.0.1:${hubPort}`, { caFile: bogus })).toThrow(/not-a-bundle\.pem is not a PEM CA bundle/);
  });

  it('gives up on a hub that never answers after the configured timeout, with a clear error', async () => {
    for (const network of [{}, { proxyEnv: viaProxy() }, { caFile }]) {
      const started = Date.now();
      const error = await connect(`http://127.0.0.1:${silentPort}`, network, 300).download('/v1/hang').then(() => null, (e: unknown) => e as Error);
      const took = Date.now() - started;
      expect(error?.message).toMatch(new RegExp(`Cannot reach the hub at http://127\\.0\\.0\\.1:${silentPort}: no answer within 300 ms \\(timed out\\)`));
      expect(took).toBeGreaterThanOrEqual(250);
      expect(took).toBeLessThan(3000);
    }
  });
});
