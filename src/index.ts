/**
 * otfgen: seeded, procedural training data, generated in memory as training
 * runs. This entry point is browser-safe: batches, streams and their
 * operators, the warm-up schedule, tensors at the edge, tasks, CPU image
 * kernels, in-memory and IDX sources, and fitting a task to real images.
 * Adaptive generation is `otfgen/adaptive`; files, workers and backends are
 * `otfgen/node`; the reference CNNs and training loop are `otfgen/harness`.
 * @packageDocumentation
 */
// The argument validators (checkInt, describe, ...) stay internal: only the error classes are API.
export { OtfgenError, OtfgenArgumentError, OtfgenFileError, OtfgenUnknownTaskError, OtfgenTaskError, OtfgenBackendError } from './core/errors.js';
export { sampleLength, allocBatch, checkBatch, type TargetSpec, type Batch, type BatchArrays } from './core/batch.js';
export { Rng, type Seed } from './core/rng.js';

export { Stream, fromIterable, type Operator, type StreamSize } from './stream/stream.js';
export { map } from './stream/map.js';
export { take } from './stream/take.js';
export { rebatch, type RebatchOptions } from './stream/rebatch.js';
export { shuffle, type ShuffleOptions } from './stream/shuffle.js';
export { mix, type MixOptions, type MixWeights } from './stream/mix.js';
export { concat } from './stream/concat.js';
export { prefetch } from './stream/prefetch.js';
export { shard } from './stream/shard.js';
export { timed, TimedStream, type TimedOptions, type TimingReport } from './stream/timed.js';
export { warmupSchedule, syntheticBatches, type WarmupOptions, type WarmupStep, type WarmupBlend } from './stream/warmup.js';
export { toTensors, toDataset, type ToTensorsOptions, type TensorBatch, type FitDataset } from './stream/tensors.js';

export { arraySource, type ArrayDataset, type ArraySourceOptions } from './sources/arrays.js';
export { parseIdx, encodeIdx, type IdxData } from './sources/idx.js';

export { affineWarp, elasticField, latticeField, type AffineParams, type Displacement } from './image/affine.js';
export { cutMix, CUTMIX_ABSENT_LOGIT, type CutMixOptions } from './image/cutmix.js';

export {
  defineTask,
  type Task,
  type TaskDefinition,
  type TaskOrigin,
  type ParamSpace,
  type ParamSpec,
  type NumberParam,
  type WeightsParam,
  type ParamValues,
  type ResolvedParams,
  type RenderFn,
  type WithClassWeights,
} from './tasks/define-task.js';
export { generate, renderBatch, GeneratedStream, type GenerateOptions, type ParamsOption } from './tasks/generate.js';
export { builtinTasks, taskByName } from './tasks/index.js';
export { pixelCount, pixelCountTask, type PixelCountOptions, type PixelCountParams } from './tasks/pixel-count.js';
export { digits, MNIST_DIGIT_PARAMS, type DigitParams } from './tasks/digits/index.js';
export { fashion, FASHION_CLASSES, type FashionParams } from './tasks/fashion/index.js';
export {
  exemplarTask,
  pickExemplars,
  type Exemplars,
  type ExemplarParams,
  type ExemplarTaskOptions,
  type Deformations,
  type ExemplarDeformations,
} from './tasks/exemplars.js';

export { fitParams, type FitParamsOptions, type FitParamsResult, type FitReference, type FitDistance } from './fit/fit-params.js';
export { imageStatistics, IMAGE_STATISTICS, DEFAULT_STATISTICS, type ImageStatistic, type ImageStatistics, type ImageArray } from './fit/image-statistics.js';
