/**
 * Reference CNNs for the warm-up studies: a body whose weights carry over, and
 * one head per target kind, swapped when the task changes.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { describeTarget, sameShape, type TargetSpec } from '../core/batch.js';
import { checkKeys, OtfgenArgumentError, checkInt, describe } from '../core/errors.js';

/** Which of the harness's CNNs: see {@link ModelOptions.architecture}. */
export type Architecture = 'reference' | 'wide' | 'small';

const ARCHITECTURES: readonly Architecture[] = ['reference', 'wide', 'small'];
// Filters of the two convolutions and units of the dense layer.
const WIDTHS = { reference: [8, 16, 64], wide: [32, 64, 128] } as const;

/** Options of {@link createModel}. */
export interface ModelOptions {
  /** 'reference' (default): the study's classifier, conv 3x3x8, max-pool, conv 3x3x16, max-pool, dense 64, head.
   *  'wide': the same layout, four times the filters (32, 64) and twice the dense units (128): to tell
   *  what a task teaches from what the reference CNN can hold. About 6 times the reference's step time on wasm here.
   *  'small': conv 3x3x4, conv 3x3x8, average pool, head. */
  readonly architecture?: Architecture;
  /** One sample's shape, [height, width, channels] (default [28, 28, 1]). */
  readonly inputShape?: readonly number[];
  /** Seeds the weight initialisers, so runs are reproducible on any backend. */
  readonly seed?: number;
}

/** A body and its heads. `modelFor(target)` gives a model ending in the head for that target. */
export interface HarnessModel {
  /** The architecture it was made with. */
  readonly architecture: Architecture;
  /** The sample shape it takes, [height, width, channels]. */
  readonly inputShape: readonly number[];
  /** The shared layers (all but the head). */
  readonly body: tfl.Sequential;
  /** A model for this target: the body plus a head made on first use (logits for classes). */
  modelFor(target: TargetSpec): tfl.LayersModel;
  /** Trainable weights of the body. */
  bodyWeights(): tf.Variable[];
  /** Trainable weights of the head for `target`. */
  headWeights(target: TargetSpec): tf.Variable[];
  /** Frees the weights of the body and of every head made. */
  dispose(): void;
}

/** The outputs of the head for `target`: one logit per class, or the regression size. */
export function headUnits(target: TargetSpec): number {
  return target.kind === 'class' ? target.classes : target.size;
}

/**
 * @example
 * ```ts
 * const m = createModel({ seed: 1 });
 * const net = m.modelFor({ kind: 'class', classes: 10 }); // outputs logits
 * ```
 */
export function createModel(options: ModelOptions = {}): HarnessModel {
  checkKeys('createModel options', options, ['architecture', 'inputShape', 'seed']);
  const architecture = options.architecture ?? 'reference';
  if (!ARCHITECTURES.includes(architecture)) {
    throw new OtfgenArgumentError(
      'createModel options.architecture',
      `expected one of ${ARCHITECTURES.map((a) => `'${a}'`).join(', ')}, got ${describe(architecture)}`,
    );
  }
  const inputShape = [...(options.inputShape ?? [28, 28, 1])];
  if (inputShape.length !== 3)
    throw new OtfgenArgumentError('createModel options.inputShape', `expected [height, width, channels], got ${describe(inputShape)}`);
  inputShape.forEach((d, i) => checkInt(`createModel options.inputShape[${i}]`, d, 1));
  const seed = checkInt('createModel options.seed', options.seed ?? 0, 0);
  let k = 0;
  const init = () => tfl.initializers.glorotUniform({ seed: seed * 101 + k++ });
  const body =
    architecture !== 'small'
      ? tfl.sequential({
          layers: [
            tfl.layers.conv2d({ inputShape, filters: WIDTHS[architecture][0], kernelSize: 3, activation: 'relu', kernelInitializer: init() }),
            tfl.layers.maxPooling2d({ poolSize: 2 }),
            tfl.layers.conv2d({ filters: WIDTHS[architecture][1], kernelSize: 3, activation: 'relu', kernelInitializer: init() }),
            tfl.layers.maxPooling2d({ poolSize: 2 }),
            tfl.layers.flatten(),
            tfl.layers.dense({ units: WIDTHS[architecture][2], activation: 'relu', kernelInitializer: init() }),
          ],
        })
      : tfl.sequential({
          layers: [
            tfl.layers.conv2d({ inputShape, filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: init() }),
            tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, activation: 'relu', kernelInitializer: init() }),
            tfl.layers.averagePooling2d({ poolSize: 2 }),
            tfl.layers.flatten(),
          ],
        });
  const models = new Map<string, tfl.LayersModel>();
  const key = (t: TargetSpec) => (t.kind === 'class' ? `class:${t.classes}` : `regression:${t.size}`);
  const modelFor = (target: TargetSpec): tfl.LayersModel => {
    let m = models.get(key(target));
    if (!m) {
      const units = headUnits(target);
      const head = tfl.layers.dense({
        units,
        kernelInitializer: tfl.initializers.glorotUniform({ seed: seed * 101 + 50 + units }),
        name: `head_${key(target).replace(':', '_')}_${seed}_${models.size}`,
      });
      m = tfl.sequential({ layers: [body, head] });
      models.set(key(target), m);
    }
    return m;
  };
  return {
    architecture,
    inputShape,
    body,
    modelFor,
    bodyWeights: () => variablesOf(body.trainableWeights),
    headWeights: (target) => {
      const m = modelFor(target);
      return variablesOf(m.layers[m.layers.length - 1].trainableWeights);
    },
    dispose() {
      for (const m of models.values()) m.layers[m.layers.length - 1].dispose();
      body.dispose();
      models.clear();
    },
  };
}

function variablesOf(weights: tfl.LayerVariable[]): tf.Variable[] {
  // LayerVariable wraps a core Variable; gradients are taken with respect to those.
  return weights.map((w) => (w as unknown as { val: tf.Variable }).val);
}

/** Throws unless a batch's sample shape fits the model. */
export function checkInput(model: HarnessModel, sampleShape: readonly number[], target: TargetSpec): void {
  if (!sameShape(model.inputShape, sampleShape)) {
    throw new OtfgenArgumentError(
      'batch.sampleShape',
      `[${sampleShape.join(', ')}] does not fit the model's input [${model.inputShape.join(', ')}] (${describeTarget(target)})`,
    );
  }
}
