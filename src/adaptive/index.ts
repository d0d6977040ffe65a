/**
 * otfgen/adaptive: generation that adapts to the model. Differentiable warps
 * of image tensors, deformations learnt by registration, a learned augmenter,
 * and controllers that steer a task's parameters or a mix's weights from
 * training signals (REINFORCE policies, strength, class reweighting,
 * self-training). Needs `@tensorflow/tfjs-core` and a backend with gradients.
 * @packageDocumentation
 */
export { affineWarpTensor, elasticDisplacement, AFFINE_PARAM_NAMES, type AffineWarpTensorOptions } from './warp.js';
export { learnDeformations, learnExemplarDeformations, type LearnDeformationsOptions, type LearnExemplarDeformationsOptions } from './deformations.js';
export { learnedAugmenter, type LearnedAugmenter, type LearnedAugmenterOptions, type AugmenterLogEntry } from './learned.js';
export { classReweighting, type ClassReweighting, type ClassReweightingOptions, type ReweightingLogEntry } from './class-reweighting.js';
export {
  policyController,
  type PolicyController,
  type PolicyControllerOptions,
  type PolicyLogEntry,
  type PolicyReward,
  type ReinforceOptions,
} from './policy.js';
export { mixPolicy, type MixPolicy, type MixPolicyLogEntry, type MixPolicyOptions } from './mix-policy.js';
export { strengthController, type StrengthController, type StrengthControllerOptions, type StrengthLogEntry } from './strength.js';
export {
  selfTraining,
  type SelfTraining,
  type SelfTrainingOptions,
  type SelfTrainingStage,
  type SelfTrainingLogEntry,
  type UnlabelledImages,
} from './self-training.js';
export { clipByGlobalNorm } from './gradients.js';
export type { Controller, TrainingSignal } from './controller.js';
