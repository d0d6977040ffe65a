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
export {
  OtfgenError,
  OtfgenArgumentError,
  OtfgenFileError,
  OtfgenUnknownTaskError,
  OtfgenTaskError,
  OtfgenBackendError,
  OtfgenVersionError,
} from './core/errors.js';
export { sampleLength, allocBatch, checkBatch, type TargetSpec, type Batch } from './core/batch.js';
export { Rng, type Seed } from './core/rng.js';

export { Stream, fromIterable, type Operator, type StreamSize } from './stream/stream.js';
export { map } from './stream/map.js';
export { take } from './stream/take.js';
export { rebatch } from './stream/rebatch.js';
export { shuffle } from './stream/shuffle.js';
export { mix, type MixWeights } from './stream/mix.js';
export { concat } from './stream/concat.js';
export { prefetch } from './stream/prefetch.js';
export { shard } from './stream/shard.js';
export { timed, type TimedStream, type TimingReport } from './stream/timed.js';
export { warmupSchedule, syntheticBatches, type WarmupOptions, type WarmupStep, type WarmupBlend } from './stream/warmup.js';
export { toTensors, toDataset } from './stream/tensors.js';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './backend/wasm-kernels.js';

export { arraySource, type ArrayDataset } from './sources/arrays.js';
export { parseIdx, encodeIdx, type IdxData } from './sources/idx.js';

export { affineWarp, elasticField, type AffineParams } from './image/affine.js';
export { cutMix, CUTMIX_ABSENT_LOGIT } from './image/cutmix.js';

export {
  defineTask,
  type Task,
  type TaskDefinition,
  type ParamSpace,
  type ParamSpec,
  type NumberParam,
  type WeightsParam,
  type ParamValues,
  type ResolvedParams,
  type WithClassWeights,
} from './tasks/define-task.js';
export { generate, renderBatch, type GeneratedStream, type GenerateOptions, type ParamsOption } from './tasks/generate.js';
export { taskByName } from './tasks/index.js';
export { makeRecipe, checkRecipe, generateRecipe, type Recipe, type RecipeOptions } from './tasks/recipe.js';
export { pixelCount, pixelCountTask, type PixelCountParams } from './tasks/pixel-count.js';
export { digits, MNIST_DIGIT_PARAMS, type DigitParams } from './tasks/digits/index.js';
export { fashion, FASHION_CLASSES, type FashionParams } from './tasks/fashion/index.js';
export { exemplarTask, pickExemplars, type Exemplars, type ExemplarParams, type Deformations, type ExemplarDeformations } from './tasks/exemplars.js';

export { fitParams, type FitParamsResult } from './fit/fit-params.js';
export { imageStatistics, IMAGE_STATISTICS, type ImageStatistic, type ImageStatistics } from './fit/image-statistics.js';
