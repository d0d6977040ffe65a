/**
 * otfgen/node: the Node-only parts: files, MNIST, backend selection and the
 * wasm training kernels.
 * @packageDocumentation
 */
export { readIdx, writeIdx } from './sources/idx-file.js';
export { mnist, mnistDataDir, type MnistOptions, type MnistDataset } from './sources/mnist.js';
export { selectBackend, BACKEND_ORDER, type BackendChoice, type BackendSelection, type SelectBackendOptions } from './backend/select.js';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './backend/wasm-kernels.js';
export { createModel, checkInput, type Architecture, type HarnessModel, type ModelOptions } from './harness/models.js';
export {
  train,
  trainStep,
  evaluate,
  clipByGlobalNorm,
  learningRateAt,
  SplitAdam,
  type TrainOptions,
  type StepRecord,
  type EvalRecord,
  type RunResult,
  type EvaluationOptions,
  type LearningRateSchedule,
} from './harness/train.js';
export { previewPng, writePreview, type PreviewOptions } from './harness/preview.js';
