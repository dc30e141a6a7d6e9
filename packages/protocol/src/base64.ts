/** Padded base64 made only of whole quanta: no whitespace, no URL-safe alphabet, no missing `=`. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes canonical, padded base64, or returns null.
 *
 * `Buffer.from(text, 'base64')` skips characters it does not know and ignores non-zero padding
 * bits, so many strings decode to the same bytes. Keys and signatures travel in headers and are
 * stored by the hub; accepting exactly one spelling per byte string keeps what was verified and
 * what was recorded identical.
 */
export function decodeBase64Strict(text: string): Buffer | null {
  if (!BASE64.test(text)) return null;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : null;
}
