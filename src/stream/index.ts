/** Streams and their operators. */
export { Stream, fromIterable, sizeOf, type Operator, type StreamSize, type BatchStream } from './stream.js';
export { map } from './map.js';
export { take } from './take.js';
export { rebatch, type RebatchOptions } from './rebatch.js';
export { shuffle, type ShuffleOptions } from './shuffle.js';
export { mix, mixCounted, splitCounts, type MixOptions, type MixWeights, type MixedBatch } from './mix.js';
export { concat } from './concat.js';
export { prefetch } from './prefetch.js';
export { shard } from './shard.js';
