import { generateKeyPairSync, verify } from 'node:crypto';
import { ErrorCode } from '@consilium/errors';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from './hashing.ts';
import { generateIdentity, parsePublicKey } from './identity.ts';
import {
  DEFAULT_MAX_SKEW_MS,
  SIGNATURE_HEADERS,
  readSignedHeaders,
  signRequest,
  verifyRequestSignature,
} from './signing.ts';
import type { SignatureHeaders, SignedRequestFields, VerifyRequestOptions } from './signing.ts';
import { catchAppError } from './test-utils.ts';

const identity = generateIdentity();
const SITE = '6f1c2b1e-8a43-4d8e-9b0a-2f5d3c7e9a10';
const NOW = 1_750_000_000_000;
const BODY = Buffer.from('{"round":7,"values":[1,2,3]}');
const PATH = '/api/agent/rounds/7/submission?chunk=2';

function signed(overrides: Partial<Parameters<typeof signRequest>[0]> = {}): SignatureHeaders {
  return signRequest({ privateKeyPem: identity.privateKeyPem, siteId: SITE, method: 'POST', path: PATH, body: BODY, now: NOW, ...overrides });
}

function read(headers: SignatureHeaders): SignedRequestFields {
  const fields = readSignedHeaders(headers);
  if (fields === null) throw new Error('expected signature headers');
  return fields;
}

/** The options under which `headers` verify; tests change one thing at a time. */
function verifyOptions(headers: SignatureHeaders, overrides: Partial<VerifyRequestOptions> = {}): VerifyRequestOptions {
  return { publicKey: identity.publicKey, method: 'POST', path: PATH, bodySha256: sha256Hex(BODY), signed: read(headers), now: NOW, ...overrides };
}

describe('signRequest / verifyRequestSignature', () => {
  it('round-trips through Node-style and fetch-style headers', () => {
    const headers = signed();
    expect(() => verifyRequestSignature(verifyOptions(headers))).not.toThrow();
    const fetchHeaders = new Headers(headers);
    expect(readSignedHeaders(fetchHeaders)).toEqual(read(headers));
    expect(() => verifyRequestSignature({ ...verifyOptions(headers), signed: readSignedHeaders(fetchHeaders)! })).not.toThrow();
  });

  it('signs the documented string, so other implementations can interoperate', () => {
    const headers = signed();
    const expected = [
      'CONSILIUM-REQUEST-V1',
      'POST',
      PATH,
      SITE,
      String(NOW),
      headers['x-consilium-nonce'],
      sha256Hex(BODY),
    ].join('\n');
    const signature = Buffer.from(headers['x-consilium-signature'], 'base64');
    expect(verify(null, Buffer.from(expected), parsePublicKey(identity.publicKey), signature)).toBe(true);
    expect(headers).toEqual({
      'x-consilium-site': SITE,
      'x-consilium-timestamp': String(NOW),
      'x-consilium-nonce': expect.stringMatching(/^[0-9a-f]{32}$/),
      'x-consilium-signature': expect.stringMatching(/^[A-Za-z0-9+/]{86}==$/),
    });
  });

  it('hashes an absent body as empty bytes, and a body given in parts as their concatenation', () => {
    const get = signed({ method: 'GET', body: undefined });
    const empty = sha256Hex(new Uint8Array(0));
    expect(() => verifyRequestSignature(verifyOptions(get, { method: 'GET', bodySha256: empty }))).not.toThrow();
    const parts = signed({ body: [BODY.subarray(0, 5), BODY.subarray(5)] });
    expect(() => verifyRequestSignature(verifyOptions(parts))).not.toThrow();
  });

  it('treats the method case-insensitively (fetch sends "patch" as typed)', () => {
    const headers = signed({ method: 'patch' });
    expect(() => verifyRequestSignature(verifyOptions(headers, { method: 'PATCH' }))).not.toThrow();
  });

  it('uses a fresh 128-bit nonce for every request', () => {
    const nonces = new Set(Array.from({ length: 100 }, () => signed()['x-consilium-nonce']));
    expect(nonces.size).toBe(100);
  });

  describe('rejects a request altered in any signed field', () => {
    const headers = signed();
    const tampered: Record<string, VerifyRequestOptions> = {
      method: verifyOptions(headers, { method: 'PUT' }),
      path: verifyOptions(headers, { path: '/api/agent/rounds/8/submission?chunk=2' }),
      query: verifyOptions(headers, { path: '/api/agent/rounds/7/submission?chunk=3' }),
      body: verifyOptions(headers, { bodySha256: sha256Hex('{"round":7,"values":[1,2,4]}') }),
      site: verifyOptions({ ...headers, 'x-consilium-site': 'other-site' }),
      timestamp: verifyOptions({ ...headers, 'x-consilium-timestamp': String(NOW + 1) }),
      nonce: verifyOptions({ ...headers, 'x-consilium-nonce': signed()['x-consilium-nonce'] }),
    };
    for (const [field, options] of Object.entries(tampered)) {
      it(field, () => {
        const error = catchAppError(() => verifyRequestSignature(options), ErrorCode.INVALID_SIGNATURE);
        expect(error.message).toMatch(/does not verify/);
      });
    }
  });

  it('rejects a signature made with another key', () => {
    const stranger = generateIdentity();
    const headers = signed({ privateKeyPem: stranger.privateKeyPem });
    catchAppError(() => verifyRequestSignature(verifyOptions(headers)), ErrorCode.INVALID_SIGNATURE);
    expect(() => verifyRequestSignature(verifyOptions(headers, { publicKey: stranger.publicKey }))).not.toThrow();
  });

  it('accepts a parsed key object, but not a key of another algorithm', () => {
    const headers = signed();
    expect(() => verifyRequestSignature(verifyOptions(headers, { publicKey: parsePublicKey(identity.publicKey) }))).not.toThrow();
    const { publicKey: rsa } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    catchAppError(() => verifyRequestSignature(verifyOptions(headers, { publicKey: rsa })), ErrorCode.INTERNAL);
  });

  describe('freshness', () => {
    const headers = signed();

    it('accepts timestamps up to maxSkewMs either way', () => {
      for (const now of [NOW - DEFAULT_MAX_SKEW_MS, NOW + DEFAULT_MAX_SKEW_MS]) {
        expect(() => verifyRequestSignature(verifyOptions(headers, { now }))).not.toThrow();
      }
    });

    it('rejects a stale request, saying by how much and what is allowed', () => {
      const error = catchAppError(() => verifyRequestSignature(verifyOptions(headers, { now: NOW + 412_300 })), ErrorCode.STALE_REQUEST);
      expect(error.message).toMatch(/412\.3 s behind the hub clock; the hub accepts ±300 s/);
      expect(error.details).toEqual({ siteId: SITE, skewMs: 412_300, maxSkewMs: DEFAULT_MAX_SKEW_MS });
    });

    it('rejects a request from the future', () => {
      const error = catchAppError(
        () => verifyRequestSignature(verifyOptions(headers, { now: NOW - 61_000, maxSkewMs: 60_000 })),
        ErrorCode.STALE_REQUEST,
      );
      expect(error.message).toMatch(/61\.0 s ahead of the hub clock; the hub accepts ±60 s/);
    });

    it('reports a forged signature before a stale timestamp', () => {
      catchAppError(() => verifyRequestSignature(verifyOptions(headers, { now: NOW + 3_600_000, method: 'PUT' })), ErrorCode.INVALID_SIGNATURE);
    });
  });

  it('refuses a malformed body hash or clock from the hub itself as INTERNAL', () => {
    const headers = signed();
    catchAppError(() => verifyRequestSignature(verifyOptions(headers, { bodySha256: sha256Hex(BODY).toUpperCase() })), ErrorCode.INTERNAL);
    catchAppError(() => verifyRequestSignature(verifyOptions(headers, { maxSkewMs: Number.NaN })), ErrorCode.INTERNAL);
  });

  it('rejects a received method or path that no agent could have signed', () => {
    const headers = signed();
    catchAppError(() => verifyRequestSignature(verifyOptions(headers, { path: `${PATH}\nx` })), ErrorCode.INVALID_SIGNATURE);
    catchAppError(() => verifyRequestSignature(verifyOptions(headers, { method: 'PO ST' })), ErrorCode.INVALID_SIGNATURE);
  });

  it('refuses to sign values that would make the signed string ambiguous', () => {
    expect(catchAppError(() => signed({ siteId: 'site\n1' }), ErrorCode.INVALID_INPUT).message).toMatch(/Cannot sign as site/);
    expect(catchAppError(() => signed({ path: 'api/x' }), ErrorCode.INVALID_INPUT).message).toMatch(/must start with "\/"/);
    catchAppError(() => signed({ path: '/a b' }), ErrorCode.INVALID_INPUT);
    catchAppError(() => signed({ method: 'GET\n/evil' }), ErrorCode.INVALID_INPUT);
    catchAppError(() => signed({ now: 1.5 }), ErrorCode.INTERNAL);
    catchAppError(() => signed({ privateKeyPem: 'not a key' }), ErrorCode.INVALID_INPUT);
  });
});

describe('readSignedHeaders', () => {
  const headers = signed();

  it('returns null for an unsigned request', () => {
    expect(readSignedHeaders({ 'content-type': 'application/json' })).toBeNull();
    expect(readSignedHeaders(new Headers())).toBeNull();
  });

  it('parses the fields, finding headers in any case', () => {
    const mixedCase = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]));
    expect(readSignedHeaders(mixedCase)).toEqual({
      siteId: SITE,
      timestamp: NOW,
      nonce: headers['x-consilium-nonce'],
      signature: Buffer.from(headers['x-consilium-signature'], 'base64'),
    });
  });

  it('names the headers missing from a partially signed request', () => {
    const { 'x-consilium-nonce': _nonce, 'x-consilium-signature': _signature, ...partial } = headers;
    const error = catchAppError(() => readSignedHeaders(partial), ErrorCode.INVALID_SIGNATURE);
    expect(error.message).toMatch(/missing header\(s\) x-consilium-nonce, x-consilium-signature/);
  });

  it('rejects a repeated header, in either header representation', () => {
    const nonce = headers['x-consilium-nonce'];
    const repeated = catchAppError(() => readSignedHeaders({ ...headers, 'x-consilium-nonce': [nonce, nonce] }), ErrorCode.INVALID_SIGNATURE);
    expect(repeated.message).toMatch(/x-consilium-nonce was sent 2 times/);
    // fetch joins repeated headers with ", ", which no valid value contains.
    const joined = new Headers(headers);
    joined.append('x-consilium-nonce', nonce);
    expect(catchAppError(() => readSignedHeaders(joined), ErrorCode.INVALID_SIGNATURE).message).toMatch(/x-consilium-nonce is malformed/);
    expect(readSignedHeaders({ ...headers, 'x-consilium-nonce': [nonce] })?.nonce).toBe(nonce);
  });

  const malformed: [string, string][] = [
    [SIGNATURE_HEADERS.site, ''],
    [SIGNATURE_HEADERS.site, 'site one'],
    [SIGNATURE_HEADERS.site, '-'],
    [SIGNATURE_HEADERS.site, 'x'.repeat(129)],
    [SIGNATURE_HEADERS.timestamp, 'yesterday'],
    [SIGNATURE_HEADERS.timestamp, `0${NOW}`],
    [SIGNATURE_HEADERS.timestamp, '-5'],
    [SIGNATURE_HEADERS.timestamp, '1.5e12'],
    [SIGNATURE_HEADERS.timestamp, '99999999999999999'],
    [SIGNATURE_HEADERS.nonce, headers['x-consilium-nonce'].toUpperCase()],
    [SIGNATURE_HEADERS.nonce, headers['x-consilium-nonce'].slice(2)],
    [SIGNATURE_HEADERS.signature, headers['x-consilium-signature'].slice(4)],
    [SIGNATURE_HEADERS.signature, headers['x-consilium-signature'].replace(/==$/, '')],
    [SIGNATURE_HEADERS.signature, Buffer.alloc(65).toString('base64')],
  ];
  for (const [header, value] of malformed) {
    it(`names ${header} when it is ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)}`, () => {
      const error = catchAppError(() => readSignedHeaders({ ...headers, [header]: value }), ErrorCode.INVALID_SIGNATURE);
      expect(error.message).toContain(`Header ${header} is malformed`);
      expect(error.details).toEqual({ header });
    });
  }
});
