export * from './parse.ts';
export * from './data-schema.ts';
export * from './model.ts';
export * from './study.ts';
export * from './protocol.ts';
