import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import tls from 'node:tls';
import { AppError, ErrorCode } from '@consilium/errors';

/**
 * How the agent reaches the hub from inside a hospital network: through the site's forward proxy
 * (HTTPS_PROXY / HTTP_PROXY, minus NO_PROXY) and trusting the hospital's own CA (a PEM bundle, on
 * top of the system's roots and NODE_EXTRA_CA_CERTS). Every call has a timeout.
 */
export interface NetworkOptions {
  /** A PEM bundle of CA certificates to trust for the hub (in addition to the usual ones). */
  caFile?: string | undefined;
  /** Proxy variables as in the environment: HTTPS_PROXY, HTTP_PROXY, NO_PROXY (or lower case). */
  proxyEnv?: ProxyEnv | undefined;
}

export interface ProxyEnv {
  HTTPS_PROXY?: string | undefined;
  https_proxy?: string | undefined;
  HTTP_PROXY?: string | undefined;
  http_proxy?: string | undefined;
  NO_PROXY?: string | undefined;
  no_proxy?: string | undefined;
}

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Default per-request timeout: a hung hub (or proxy) must not hang the agent. */
export const DEFAULT_TIMEOUT_MS = 120_000;

/** The proxy variables of an environment, and a configured proxy (which wins over them) for HTTP and HTTPS. */
export function proxyEnvOf(env: ProxyEnv, proxy?: string): ProxyEnv {
  const picked: ProxyEnv = {
    HTTPS_PROXY: env.HTTPS_PROXY ?? env.https_proxy,
    HTTP_PROXY: env.HTTP_PROXY ?? env.http_proxy,
    NO_PROXY: env.NO_PROXY ?? env.no_proxy,
  };
  return proxy ? { ...picked, HTTPS_PROXY: proxy, HTTP_PROXY: proxy } : picked;
}

/** Reads a CA bundle, refusing (with the file's name) one that holds no PEM certificate. */
export function readCaBundle(caFile: string): string {
  let text: string;
  try {
    text = readFileSync(caFile, 'utf8');
  } catch (cause) {
    throw new AppError(ErrorCode.INVALID_INPUT, `Cannot read the CA bundle ${caFile}: ${(cause as Error).message}`, { cause });
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new AppError(ErrorCode.INVALID_INPUT, `${caFile} is not a PEM CA bundle (no "-----BEGIN CERTIFICATE-----" block)`);
  }
  return text;
}

/**
 * A fetch for calls to the hub. Without a proxy or CA bundle it is the global fetch (NODE_EXTRA_CA_CERTS
 * works natively); with either, requests go through Node's http(s) agents, which tunnel HTTPS through
 * the proxy with CONNECT, honour NO_PROXY and trust the bundle. Every call is cut off after `timeoutMs`.
 */
export function createOutboundFetch(network: NetworkOptions = {}, options: { timeoutMs?: number } = {}): FetchLike {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const proxyEnv: http.ProxyEnv = { ...network.proxyEnv };
  const proxied = Boolean(proxyEnv.HTTPS_PROXY ?? proxyEnv.https_proxy ?? proxyEnv.HTTP_PROXY ?? proxyEnv.http_proxy);
  let send: FetchLike = (input, init) => fetch(input, init);
  if (proxied || network.caFile) {
    const ca = network.caFile ? [...tls.getCACertificates('default'), readCaBundle(network.caFile)] : undefined;
    const agents = {
      https: new https.Agent({ keepAlive: true, proxyEnv, ...(ca ? { ca } : {}) }),
      http: new http.Agent({ keepAlive: true, proxyEnv }),
    };
    send = (input, init) => nodeFetch(agents, input, init);
  }
  return async (input, init) => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    try {
      return await send(input, { ...init, signal });
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new Error(describeNetworkError(error, timeout.aborted ? timeoutMs : null), { cause: error });
    }
  };
}

/** fetch() over node:http(s) with the given agents (bodies: strings and bytes, as the agent sends). */
function nodeFetch(agents: { http: http.Agent; https: https.Agent }, input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : input.toString());
  const method = init.method ?? 'GET';
  const body = init.body;
  if (body !== undefined && body !== null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
    return Promise.reject(new AppError(ErrorCode.INTERNAL, 'Only string and binary request bodies can be sent'));
  }
  const headers = Object.fromEntries(new Headers(init.headers));
  if (body !== undefined && body !== null) headers['content-length'] = String(Buffer.byteLength(body));
  const secure = url.protocol === 'https:';
  return new Promise<Response>((resolve, reject) => {
    const request = (secure ? https : http).request(url, { method, headers, agent: secure ? agents.https : agents.http, signal: init.signal ?? undefined }, (res) => {
      const status = res.statusCode ?? 502;
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) responseHeaders.append(name, v);
      }
      const noBody = method === 'HEAD' || status === 204 || status === 304;
      if (noBody) res.resume();
      resolve(new Response(noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, statusText: res.statusMessage ?? '', headers: responseHeaders }));
    });
    request.on('error', reject);
    request.end(body ?? undefined);
  });
}

const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

/** One line saying why a call to the hub failed: timeout, untrusted certificate, proxy or network trouble. */
export function describeNetworkError(error: unknown, timedOutAfterMs: number | null): string {
  if (timedOutAfterMs !== null) return `no answer within ${timedOutAfterMs} ms (timed out)`;
  const chain: Array<Error & { code?: string }> = [];
  for (let e: unknown = error; e instanceof Error && chain.length < 5; e = e.cause) chain.push(e);
  const coded = chain.find((e) => typeof e.code === 'string');
  const innermost = chain.at(-1);
  const code = coded?.code;
  const message = innermost?.message ?? String(error);
  if (code && TLS_TRUST_CODES.has(code)) {
    return `the hub's TLS certificate is not trusted (${code}: ${message}); give the CA that signed it with --ca-file <bundle.pem> (or CONSILIUM_CA_FILE, or NODE_EXTRA_CA_CERTS)`;
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `the hub's TLS certificate is for another host name (${message})`;
  if (code === 'CERT_HAS_EXPIRED') return `the hub's TLS certificate has expired (${message})`;
  if (code === 'ERR_PROXY_TUNNEL' || /proxy/i.test(message)) return `the proxy refused or failed the connection (${message})`;
  return code ? `${code}: ${message}` : message;
}
