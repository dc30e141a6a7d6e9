import { randomBytes, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { AppError, ErrorCode } from '@consilium/errors';
import { decodeBase64Strict } from './base64.ts';
import { PROTOCOL_ID_FORMAT, canonicalMethod, isProtocolId, isRequestPath, isSha256Hex } from './fields.ts';
import { sha256Hex } from './hashing.ts';
import type { HashInput } from './hashing.ts';
import { parsePrivateKey } from './identity.ts';
import { verificationKey } from './verification-key.ts';

/**
 * Request signatures: every agent → hub request carries four headers and an Ed25519 signature over
 *
 *     CONSILIUM-REQUEST-V1\n{METHOD}\n{path with query}\n{siteId}\n{timestamp}\n{nonce}\n{sha256 hex of body}
 *
 * The hub verifies with `readSignedHeaders` + `verifyRequestSignature`, then rejects reused nonces
 * itself (REPLAYED_REQUEST): it must remember each (siteId, nonce) for at least 2 × maxSkewMs after
 * first seeing it, because a request is accepted while its timestamp lies anywhere within
 * ±maxSkewMs of the hub clock — a window 2 × maxSkewMs wide.
 */

/** The names of the signature headers (lower case, as Node reports them). */
export const SIGNATURE_HEADERS = {
  site: 'x-consilium-site',
  timestamp: 'x-consilium-timestamp',
  nonce: 'x-consilium-nonce',
  signature: 'x-consilium-signature',
} as const;

/** The headers `signRequest` produces, to be added to the outgoing request as they are. */
export type SignatureHeaders = Record<(typeof SIGNATURE_HEADERS)[keyof typeof SIGNATURE_HEADERS], string>;

/**
 * How far a request's timestamp may be from the hub's clock, either way: 5 minutes. The hub must
 * therefore remember nonces for at least twice this (10 minutes) to reject every replay.
 */
export const DEFAULT_MAX_SKEW_MS = 5 * 60 * 1000;

const REQUEST_DOMAIN = 'CONSILIUM-REQUEST-V1';

/** Decimal milliseconds without leading zeros, so each timestamp has exactly one header spelling. */
const TIMESTAMP = /^(?:0|[1-9][0-9]{0,15})$/;
/** 128 random bits as lowercase hex. */
const NONCE = /^[0-9a-f]{32}$/;

interface RequestFields {
  method: string;
  path: string;
  siteId: string;
  timestamp: number;
  nonce: string;
  bodySha256: string;
}

function signingBytes(fields: RequestFields): Buffer {
  const lines = [REQUEST_DOMAIN, fields.method, fields.path, fields.siteId, String(fields.timestamp), fields.nonce, fields.bodySha256];
  return Buffer.from(lines.join('\n'), 'utf8');
}

/** Options of `signRequest`. */
export interface SignRequestOptions {
  /** The site's PKCS#8 PEM private key. */
  privateKeyPem: string;
  siteId: string;
  /** HTTP method; signed upper-cased. */
  method: string;
  /**
   * The request target exactly as sent: path plus query string, percent-encoded
   * (`url.pathname + url.search` of the URL passed to fetch), e.g. `/api/rounds/7/submission?chunk=2`.
   */
  path: string;
  /** The exact body bytes sent (or their parts, or a string sent as UTF-8); absent for no body. */
  body?: HashInput | null;
  /** Signing time in ms since the epoch; defaults to Date.now(). */
  now?: number;
}

/**
 * Signs an agent request and returns the four signature headers. Throws INVALID_INPUT for a site
 * id, method or path that cannot be signed unambiguously, or a private key that is not Ed25519.
 */
export function signRequest(options: SignRequestOptions): SignatureHeaders {
  const { siteId, path } = options;
  const method = canonicalMethod(options.method);
  if (method === null) {
    throw new AppError(ErrorCode.INVALID_INPUT, `Cannot sign HTTP method "${options.method}": expected a token of letters only.`);
  }
  if (!isRequestPath(path)) {
    throw new AppError(
      ErrorCode.INVALID_INPUT,
      'Cannot sign the request path: it must start with "/" and be percent-encoded visible ASCII (pass url.pathname + url.search).',
      { details: { path } },
    );
  }
  if (!isProtocolId(siteId)) {
    throw new AppError(ErrorCode.INVALID_INPUT, `Cannot sign as site "${siteId}": a site id is ${PROTOCOL_ID_FORMAT}.`);
  }
  const timestamp = options.now ?? Date.now();
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new AppError(ErrorCode.INTERNAL, `Cannot sign at time ${timestamp}: expected integer milliseconds since the epoch.`);
  }
  const key = parsePrivateKey(options.privateKeyPem);
  const nonce = randomBytes(16).toString('hex');
  const bodySha256 = sha256Hex(options.body ?? new Uint8Array(0));
  const signature = sign(null, signingBytes({ method, path, siteId, timestamp, nonce, bodySha256 }), key);
  return {
    [SIGNATURE_HEADERS.site]: siteId,
    [SIGNATURE_HEADERS.timestamp]: String(timestamp),
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: signature.toString('base64'),
  };
}

/** The signature headers of a received request, parsed and format-checked (not yet verified). */
export interface SignedRequestFields {
  siteId: string;
  /** ms since the epoch, as claimed by the agent. */
  timestamp: number;
  /** 32 lowercase hex characters; the hub must reject a (siteId, nonce) pair it has seen. */
  nonce: string;
  /** The 64-byte Ed25519 signature. */
  signature: Uint8Array;
}

/** Request headers as a fetch `Headers` or a Node `IncomingHttpHeaders`-style record. */
export type HeaderSource = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** Every value of one header; duplicates matter, since an agent never sends these twice. */
function headerValues(headers: HeaderSource, name: string): string[] {
  if (headers instanceof Headers) {
    const value = headers.get(name);
    return value === null ? [] : [value];
  }
  const values: string[] = [];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    if (typeof value === 'string') values.push(value);
    else values.push(...value);
  }
  return values;
}

function malformed(header: string, expected: string): AppError {
  return new AppError(ErrorCode.INVALID_SIGNATURE, `Header ${header} is malformed: expected ${expected}.`, {
    details: { header },
  });
}

/**
 * Reads the signature headers of a request. Returns null when none is present (an unsigned
 * request: the caller decides whether that is allowed); throws INVALID_SIGNATURE naming the header
 * when some are missing, repeated or malformed. Does not verify anything.
 */
export function readSignedHeaders(headers: HeaderSource): SignedRequestFields | null {
  const names = Object.values(SIGNATURE_HEADERS);
  const found = new Map<string, string>();
  for (const name of names) {
    const values = headerValues(headers, name);
    if (values.length > 1) {
      throw new AppError(ErrorCode.INVALID_SIGNATURE, `Header ${name} was sent ${values.length} times; send it exactly once.`, {
        details: { header: name },
      });
    }
    if (values[0] !== undefined) found.set(name, values[0]);
  }
  if (found.size === 0) return null;
  const missing = names.filter((name) => !found.has(name));
  if (missing.length > 0) {
    throw new AppError(
      ErrorCode.INVALID_SIGNATURE,
      `Signed request is missing header(s) ${missing.join(', ')}; a signed request carries all of ${names.join(', ')}.`,
      { details: { missing } },
    );
  }

  const siteId = found.get(SIGNATURE_HEADERS.site) ?? '';
  if (!isProtocolId(siteId)) throw malformed(SIGNATURE_HEADERS.site, `a site id (${PROTOCOL_ID_FORMAT})`);
  const timestamp = found.get(SIGNATURE_HEADERS.timestamp) ?? '';
  if (!TIMESTAMP.test(timestamp) || !Number.isSafeInteger(Number(timestamp))) {
    throw malformed(SIGNATURE_HEADERS.timestamp, 'milliseconds since the Unix epoch as a decimal integer without leading zeros');
  }
  const nonce = found.get(SIGNATURE_HEADERS.nonce) ?? '';
  if (!NONCE.test(nonce)) throw malformed(SIGNATURE_HEADERS.nonce, '32 lowercase hex characters (128 random bits)');
  const signature = decodeBase64Strict(found.get(SIGNATURE_HEADERS.signature) ?? '');
  if (signature?.length !== 64) throw malformed(SIGNATURE_HEADERS.signature, 'canonical base64 of a 64-byte Ed25519 signature');
  return { siteId, timestamp: Number(timestamp), nonce, signature };
}

/** Options of `verifyRequestSignature`. */
export interface VerifyRequestOptions {
  /**
   * The site's registered public key: base64 raw key (validated on every call), or a key object
   * from parsePublicKey, which a hub can cache per site.
   */
  publicKey: string | KeyObject;
  /** The method as received. */
  method: string;
  /**
   * The raw request target as received (Node's `req.url`, path plus query) — not a router's
   * decoded or normalised path, which may differ from what the agent signed.
   */
  path: string;
  /** sha256Hex of the exact body bytes received (of empty bytes when there is none). */
  bodySha256: string;
  /** From readSignedHeaders. */
  signed: SignedRequestFields;
  /** The hub's clock, ms since the epoch. */
  now: number;
  /** Accepted clock difference either way; DEFAULT_MAX_SKEW_MS when absent. */
  maxSkewMs?: number;
}

function describeSkew(skewMs: number): string {
  const seconds = (Math.abs(skewMs) / 1000).toFixed(1);
  return skewMs >= 0 ? `${seconds} s behind the hub clock` : `${seconds} s ahead of the hub clock`;
}

/**
 * Verifies a signed request. Throws INVALID_SIGNATURE when the signature does not match the key,
 * method, path, body hash and headers, and STALE_REQUEST when it matches but the timestamp is more
 * than maxSkewMs from `now`. The signature is checked first so that a STALE_REQUEST (which
 * tells an operator to fix a site's clock) is only ever reported for requests the site really sent.
 * Nonce reuse is not checked here: see the module comment.
 */
export function verifyRequestSignature(options: VerifyRequestOptions): void {
  const { signed, path, now, bodySha256 } = options;
  const maxSkewMs = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  if (!isSha256Hex(bodySha256)) {
    throw new AppError(ErrorCode.INTERNAL, 'bodySha256 must be the lowercase hex SHA-256 of the received body (use sha256Hex).');
  }
  if (!Number.isSafeInteger(now) || !Number.isSafeInteger(maxSkewMs) || maxSkewMs < 0) {
    throw new AppError(ErrorCode.INTERNAL, `Cannot check request freshness with now=${now}, maxSkewMs=${maxSkewMs}: expected integers.`);
  }
  const site = signed.siteId;
  const method = canonicalMethod(options.method);
  if (method === null || !isRequestPath(path)) {
    throw new AppError(ErrorCode.INVALID_SIGNATURE, `Request from site ${site} has a method or path that cannot have been signed.`, {
      details: { siteId: site, method: options.method, path },
    });
  }
  const key = verificationKey(options.publicKey);
  const data = signingBytes({ method, path, siteId: site, timestamp: signed.timestamp, nonce: signed.nonce, bodySha256 });
  if (!verify(null, data, key, signed.signature)) {
    throw new AppError(
      ErrorCode.INVALID_SIGNATURE,
      `Signature of ${method} ${path} from site ${site} does not verify: the body, path or headers differ from what was signed, or the site signed with a key other than its registered one.`,
      { details: { siteId: site, method, path } },
    );
  }
  const skewMs = now - signed.timestamp;
  if (Math.abs(skewMs) > maxSkewMs) {
    throw new AppError(
      ErrorCode.STALE_REQUEST,
      `Request from site ${site} is timestamped ${describeSkew(skewMs)}; the hub accepts ±${maxSkewMs / 1000} s. Check the site's clock (NTP) and resend.`,
      { details: { siteId: site, skewMs, maxSkewMs } },
    );
  }
}
