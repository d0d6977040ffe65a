/**
 * otfgen/node: the Node-only parts. Readers (IDX files, MNIST, PNG class
 * folders), writers (exports for other frameworks, image folders), generation
 * in worker threads, and backend selection with the wasm training kernels.
 * @packageDocumentation
 */
export { readIdx, writeIdx } from './files/idx-file.js';
export type { IdxArray } from '../sources/idx.js';
export { mnist, mnistDataDir, type MnistOptions, type MnistDataset } from './files/mnist.js';
export { imageFolder, type ImageFolderOptions } from './files/image-folder.js';
export { writeImageFolder } from './writers/image-folder.js';
export {
  exportDataset,
  exportRecipe,
  readRecipe,
  recipeTask,
  type ExportOptions,
  type ExportRecipeOptions,
  type ExportResult,
  type ExportShard,
  type ExportManifest,
  type ManifestFile,
} from './writers/export.js';
export { verifyExport, mergeExport, type VerifiedSet, type MergeOptions, type MergedSet } from './writers/shards.js';
export { generateInWorkers, type WorkerGenerateOptions } from './workers/generate.js';
export { selectBackend, BACKEND_ORDER, type BackendChoice, type BackendSelection, type SelectBackendOptions } from './backend/select.js';
