/**
 * otfgen/browser: generation in Web Workers, the browser's counterpart of
 * `generateInWorkers` from `otfgen/node`, on the same message plan.
 * @packageDocumentation
 */
export { generateInWebWorkers, type WebWorkerGenerateOptions } from './web-workers.js';
