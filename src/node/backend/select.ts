/**
 * selectBackend: picks the fastest tfjs backend that loads here, and says why
 * it skipped the others. Nothing happens until it is called: importing otfgen
 * never sets a backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkKeys, OtfgenBackendError, describe } from '../../core/errors.js';
import { registerWasmTrainingKernels } from '../../backend/wasm-kernels.js';

/** Backends in the order tried: native GPU, native CPU, wasm with otfgen's training kernels, plain JS cpu. */
export const BACKEND_ORDER = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
/** A backend `selectBackend` can load: one of {@link BACKEND_ORDER}. */
export type BackendChoice = (typeof BACKEND_ORDER)[number];

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /** Use exactly this backend (an error if it cannot load), or 'auto' (default) for the first that loads. */
  readonly backend?: BackendChoice | 'auto';
  /** Backends not to try in 'auto' mode, e.g. ['tensorflow-gpu']. */
  readonly exclude?: readonly BackendChoice[];
}

/** What {@link selectBackend} chose, and why. */
export interface BackendSelection {
  /** What was chosen. */
  readonly choice: BackendChoice;
  /** tfjs's name for it (`tf.getBackend()`): 'tensorflow', 'wasm' or 'cpu'. */
  readonly tfName: string;
  /** One line on why, e.g. 'wasm with otfgen training kernels (SIMD)'. */
  readonly reason: string;
  /** The ones tried first and why each was skipped. */
  readonly skipped: readonly {
    /** A backend tried before the chosen one. */
    readonly choice: BackendChoice;
    /** Why it did not load, e.g. '@tensorflow/tfjs-node is not installed'. */
    readonly why: string;
  }[];
}

const PACKAGES: Record<BackendChoice, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

// Dynamic import through a variable: bundlers must not pull optional backends in.
const load = (name: string): Promise<unknown> => import(/* @vite-ignore */ name);

async function tryBackend(choice: BackendChoice): Promise<string> {
  const pkg = PACKAGES[choice];
  try {
    await load(pkg);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const message = String((e as Error)?.message ?? e);
    // Node says so by code; bundlers and test runners in their own words.
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)|Could not resolve/.test(message);
    throw new Error(missing ? `${pkg} is not installed` : `${pkg} failed to load: ${message.split('\n')[0]}`);
  }
  if (choice === 'wasm') registerWasmTrainingKernels();
  const tfName = choice === 'tensorflow-gpu' ? 'tensorflow' : choice;
  if (!(await tf.setBackend(tfName))) throw new Error(`${pkg} loaded but tf.setBackend('${tfName}') failed`);
  await tf.ready();
  return tfName;
}

/**
 * @example
 * ```ts
 * import { selectBackend } from 'otfgen/node';
 * const { choice, reason, skipped } = await selectBackend();
 * console.log(choice, reason, skipped); // 'wasm', ..., [{ choice: 'tensorflow', why: '@tensorflow/tfjs-node is not installed' }]
 * ```
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<BackendSelection> {
  checkKeys('selectBackend options', options, ['backend', 'exclude']);
  const wanted = options.backend ?? 'auto';
  if (wanted !== 'auto' && !BACKEND_ORDER.includes(wanted)) {
    throw new OtfgenBackendError(`selectBackend options.backend: expected 'auto' or one of ${BACKEND_ORDER.join(', ')}, got ${describe(wanted)}`);
  }
  const order = wanted === 'auto' ? BACKEND_ORDER.filter((b) => !options.exclude?.includes(b)) : [wanted];
  const skipped: { choice: BackendChoice; why: string }[] = [];
  for (const choice of order) {
    try {
      const tfName = await tryBackend(choice);
      return { choice, tfName, reason: reasonFor(choice), skipped };
    } catch (e) {
      skipped.push({ choice, why: (e as Error).message });
    }
  }
  throw new OtfgenBackendError(
    `no backend could be loaded: ${skipped.map((s) => `${s.choice}: ${s.why}`).join('; ')}. ` +
      'Install one: npm install @tensorflow/tfjs-backend-wasm (works everywhere) or @tensorflow/tfjs-node',
  );
}

function reasonFor(choice: BackendChoice): string {
  switch (choice) {
    case 'tensorflow-gpu':
      return 'native TensorFlow with CUDA (tfjs-node-gpu)';
    case 'tensorflow':
      return 'native TensorFlow on the CPU (tfjs-node)';
    case 'wasm':
      return `wasm with otfgen training kernels${tf.env().getBool('WASM_HAS_SIMD_SUPPORT') ? ' (SIMD)' : ''}`;
    default:
      return 'plain JavaScript cpu backend (slowest)';
  }
}
