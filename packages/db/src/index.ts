export * from './client.ts';
export * from './bytea.ts';
export * as schema from './schema.ts';
export * from './schema.ts';
