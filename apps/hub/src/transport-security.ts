import { readFile } from 'node:fs/promises';
import { BlockList, isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import { AppError, ErrorCode } from '@consilium/errors';
import type { TlsCredentials } from './http/server.ts';

/**
 * Whether the hub may listen on `host` the way it was configured. Site agents send their signed
 * requests, and people their passwords and session cookies, to the hub: outside the machine itself
 * that must be HTTPS. So the hub serves plain HTTP on a loopback address only (the demo, tests, a
 * reverse proxy on the same host), unless it is told that something in front of it terminates TLS.
 */
export interface TransportChoice {
  /** The interface the hub listens on (default 127.0.0.1). */
  host: string;
  /** The hub serves HTTPS itself. */
  tls: boolean;
  /** Plain HTTP on any interface: a TLS-terminating proxy or ingress sits in front of the hub. */
  allowPlainHttp: boolean;
}

/** The hub's transport is misconfigured: it does not start (the CLI exits with code 2). */
export class TransportConfigError extends AppError {
  constructor(message: string, options?: { details?: Record<string, unknown>; cause?: unknown }) {
    super(ErrorCode.INVALID_INPUT, message, options);
  }
}

/** Refusal to listen on a non-loopback interface without TLS. */
export class PlainHttpRefusedError extends TransportConfigError {
  readonly host: string;

  constructor(host: string) {
    super(
      `Refusing to serve plain HTTP on ${host}, which is not a loopback address: agents and browsers would send credentials unencrypted. ` +
        'Give the hub a certificate with --tls-cert <pem file> --tls-key <pem file> (CONSILIUM_TLS_CERT / CONSILIUM_TLS_KEY), ' +
        'or, when a TLS-terminating proxy or ingress sits in front of the hub, pass --allow-plain-http (CONSILIUM_ALLOW_PLAIN_HTTP=1).',
      { details: { host } },
    );
    this.host = host;
  }
}

/** Throws PlainHttpRefusedError when the hub would serve plain HTTP beyond loopback without being told it may. */
export function checkTransport(choice: TransportChoice): void {
  if (choice.tls || choice.allowPlainHttp || isLoopbackHost(choice.host)) return;
  throw new PlainHttpRefusedError(choice.host);
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/**
 * 127.0.0.0/8, ::1 (also as [::1] or IPv4-mapped ::ffff:127.x.y.z) and the name localhost. Anything
 * else — 0.0.0.0, ::, a routable address, another host name — reaches beyond the machine.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(name);
  const address = mapped ? mapped[1]! : name;
  const family = isIP(address);
  if (family === 4) return loopback.check(address, 'ipv4');
  if (family === 6) return loopback.check(address, 'ipv6');
  return false;
}

/**
 * Reads the certificate (chain) and private key PEM files given to `serve`: both or neither, and a
 * pair that belongs together (checked now, so that a wrong key stops the start rather than every
 * handshake). Null when neither is given.
 */
export async function readTlsFiles(certFile: string | undefined, keyFile: string | undefined): Promise<TlsCredentials | null> {
  if (certFile === undefined && keyFile === undefined) return null;
  if (certFile === undefined || keyFile === undefined) {
    throw new TransportConfigError('--tls-cert and --tls-key (CONSILIUM_TLS_CERT / CONSILIUM_TLS_KEY) go together: give both, or neither');
  }
  const read = async (file: string, what: string) => {
    try {
      return await readFile(file);
    } catch (cause) {
      throw new TransportConfigError(`Cannot read the TLS ${what} ${file}: ${(cause as Error).message}`, { cause });
    }
  };
  const credentials = { cert: await read(certFile, 'certificate'), key: await read(keyFile, 'private key') };
  try {
    createSecureContext(credentials);
  } catch (cause) {
    throw new TransportConfigError(`The TLS certificate ${certFile} and key ${keyFile} are not a usable PEM certificate and matching private key: ${(cause as Error).message}`, { cause });
  }
  return credentials;
}
