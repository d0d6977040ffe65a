/**
 * otfgen/node: the Node-only parts: files, MNIST.
 * @packageDocumentation
 */
export { readIdx, writeIdx } from './sources/idx-file.js';
export { mnist, mnistDataDir, type MnistOptions, type MnistDataset } from './sources/mnist.js';
