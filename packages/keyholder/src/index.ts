/**
 * @consilium/keyholder: what a decryption-committee member does with its key material, shared by the
 * site agent and the hub's simulated sites in tests so both run the same checks. Each stage takes
 * what the hub served (untrusted) and what the member pinned or keeps locally (trusted).
 */
export * from './roster.ts';
export * from './share-stage.ts';
export * from './deal-stage.ts';
export * from './combine-stage.ts';
export * from './decrypt-stage.ts';
