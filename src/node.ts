/**
 * otfgen/node: the Node-only parts: files, MNIST, backend selection and the
 * wasm training kernels. The training harness is `otfgen/harness`.
 * @packageDocumentation
 */
export { readIdx, writeIdx } from './sources/idx-file.js';
export { mnist, mnistDataDir, type MnistOptions, type MnistDataset } from './sources/mnist.js';
export { selectBackend, BACKEND_ORDER, type BackendChoice, type BackendSelection, type SelectBackendOptions } from './backend/select.js';
export { registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './backend/wasm-kernels.js';
export { generate, type ParallelGenerateOptions } from './parallel/generate.js';
export { exportDataset, type ExportOptions, type ExportResult } from './sources/export.js';
export { imageFolder, writeImageFolder, type ImageFolderOptions } from './sources/image-folder.js';
