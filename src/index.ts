/**
 * otfgen: seeded, procedural training data, generated in memory as training
 * runs. This entry point is browser-safe; Node-only parts are in `otfgen/node`.
 * @packageDocumentation
 */
// The argument validators (checkInt, describe, ...) stay internal: only the error classes are API.
export { OtfgenError, OtfgenArgumentError, OtfgenFileError, OtfgenUnknownTaskError, OtfgenTaskError, OtfgenBackendError } from './errors.js';
export { sampleLength, targetLength, allocBatch, copySamples, checkBatch, type TargetSpec, type Batch, type BatchArrays } from './batch.js';
export { Rng, popcount32, type Seed } from './random/rng.js';
export * from './stream/index.js';
export * from './tasks/index.js';
export * from './sources/idx.js';
export { arraySource, type ArrayDataset, type ArraySourceOptions } from './sources/arrays.js';
export { warmupSchedule, syntheticBatches, type WarmupBlend, type WarmupOptions, type WarmupStep } from './schedule/warmup.js';
export * from './tensors.js';
export { affineWarp, elasticField, latticeField, type AffineParams, type Displacement } from './augment/affine.js';
export {
  learnDeformations,
  learnExemplarDeformations,
  type Deformations,
  type ExemplarDeformations,
  type LearnDeformationsOptions,
  type LearnExemplarDeformationsOptions,
} from './augment/deformations.js';
export { affineWarpTensor, elasticDisplacement, AFFINE_PARAM_NAMES, type AffineWarpTensorOptions } from './augment/warp.js';
export { learnedAugmenter, LearnedAugmenter, type LearnedAugmenterOptions, type AugmenterLogEntry } from './augment/learned.js';
export { classReweighting, ClassReweighting, type ClassReweightingOptions, type ReweightingLogEntry } from './augment/class-reweighting.js';
export { policyController, PolicyController, type PolicyControllerOptions, type PolicyLogEntry, type PolicyReward, type ReinforceOptions } from './augment/policy.js';
export { mixPolicy, MixPolicy, type MixPolicyLogEntry, type MixPolicyOptions } from './augment/mix-policy.js';
export { strengthController, StrengthController, type StrengthControllerOptions, type StrengthLogEntry } from './augment/strength.js';
export { selfTraining, SelfTraining, type SelfTrainingOptions, type SelfTrainingStage, type SelfTrainingLogEntry, type UnlabelledImages } from './augment/self-training.js';
export { cutMix, CUTMIX_ABSENT_LOGIT, type CutMixOptions } from './augment/cutmix.js';
export type { Controller, TrainingSignal } from './augment/controller.js';
export { clipByGlobalNorm } from './gradients.js';
