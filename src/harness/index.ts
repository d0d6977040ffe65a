/**
 * otfgen/harness: reference CNNs, the training loop, evaluation, distillation,
 * previews and read-back, for running the warm-up studies in
 * your own code. Needs `@tensorflow/tfjs-layers` (an optional peer of otfgen).
 * @packageDocumentation
 */
export { createModel, checkInput, type Architecture, type HarnessModel, type ModelOptions } from './models.js';
export {
  train,
  trainStep,
  evaluate,
  learningRateAt,
  SplitAdam,
  type TrainOptions,
  type FeedbackOptions,
  type StepRecord,
  type EvalRecord,
  type RunResult,
  type EvaluationOptions,
  type LearningRateSchedule,
} from './train.js';
export { teacherLogits, logitsTarget, type TeacherLogitsOptions } from './distil.js';
export { previewPng, writePreview, type PreviewOptions } from './preview.js';
export { readBack, type ReadBackOptions, type ReadBackResult } from './read-back.js';
