export * from './events.ts';
export * from './hash.ts';
export * from './append.ts';
export * from './verify.ts';
