/**
 * selfTraining: an exemplar generator whose pool grows from unlabelled real
 * images, labelled by the classifier under training (self-training, or
 * pseudo-labelling). At the batches its schedule names, the classifier reads
 * every unlabelled image; the ones it reads most confidently as each class
 * join that class's exemplars until the next reading, which chooses afresh.
 */
import * as tf from '@tensorflow/tfjs-core';
import { sampleLength, type Batch } from '../core/batch.js';
import { checkKeys, OtfgenArgumentError, checkInt, checkNumber, describe } from '../core/errors.js';
import { checkSeed, type Seed } from '../core/rng.js';
import { Stream } from '../stream/stream.js';
import { exemplarTask, type ExemplarParams, type Exemplars } from '../tasks/exemplars.js';
import type { WithClassWeights } from '../tasks/define-task.js';
import { checkParams, generate, type ParamsOption } from '../tasks/generate.js';
import type { Controller } from './controller.js';

/** Images without labels (a dataset's labels, if it has them, are not read). */
export interface UnlabelledImages {
  /** The images, one after another: uint8 (0-255) or float (0-1). */
  readonly x: Uint8Array | Float32Array;
  /** One image's shape: the exemplars' ([height, width, 1]). */
  readonly sampleShape: readonly number[];
}

/** One reading of the unlabelled images. */
export interface SelfTrainingStage {
  /**
   * The batch of this stream (counted from 0) before which the classifier reads them: trained on
   * this stream alone, it has then trained on `at` batches. In a `mix`, count this stream's own
   * batches: with half of each batch's samples from it, it gives a batch every two steps.
   */
  readonly at: number;
  /** Up to this many images join each class: those read as it with the highest probability. */
  readonly perClass: number;
}

/** Options of {@link selfTraining}. */
export interface SelfTrainingOptions {
  /** The labelled exemplars (e.g. `pickExemplars(trainSet, { perClass: 1 })`): always in the pool. */
  readonly exemplars: Exemplars;
  /** The unlabelled images the pool grows from. */
  readonly unlabelled: UnlabelledImages;
  /**
   * The classifier being trained: images `[n, height, width, channels]` to logits `[n, classes]`.
   * Called, not trained, here. With the harness: `(x) => net.apply(x, { training: false })`.
   */
  readonly classifier: (images: tf.Tensor4D) => tf.Tensor;
  /** When the classifier reads the unlabelled images and how many join each class, `at` increasing. */
  readonly schedule: readonly SelfTrainingStage[];
  /** Least probability an image must be given to join a class, in [0, 1] (default 0). */
  readonly minConfidence?: number;
  /** Seeds the draws (default 0): the stream after each reading has a seed of its own made from it. */
  readonly seed?: Seed;
  /** Samples per batch (default 64). */
  readonly batchSize?: number;
  /** The exemplar task's warp ranges (fixed, or a function of the batch index, counted over the whole stream). */
  readonly params?: ParamsOption<WithClassWeights<ExemplarParams>>;
}

/** What one reading chose. */
export interface SelfTrainingLogEntry {
  /** The batch before which it was made. */
  readonly step: number;
  /** The unlabelled images that joined the pool (their indices), class by class. */
  readonly indices: readonly number[];
  /** The class each was given. */
  readonly labels: readonly number[];
  /** Their mean probability for that class. */
  readonly meanConfidence: number;
}

/** Images read at once: bounds the memory of a reading whatever the unlabelled set's size. */
const CHUNK = 500;

/**
 * Makes a self-training exemplar generator: `stream` is `generate(exemplarTask(pool), ...)`
 * whose pool is the exemplars and, after each reading, the unlabelled images the classifier
 * read most confidently as each class. A reading is made when the stream is asked for batch
 * `at`, so with `train` (which draws a batch, trains on it, then draws the next) the classifier
 * has trained on exactly `at` batches: put nothing that draws ahead, such as `prefetch`,
 * between them, or the readings move. A Layers model's `fitDataset(toDataset(stream), { epochs,
 * batchesPerEpoch })` draws the same way and keeps one pass across epochs (without
 * `batchesPerEpoch`, each epoch would start the stream, and its readings, again).
 * Every tensor of a reading is disposed of before it returns.
 * @example
 * ```ts
 * const net = model.modelFor({ kind: 'class', classes: 10 });
 * const grow = selfTraining({
 *   exemplars: pickExemplars(trainSet, { perClass: 1, seed: 1 }),
 *   unlabelled: { x: trainSet.x.subarray(58_000 * 784), sampleShape: [28, 28, 1] }, // 2,000 images; their labels unread
 *   classifier: (x) => net.apply(x, { training: false }) as tf.Tensor,
 *   schedule: [{ at: 100, perClass: 10 }, { at: 200, perClass: 20 }, { at: 300, perClass: 35 }, { at: 400, perClass: 50 }],
 *   seed: 1,
 *   params: { rotation: [-37.5, 37.5], scale: [0.75, 1.25], shear: [-18.75, 18.75], shift: 3.75, thickness: [-1, 1] },
 * });
 * await train({ model, steps: grow.stream, totalSteps: 500, controllers: [grow] });
 * console.log(grow.log.map((e) => e.indices.length)); // how many images joined at each reading
 * ```
 */
export function selfTraining(options: SelfTrainingOptions): SelfTraining {
  checkKeys('selfTraining options', options, ['exemplars', 'unlabelled', 'classifier', 'schedule', 'minConfidence', 'seed', 'batchSize', 'params']);
  return new SelfTraining(options);
}

/** What `selfTraining` returns: a growing set of exemplars and the stream drawn from them. */
export class SelfTraining implements Controller {
  readonly name = 'self-training';
  /** One entry per reading, in order. */
  readonly log: SelfTrainingLogEntry[] = [];
  /** The batches: infinite, the pool changing at each reading of the schedule. */
  readonly stream: Stream<Batch>;
  private readonly exemplars: Exemplars;
  private readonly unlabelled: UnlabelledImages;
  private readonly count: number;
  private readonly schedule: readonly SelfTrainingStage[];
  private readonly minConfidence: number;
  private pseudo = 0;

  constructor(private readonly options: SelfTrainingOptions) {
    if (!options || typeof options.classifier !== 'function') {
      throw new OtfgenArgumentError('selfTraining options.classifier', 'expected a function from images [n, h, w, c] to logits [n, classes]');
    }
    const ex = options.exemplars;
    const first = exemplarTask(ex); // the task before any reading; building it checks the exemplars, naming what is wrong
    this.exemplars = ex;
    const u = options.unlabelled;
    if (!u || !(u.x instanceof Uint8Array || u.x instanceof Float32Array))
      throw new OtfgenArgumentError('selfTraining options.unlabelled.x', `expected a Uint8Array or Float32Array of images, got ${describe(u?.x)}`);
    if (!Array.isArray(u.sampleShape) || u.sampleShape.join('x') !== ex.sampleShape.join('x')) {
      throw new OtfgenArgumentError(
        'selfTraining options.unlabelled.sampleShape',
        `expected the exemplars' shape [${ex.sampleShape.join(', ')}], got ${describe(u.sampleShape)}`,
      );
    }
    const n = sampleLength(ex.sampleShape);
    if (u.x.length === 0 || u.x.length % n !== 0)
      throw new OtfgenArgumentError('selfTraining options.unlabelled.x', `expected one or more images of ${n} values, got ${u.x.length} values`);
    this.unlabelled = u;
    this.count = u.x.length / n;
    if (!Array.isArray(options.schedule) || options.schedule.length === 0) {
      throw new OtfgenArgumentError('selfTraining options.schedule', 'expected one or more readings, e.g. [{ at: 100, perClass: 10 }]');
    }
    options.schedule.forEach((s, i) => {
      const name = `selfTraining options.schedule[${i}]`;
      checkInt(`${name}.at`, s?.at, i === 0 ? 0 : options.schedule[i - 1].at + 1);
      checkInt(`${name}.perClass`, s.perClass, 1);
    });
    this.schedule = options.schedule;
    this.minConfidence = checkNumber('selfTraining options.minConfidence', options.minConfidence ?? 0, 0, 1);
    const batchSize = checkInt('selfTraining options.batchSize', options.batchSize ?? 64, 1);
    const seed = checkSeed('selfTraining options.seed', options.seed ?? 0);
    const params = options.params;
    // Fixed warp ranges are checked against the task's declared ones now, not at the first batch.
    if (params !== undefined && typeof params !== 'function') checkParams(first, params, 'selfTraining options.params');
    const self = this;
    this.stream = new Stream<Batch>(async function* () {
      let task = first;
      self.pseudo = 0;
      let step = 0;
      for (let stage = 0; ; stage++) {
        const end = stage < self.schedule.length ? self.schedule[stage].at : Infinity;
        const offset = step;
        const stageParams = typeof params === 'function' ? (i: number) => params(i + offset) : params;
        const batches = generate(task, { seed: stage === 0 ? seed : `${seed}/reading${stage}`, batchSize, params: stageParams });
        for await (const batch of batches) {
          if (step >= end) break;
          yield batch;
          step++;
        }
        if (stage >= self.schedule.length) return; // not reached: the last stage's stream has no end
        task = exemplarTask(self.read(self.schedule[stage]));
      }
    }, Infinity);
  }

  /** Unlabelled images in the pool now (those of the last reading). */
  current(): Record<string, number> {
    return { pseudoLabels: this.pseudo };
  }

  /** Nothing to learn from the training loop's signals: the readings are made on the stream's schedule. */
  observe(): void {}

  /** One reading: the classifier's probabilities for every unlabelled image; returns the pool it makes. */
  private read(stage: SelfTrainingStage): Exemplars {
    const ex = this.exemplars;
    const classes = ex.target.classes;
    const shape = ex.sampleShape as [number, number, number];
    const n = sampleLength(shape);
    const x = this.unlabelled.x;
    const scale = x instanceof Uint8Array ? 1 / 255 : 1;
    const best = new Int32Array(this.count);
    const confidence = new Float32Array(this.count);
    const chunk = new Float32Array(Math.min(CHUNK, this.count) * n);
    for (let start = 0; start < this.count; start += CHUNK) {
      const k = Math.min(CHUNK, this.count - start);
      for (let t = 0; t < k * n; t++) chunk[t] = x[start * n + t] * scale;
      const p = tf.tidy(() => {
        const logits = this.options.classifier(tf.tensor4d(chunk.subarray(0, k * n), [k, ...shape]));
        if (logits.shape.length !== 2 || logits.shape[0] !== k || logits.shape[1] !== classes) {
          throw new OtfgenArgumentError(
            'selfTraining options.classifier',
            `expected logits [${k}, ${classes}] for ${k} images, got [${logits.shape.join(', ')}]`,
          );
        }
        return tf.softmax(logits);
      });
      const probs = p.dataSync();
      p.dispose();
      for (let i = 0; i < k; i++) {
        let c = 0;
        for (let j = 1; j < classes; j++) if (probs[i * classes + j] > probs[i * classes + c]) c = j;
        best[start + i] = c;
        confidence[start + i] = probs[i * classes + c];
      }
    }
    const indices: number[] = [];
    const labels: number[] = [];
    let total = 0;
    for (let c = 0; c < classes; c++) {
      const mine: number[] = [];
      for (let i = 0; i < this.count; i++) if (best[i] === c && confidence[i] >= this.minConfidence) mine.push(i);
      mine.sort((a, b) => confidence[b] - confidence[a] || a - b);
      for (const i of mine.slice(0, stage.perClass)) {
        indices.push(i);
        labels.push(c);
        total += confidence[i];
      }
    }
    this.log.push({ step: stage.at, indices, labels, meanConfidence: indices.length ? total / indices.length : NaN });
    this.pseudo = indices.length;
    const px = new Float32Array(ex.x.length + indices.length * n);
    px.set(ex.x);
    indices.forEach((i, j) => {
      for (let t = 0; t < n; t++) px[ex.x.length + j * n + t] = x[i * n + t] * scale;
    });
    return { ...ex, x: px, y: Int32Array.from([...ex.y, ...labels]) };
  }
}
