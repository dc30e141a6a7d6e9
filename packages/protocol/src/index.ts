/**
 * @consilium/protocol: what the site agents and the hub must agree on byte for byte — site
 * identities, request and payload signatures, hashing, and the binary envelope.
 */
export * from './identity.ts';
export * from './hashing.ts';
export * from './signing.ts';
export * from './payload-signing.ts';
export * from './envelope.ts';
export * from './canonical-json.ts';
export * from './evaluation-hash.ts';
export * from './aggregate-provenance.ts';
export * from './ceremony-binding.ts';
export * from './box.ts';
export * from './key-rotation.ts';
