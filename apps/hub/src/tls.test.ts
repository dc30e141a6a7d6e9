import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { rootCertificates, type TLSSocket } from 'node:tls';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHub, type Hub } from './create-hub.ts';
import { isLoopbackHost, PlainHttpRefusedError, readTlsFiles, TransportConfigError } from './transport-security.ts';

/**
 * The hub serves HTTPS when given a certificate and key, and refuses plain HTTP beyond loopback
 * unless told a TLS-terminating proxy sits in front. The certificates are made here with the openssl
 * CLI: a private CA, and leaf certificates for 127.0.0.1 / localhost that it signs.
 */
const silent = pino({ level: 'silent' });
const BIN = path.join(import.meta.dirname, '..', 'bin', 'consilium-hub.js');

interface Pki {
  dir: string;
  caFile: string;
  ca: string;
  /** Issues a leaf certificate for 127.0.0.1 and localhost, signed by the CA. */
  leaf(name: string): { certFile: string; keyFile: string };
}

async function makePki(): Promise<Pki> {
  const dir = await mkdtemp(path.join(tmpdir(), 'consilium-hub-tls-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Consilium test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  await writeFile(path.join(dir, 'leaf.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
  const caFile = path.join(dir, 'ca.pem');
  return {
    dir,
    caFile,
    ca: await readFile(caFile, 'utf8'),
    leaf(name) {
      openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=localhost');
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.pem`, '-days', '2', '-extfile', 'leaf.ext');
      return { certFile: path.join(dir, `${name}.pem`), keyFile: path.join(dir, `${name}.key`) };
    },
  };
}

/**
 * GET over HTTPS as the agent does it (apps/agent/src/network.ts): an https.Agent trusting the
 * system roots plus, when given, the site's CA bundle. Resolves with the status, body and the
 * serial number of the certificate the hub presented.
 */
function agentStyleGet(url: string, ca?: string): Promise<{ status: number; body: string; serial: string }> {
  const agent = new https.Agent({ keepAlive: false, ...(ca ? { ca: [...rootCertificates, ca] } : {}) });
  return new Promise((resolve, reject) => {
    const req = https.get(url, { agent }, (res) => {
      const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, serial }));
    });
    req.on('error', reject);
  });
}

describe('the hub over TLS', { timeout: 60_000 }, () => {
  let pki: Pki;
  let hub: Hub;
  let url: string;
  let first: { certFile: string; keyFile: string };

  beforeAll(async () => {
    pki = await makePki();
    first = pki.leaf('hub');
    const tls = await readTlsFiles(first.certFile, first.keyFile);
    hub = createHub({ dataDir: path.join(pki.dir, 'hub-data'), logger: silent, tls: tls! });
    url = (await hub.start()).url;
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
    if (pki) await rm(pki.dir, { recursive: true, force: true });
  });

  it('serves /healthz over https to a client that trusts its CA', async () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const answer = await agentStyleGet(`${url}/healthz`, pki.ca);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ status: 'ok' });
  });

  it('is refused by a client that does not trust its CA, and does not speak plain HTTP', async () => {
    await expect(agentStyleGet(`${url}/healthz`)).rejects.toMatchObject({ code: expect.stringMatching(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/) });
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    await expect(fetch(`${url.replace('https:', 'http:')}/healthz`)).rejects.toThrow();
  });

  it('takes a new certificate on reloadTls (what SIGHUP does) for new connections', async () => {
    const before = await agentStyleGet(`${url}/healthz`, pki.ca);
    const second = pki.leaf('hub-renewed');
    hub.reloadTls((await readTlsFiles(second.certFile, second.keyFile))!);
    const after = await agentStyleGet(`${url}/healthz`, pki.ca);
    expect(after.status).toBe(200);
    expect(after.serial).not.toBe(before.serial);
  });

  it('refuses a certificate without its key, unreadable files, and a key that does not match', async () => {
    await expect(readTlsFiles(first.certFile, undefined)).rejects.toThrow('--tls-cert and --tls-key');
    await expect(readTlsFiles(path.join(pki.dir, 'missing.pem'), first.keyFile)).rejects.toThrow(/Cannot read the TLS certificate .*missing\.pem/);
    const other = pki.leaf('other');
    await expect(readTlsFiles(first.certFile, other.keyFile)).rejects.toBeInstanceOf(TransportConfigError);
    expect(await readTlsFiles(undefined, undefined)).toBeNull();
  });
});

describe('plain HTTP outside loopback', { timeout: 60_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'consilium-hub-plain-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('knows the loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.5', '128.0.0.1', 'hub.example.org', '::ffff:10.0.0.1', '']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('refuses to bind 0.0.0.0 without TLS, naming the fix, before touching the data directory', async () => {
    const hub = createHub({ dataDir: path.join(dir, 'refused'), host: '0.0.0.0', logger: silent });
    const error = await hub.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PlainHttpRefusedError);
    const message = (error as Error).message;
    for (const text of ['0.0.0.0', '--tls-cert', '--tls-key', '--allow-plain-http', 'CONSILIUM_ALLOW_PLAIN_HTTP=1', 'TLS-terminating proxy or ingress']) expect(message).toContain(text);
    await expect(readFile(path.join(dir, 'refused', 'admin-token'))).rejects.toThrow();
  });

  it('exits with code 2 and the message from `consilium-hub serve --host 0.0.0.0`', async () => {
    const env: Record<string, string> = { PATH: process.env.PATH ?? '', CONSILIUM_LOG_LEVEL: 'silent' };
    const child = spawn(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--port', '0', '--data-dir', path.join(dir, 'cli')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(code).toBe(2);
    expect(stderr).toContain('Refusing to serve plain HTTP on 0.0.0.0');
    expect(stderr).toContain('--tls-cert <pem file> --tls-key <pem file>');
    expect(stderr).toContain('--allow-plain-http (CONSILIUM_ALLOW_PLAIN_HTTP=1)');
  });

  it('starts on 0.0.0.0 with allowPlainHttp (a TLS-terminating proxy in front), and on loopback by default', async () => {
    const behindProxy = createHub({ dataDir: path.join(dir, 'proxied'), host: '0.0.0.0', allowPlainHttp: true, logger: silent });
    const started = await behindProxy.start();
    try {
      expect(started.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
      const port = new URL(started.url).port;
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      await behindProxy.stop();
    }
    const local = createHub({ dataDir: path.join(dir, 'local'), logger: silent });
    const localUrl = (await local.start()).url;
    try {
      expect(localUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${localUrl}/healthz`)).status).toBe(200);
    } finally {
      await local.stop();
    }
  });
});
