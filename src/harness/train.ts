/**
 * The training loop of the harness: consumes a warm-up schedule (or plain
 * batches), swaps the head when the task changes, clips gradients, follows a
 * learning-rate schedule, evaluates on held-out data, and records each step's
 * loss, data-wait time and compute time.
 */
import * as tf from '@tensorflow/tfjs-core';
import { checkBatch, describeTarget, type Batch, type TargetSpec } from '../core/batch.js';
import { checkKeys, OtfgenArgumentError, checkInt, checkNumber, describe } from '../core/errors.js';
import type { Controller } from '../adaptive/controller.js';
import { arraySource, datasetCount, type ArrayDataset } from '../sources/arrays.js';
import type { WarmupStep } from '../stream/warmup.js';
import { checkAsyncIterable, sizeOf } from '../stream/stream.js';
import { toTensors } from '../stream/tensors.js';
import { clipByGlobalNorm } from '../adaptive/gradients.js';
import { checkInput, headUnits, type HarnessModel } from './models.js';

/** How the learning rate moves over a run: see {@link TrainOptions.lrSchedule}. */
export type LearningRateSchedule = 'constant' | 'one-cycle';

/** The learning rate `train` uses when none is given: 0.001 constant, a 0.003 peak with one-cycle. */
export function defaultLearningRate(schedule: LearningRateSchedule): number {
  return schedule === 'one-cycle' ? 0.003 : 0.001;
}

/** The test-set evaluations of a run (`train`'s `evaluation`). */
export interface EvaluationOptions {
  /** Held-out data with class targets, e.g. `await mnist({ split: 'test' })`. */
  readonly data: ArrayDataset;
  /** Steps after which to evaluate (the last step always is). */
  readonly at?: readonly number[];
  /** Evaluate on the first `limit` samples only (default: all). */
  readonly limit?: number;
  /** Samples per forward pass (default 500). */
  readonly batchSize?: number;
  /**
   * The head whose outputs are read as class scores (default: the class head
   * for `data.target`). A regression head of as many outputs as classes, for a
   * student taught teacher logits (`logitsTarget(classes)`), is the other choice.
   */
  readonly head?: TargetSpec;
}

/** Options of {@link train}. */
export interface TrainOptions {
  /** The model to train, from `createModel`; its heads are made as the batches' targets ask. */
  readonly model: HarnessModel;
  /** A `warmupSchedule(...)`, or any stream of batches. */
  readonly steps: AsyncIterable<WarmupStep | Batch>;
  /** Steps to run; default: the stream's size, which must then be finite. */
  readonly totalSteps?: number;
  /** Peak learning rate of Adam (default 0.001; 0.003 with one-cycle). */
  readonly learningRate?: number;
  /** 'constant' (default) or 'one-cycle': linear rise over the first 30% to the peak, then cosine down to 1/100 of it. */
  readonly lrSchedule?: LearningRateSchedule;
  /** Clip gradients to this global norm (default 5; 0 turns clipping off). */
  readonly clipNorm?: number;
  /** Test-set evaluations: after the steps in `at` and after the last step (`RunResult.final`). */
  readonly evaluation?: EvaluationOptions;
  /**
   * Adaptive generators to keep informed: each hears every step's loss and
   * every `feedback` evaluation, and what each chose goes into the step records.
   */
  readonly controllers?: readonly Controller[];
  /** Held-out real data (not the test set) evaluated every `every` steps for the controllers. */
  readonly feedback?: FeedbackOptions;
  /** Called after every step. */
  readonly onStep?: (record: StepRecord) => void;
  /**
   * Stops the run after the current step; the result holds what was done.
   * With a signal, the loop lets timers and events (a SIGINT handler, a
   * timeout) run every 16 steps: a step on the wasm or cpu backend never
   * waits for anything else, so an abort would otherwise be seen only when
   * the run is over.
   */
  readonly signal?: AbortSignal;
}

/** The held-out evaluations made for the controllers during a run (`train`'s `feedback`). */
export interface FeedbackOptions {
  /** Held-out data with class targets, e.g. a split of the training set. */
  readonly data: ArrayDataset;
  /** Evaluate after every `every` steps. */
  readonly every: number;
  /** Evaluate on the first `limit` samples only (default: all). */
  readonly limit?: number;
}

/** One training step. Times in milliseconds. */
export interface StepRecord {
  /** The step's index, from 0. */
  readonly step: number;
  /** 'warmup' for a warm-up schedule's generated steps; 'real' otherwise (and for plain batch streams). */
  readonly phase: 'warmup' | 'real';
  /** Share of the batch's samples that were generated (0 for plain batch streams). */
  readonly syntheticShare: number;
  /** True on the step where the target changed and a new head took over. */
  readonly taskChanged: boolean;
  /** The training loss on the batch, before the step's update. */
  readonly loss: number;
  /** The learning rate the step used. */
  readonly learningRate: number;
  /** Waiting for the batch (generation or loading). */
  readonly dataMs: number;
  /** Forward, backward and update. */
  readonly computeMs: number;
  /** What each controller chose for this step's batch, by controller name. */
  readonly controls?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** One evaluation on held-out data. */
export interface EvalRecord {
  /** Steps done when it was made. */
  readonly step: number;
  /** Share of the samples classified right. */
  readonly accuracy: number;
  /** Mean cross-entropy over the samples. */
  readonly loss: number;
  /** Accuracy on the samples of each class. */
  readonly perClass: readonly number[];
  /** confusion[true][predicted] counts. */
  readonly confusion: readonly (readonly number[])[];
}

/** What {@link train} returns. Times in milliseconds. */
export interface RunResult {
  /** One record per step done. */
  readonly steps: readonly StepRecord[];
  /** The `signal` stopped the run before its last step (`steps` holds fewer than `totalSteps`). */
  readonly interrupted: boolean;
  /** The test-set evaluations, in order (the last is `final`). */
  readonly evals: readonly EvalRecord[];
  /** The evaluation after the last step (null without evaluation options). */
  readonly final: EvalRecord | null;
  /** The held-out evaluations made for the controllers. */
  readonly feedback: readonly EvalRecord[];
  /** The whole run, evaluations included. */
  readonly wallMs: number;
  /** Waiting for batches, summed over the steps. */
  readonly dataMs: number;
  /** Forward, backward and update, summed over the steps. */
  readonly computeMs: number;
}

/** Learning rate at `step` of `total` for a schedule with peak `lr`. */
export function learningRateAt(schedule: LearningRateSchedule, lr: number, step: number, total: number): number {
  if (schedule === 'constant') return lr;
  const rise = Math.max(1, Math.round(0.3 * total));
  if (step < rise) return lr * (0.1 + (0.9 * (step + 1)) / rise);
  const f = (step - rise) / Math.max(1, total - rise);
  return lr * (0.01 + 0.99 * 0.5 * (1 + Math.cos(Math.PI * f)));
}

/**
 * @example
 * ```ts
 * const result = await train({
 *   model: createModel({ seed: 1 }),
 *   steps: warmupSchedule({ synthetic, real, totalSteps: 500, warmup: 0.3 }),
 *   evaluation: { data: await mnist({ split: 'test' }) },
 * });
 * console.log(result.final?.accuracy);
 * ```
 */
export async function train(options: TrainOptions): Promise<RunResult> {
  checkKeys('train options', options, [
    'model',
    'steps',
    'totalSteps',
    'learningRate',
    'lrSchedule',
    'clipNorm',
    'evaluation',
    'controllers',
    'feedback',
    'onStep',
    'signal',
  ]);
  const { model } = options;
  if (!model || typeof model.modelFor !== 'function')
    throw new OtfgenArgumentError('train options.model', `expected a model made by createModel, got ${describe(model)}`);
  checkAsyncIterable(
    'train options.steps',
    options.steps,
    'an async iterable of batches or warm-up steps (generate(task), warmupSchedule(...); fromIterable(array) for an array)',
  );
  // Checked now, not after the last step, where they are first read.
  if (options.evaluation !== undefined) checkEvaluation('train options.evaluation', options.evaluation);
  if (options.feedback !== undefined) checkEvaluation('train options.feedback', options.feedback);
  const size = sizeOf(options.steps);
  const total = options.totalSteps ?? (size !== null && Number.isFinite(size) ? size : NaN);
  if (!Number.isInteger(total) || total < 1) {
    throw new OtfgenArgumentError('train options.totalSteps', `expected a positive integer (the stream's size is ${describe(size)}); give totalSteps`);
  }
  const schedule = options.lrSchedule ?? 'constant';
  if (schedule !== 'constant' && schedule !== 'one-cycle')
    throw new OtfgenArgumentError('train options.lrSchedule', `expected 'constant' or 'one-cycle', got ${describe(schedule)}`);
  const peak = checkNumber('train options.learningRate', options.learningRate ?? defaultLearningRate(schedule), 0);
  const clipNorm = checkNumber('train options.clipNorm', options.clipNorm ?? 5, 0);
  const evalAt = new Set(options.evaluation?.at ?? []);
  const controllers = options.controllers ?? [];
  const feedbackEvery = options.feedback ? checkInt('train options.feedback.every', options.feedback.every, 1) : 0;
  const feedback: EvalRecord[] = [];
  const optimizer = new SplitAdam(peak);
  const records: StepRecord[] = [];
  const evals: EvalRecord[] = [];
  let prevTarget: TargetSpec | null = null;
  const start = performance.now();
  let dataMs = 0,
    computeMs = 0;
  const it = options.steps[Symbol.asyncIterator]();
  try {
    for (let step = 0; step < total; step++) {
      if (options.signal && step % 16 === 15) await new Promise((resolve) => setTimeout(resolve, 0));
      if (options.signal?.aborted) break;
      const t0 = performance.now();
      const r = await it.next();
      const t1 = performance.now();
      if (r.done) throw new OtfgenArgumentError('train options.steps', `the stream ended after ${step} steps; ${total} were asked`);
      const item = r.value;
      const batch = checkBatch(`train options.steps (batch of step ${step})`, 'batch' in item ? item.batch : item);
      checkInput(model, batch.sampleShape, batch.target);
      const taskChanged = prevTarget !== null && ('taskChanged' in item ? item.taskChanged : prevTarget.kind !== batch.target.kind);
      prevTarget = batch.target;
      const lr = learningRateAt(schedule, peak, step, total);
      optimizer.learningRate = lr;
      const loss = await trainStep(model, optimizer, batch, clipNorm);
      const t2 = performance.now();
      dataMs += t1 - t0;
      computeMs += t2 - t1;
      const record: StepRecord = {
        step,
        phase: 'phase' in item ? item.phase : 'real',
        syntheticShare: 'syntheticShare' in item ? item.syntheticShare : 0,
        taskChanged,
        loss,
        learningRate: lr,
        dataMs: t1 - t0,
        computeMs: t2 - t1,
        ...(controllers.length ? { controls: Object.fromEntries(controllers.map((c) => [c.name, c.current()])) } : {}),
      };
      records.push(record);
      for (const c of controllers) c.observe({ step: step + 1, phase: record.phase, loss });
      if (feedbackEvery && (step + 1) % feedbackEvery === 0) {
        const { data, limit } = options.feedback!;
        const e: EvalRecord = { step: step + 1, ...(await evaluate(model, { data, limit })) };
        feedback.push(e);
        for (const c of controllers) c.observe({ step: step + 1, phase: record.phase, heldOut: e });
      }
      options.onStep?.(record);
      if (options.evaluation && evalAt.has(step + 1) && step + 1 < total) {
        evals.push({ step: step + 1, ...(await evaluate(model, options.evaluation)) });
      }
    }
  } finally {
    await it.return?.();
    optimizer.dispose();
  }
  let final: EvalRecord | null = null;
  if (options.evaluation && records.length > 0) {
    final = { step: records.length, ...(await evaluate(model, options.evaluation)) };
    evals.push(final);
  }
  return { steps: records, interrupted: records.length < total, evals, final, feedback, wallMs: performance.now() - start, dataMs, computeMs };
}

/**
 * Adam for a body with swappable heads. tfjs's Adam keeps its moments by the
 * position of each variable in the list it is given, so one optimiser cannot
 * see two different variable lists: here the body has one Adam, which lives
 * across a head swap, and each head has its own.
 */
export class SplitAdam {
  private readonly body: tf.AdamOptimizer;
  private readonly heads = new Map<string, tf.AdamOptimizer>();
  /** @param learningRate the rate every optimiser uses from its next step; set it to change them all. */
  constructor(public learningRate: number) {
    this.body = tf.train.adam(learningRate);
  }
  /** Applies gradients of body variables (named in `bodyNames`) and of one head (`headKey`). */
  apply(grads: tf.NamedTensorMap, bodyNames: ReadonlySet<string>, headKey: string): void {
    let head = this.heads.get(headKey);
    if (!head) this.heads.set(headKey, (head = tf.train.adam(this.learningRate)));
    const forBody: tf.NamedTensorMap = {},
      forHead: tf.NamedTensorMap = {};
    for (const [name, g] of Object.entries(grads)) (bodyNames.has(name) ? forBody : forHead)[name] = g;
    for (const opt of [this.body, head]) (opt as unknown as { learningRate: number }).learningRate = this.learningRate;
    // applyGradients is typed for variables but takes gradient tensors by variable name.
    this.body.applyGradients(forBody as unknown as Record<string, tf.Variable>);
    head.applyGradients(forHead as unknown as Record<string, tf.Variable>);
  }
  /** Frees the optimisers' moment tensors. */
  dispose(): void {
    this.body.dispose();
    for (const h of this.heads.values()) h.dispose();
  }
}

/** One optimiser step on a batch; returns the loss. Disposes everything it made. */
export async function trainStep(model: HarnessModel, optimizer: SplitAdam, batch: Batch, clipNorm = 0): Promise<number> {
  const net = model.modelFor(batch.target);
  const bodyVars = model.bodyWeights();
  const vars = [...bodyVars, ...model.headWeights(batch.target)];
  const { xs, ys } = toTensors(batch);
  try {
    const { value, grads } = tf.variableGrads(() => lossOf(batch.target, ys, net.apply(xs, { training: true }) as tf.Tensor), vars);
    const clipped = clipNorm > 0 ? clipByGlobalNorm(grads, clipNorm) : grads;
    const t = batch.target;
    optimizer.apply(clipped, new Set(bodyVars.map((v) => v.name)), t.kind === 'class' ? `class:${t.classes}` : `regression:${t.size}`);
    const loss = (await value.data())[0];
    tf.dispose([value, grads as unknown as tf.Tensor[], clipped as unknown as tf.Tensor[]]);
    return loss;
  } finally {
    tf.dispose([xs, ys]);
  }
}

function lossOf(target: TargetSpec, ys: tf.Tensor, out: tf.Tensor): tf.Scalar {
  if (target.kind === 'class') return tf.losses.softmaxCrossEntropy(ys, out) as tf.Scalar;
  const t = target.temperature;
  if (t === undefined) return tf.losses.meanSquaredError(ys, out) as tf.Scalar;
  // Teacher logits at a temperature: T² keeps the gradients' scale as T changes (Hinton et al. 2015).
  return tf.mul(tf.losses.softmaxCrossEntropy(tf.softmax(tf.div(ys, t)), tf.div(out, t)), t * t) as tf.Scalar;
}

/** Checks evaluation options (their data: arrays that agree, class targets; the head, limit and batch size), naming `argument`; returns the data's sample and class counts. */
function checkEvaluation(argument: string, options: EvaluationOptions): { count: number; classes: number } {
  if (!options || typeof options !== 'object') throw new OtfgenArgumentError(argument, `expected { data, ... }, got ${describe(options)}`);
  const count = datasetCount(options.data, `${argument}.data`);
  const target = options.data.target;
  if (target.kind !== 'class') throw new OtfgenArgumentError(`${argument}.data.target`, 'evaluation needs class targets');
  if (options.limit !== undefined) checkInt(`${argument}.limit`, options.limit, 1);
  if (options.batchSize !== undefined) checkInt(`${argument}.batchSize`, options.batchSize, 1);
  if (options.head !== undefined && headUnits(options.head) !== target.classes) {
    throw new OtfgenArgumentError(
      `${argument}.head`,
      `expected a head of ${target.classes} outputs (one per class of the data), got ${describeTarget(options.head)}`,
    );
  }
  return { count, classes: target.classes };
}

/**
 * Accuracy and mean cross-entropy of the class head (or `options.head`) on held-out data.
 * @example
 * ```ts
 * const { accuracy } = await evaluate(model, { data: await mnist({ split: 'test' }) });
 * ```
 */
export async function evaluate(model: HarnessModel, options: EvaluationOptions): Promise<Omit<EvalRecord, 'step'>> {
  checkKeys('evaluate options', options, ['data', 'at', 'limit', 'batchSize', 'head']);
  const { count, classes } = checkEvaluation('evaluate options', options);
  const data = options.data;
  const limit = Math.min(options.limit ?? count, count);
  const n = data.x.length / count;
  const subset: ArrayDataset = limit === count ? data : { ...data, x: data.x.subarray(0, limit * n), y: data.y.subarray(0, limit) };
  const head = options.head ?? data.target;
  const net = model.modelFor(head);
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  let correct = 0,
    lossSum = 0;
  for await (const batch of arraySource(subset, { batchSize: options.batchSize ?? 500, shuffle: false })) {
    const { xs, ys } = toTensors(batch);
    const [predicted, loss] = tf.tidy(() => {
      const logits = net.apply(xs, { training: false }) as tf.Tensor;
      return [tf.argMax(logits, 1), tf.mul(tf.losses.softmaxCrossEntropy(ys, logits), batch.size)];
    });
    const pred = await predicted.data();
    for (let i = 0; i < batch.size; i++) {
      confusion[batch.y[i]][pred[i]]++;
      if (pred[i] === batch.y[i]) correct++;
    }
    lossSum += (await loss.data())[0];
    tf.dispose([xs, ys, predicted, loss]);
  }
  const perClass = confusion.map(
    (row, c) =>
      row[c] /
      Math.max(
        1,
        row.reduce((a, b) => a + b, 0),
      ),
  );
  return { accuracy: correct / limit, loss: lossSum / limit, perClass, confusion };
}
