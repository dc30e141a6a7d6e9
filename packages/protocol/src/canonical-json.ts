/**
 * JSON with object keys sorted at every level, so the same value always serialises — and hashes —
 * the same, whichever order its keys were built or stored in (PostgreSQL's jsonb reorders keys).
 * `undefined` properties are omitted, as JSON.stringify does; a BigInt (a ledger amount) is written
 * as its decimal string, which plain JSON.stringify refuses to do.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'bigint') return JSON.stringify(value.toString());
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
