/**
 * otfgen: seeded, procedural training data, generated in memory as training
 * runs. This entry point is browser-safe; Node-only parts are in `otfgen/node`.
 * @packageDocumentation
 */
export * from './errors.js';
export * from './batch.js';
export { Rng, popcount32, type Seed } from './random/rng.js';
export * from './stream/index.js';
export * from './tasks/index.js';
export * from './sources/idx.js';
export * from './sources/arrays.js';
export * from './schedule/warmup.js';
export * from './tensors.js';
export { affineWarp, type AffineParams } from './augment/affine.js';
