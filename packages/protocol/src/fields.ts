/**
 * Formats of the values that go into signed strings. Signed strings join fields with newlines, so
 * every field must be unable to contain one: otherwise two different requests could produce the
 * same signed bytes. These checks are what makes the joining unambiguous.
 */

/** Site, study and round ids: UUIDs in practice; any short token that cannot hold a separator. */
const PROTOCOL_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Lowercase hex SHA-256, as sha256Hex returns it. */
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** An HTTP method after upper-casing. */
const METHOD = /^[A-Z]{1,16}$/;

/** An origin-form request target: starts with `/`, visible ASCII only (URLs are percent-encoded). */
const REQUEST_PATH = /^\/[\x21-\x7e]*$/;

/** Human description of a protocol id's format, for error messages. */
export const PROTOCOL_ID_FORMAT =
  "1–128 characters of letters, digits, '.', '_', ':' or '-', starting with a letter or digit";

/** True for a site, study or round id that can appear in a signed string. */
export function isProtocolId(value: string): boolean {
  return PROTOCOL_ID.test(value);
}

/** True for a lowercase hex SHA-256 digest. */
export function isSha256Hex(value: string): boolean {
  return SHA256_HEX.test(value);
}

/**
 * The canonical (upper-case) form of an HTTP method, or null when it is not a plain token.
 * Upper-casing on both sides matters: `fetch` upper-cases GET/POST/PUT/DELETE/HEAD/OPTIONS but
 * sends `patch` as typed, while the hub sees whatever arrived on the wire.
 */
export function canonicalMethod(method: string): string | null {
  const upper = method.toUpperCase();
  return METHOD.test(upper) ? upper : null;
}

/** True for a request path (with query) that can appear in a signed string. */
export function isRequestPath(path: string): boolean {
  return REQUEST_PATH.test(path);
}
