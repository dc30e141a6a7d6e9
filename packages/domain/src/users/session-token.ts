/**
 * Session tokens look like `cses_<43 base64url characters>` (32 random bytes), administrator tokens
 * like `cadm_…`: the prefix tells the API which kind a bearer token is without a database lookup.
 */
export const SESSION_TOKEN_PREFIX = 'cses';

export function isSessionToken(token: string): boolean {
  return token.startsWith(`${SESSION_TOKEN_PREFIX}_`);
}
