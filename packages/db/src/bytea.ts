import { customType } from 'drizzle-orm/pg-core';

/**
 * PostgreSQL `bytea` as a Uint8Array. drizzle has no built-in bytea; `pg` hands back a Buffer and
 * PGlite a Uint8Array, so both are normalised to a plain Uint8Array view (no copy).
 */
export const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => 'bytea',
  toDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength)),
  fromDriver: (value) => new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
});
