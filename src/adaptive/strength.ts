/**
 * strengthController: one number in [0, 1] that sets how strong generated
 * samples are (how far they are warped, say), steered by the classifier's
 * loss on them: up while the loss is under a target, down while it is over.
 * The model's progress sets the schedule: easy samples while it learns,
 * harder ones as it fits them. The rule of StyleGAN2-ADA's adaptive
 * augmentation, with the training loss as the signal.
 */
import { checkKeys, OtfgenArgumentError, checkNumber } from '../core/errors.js';
import type { Controller, TrainingSignal } from './controller.js';

/** Options of {@link strengthController}. */
export interface StrengthControllerOptions<T> {
  /**
   * The classifier's loss on generated batches to hold (for cross-entropy,
   * 0.5 is a good start): the strength rises by `step` after each step whose
   * loss is under it, and falls by `step` after each one over it.
   */
  readonly target: number;
  /** Parameters for a strength: `generate`'s `params` at that strength, e.g. warp ranges scaled by it. */
  readonly params: (strength: number) => T;
  /** Change per training step (default 0.01: from 0 to 1 in 100 steps). */
  readonly step?: number;
  /** Strength at the start, in [0, 1] (default 0.25). */
  readonly initial?: number;
}

/** The strength after one training step on generated data. */
export interface StrengthLogEntry {
  /** Training steps done. */
  readonly step: number;
  /** The classifier's loss on the step's generated batch, which moved the strength. */
  readonly loss: number;
  /** The strength after the move, in [0, 1]. */
  readonly strength: number;
}

/**
 * @example
 * ```ts
 * // Warps of up to ±60° and 6 px at full strength; the loss decides how much of that each step sees.
 * const strength = strengthController({ target: 0.5, params: (s) => ({ rotation: [-60 * s, 60 * s], shift: 6 * s }) });
 * const synthetic = generate(exemplarTask(exemplars), { seed: 1, params: strength.params });
 * await train({ model, steps: synthetic, totalSteps: 500, controllers: [strength] });
 * ```
 */
export function strengthController<const T>(options: StrengthControllerOptions<T>): StrengthController<T> {
  checkKeys('strengthController options', options, ['target', 'params', 'step', 'initial']);
  return new StrengthController(options);
}

/** What `strengthController` returns: one strength for generated samples, steered by the classifier's loss. */
export class StrengthController<T> implements Controller {
  readonly name = 'strength';
  /** One entry per training step on a batch it made, in order. */
  readonly log: StrengthLogEntry[] = [];
  private readonly target: number;
  private readonly step: number;
  private readonly at: (strength: number) => T;
  private s: number;
  /** Batches made at some strength whose loss has not come yet. */
  private pending = 0;

  constructor(options: StrengthControllerOptions<T>) {
    this.target = checkNumber('strengthController options.target', options?.target, 0);
    if (typeof options.params !== 'function') {
      throw new OtfgenArgumentError('strengthController options.params', 'expected a function from a strength in [0, 1] to the parameters at that strength');
    }
    this.at = options.params;
    this.step = checkNumber('strengthController options.step', options.step ?? 0.01, 0, 1);
    this.s = checkNumber('strengthController options.initial', options.initial ?? 0.25, 0, 1);
  }

  /** The current strength, in [0, 1]. */
  get strength(): number {
    return this.s;
  }

  /** For `generate(task, { params: strength.params })`: the parameters at the current strength. */
  readonly params = (_batchIndex: number): T => {
    this.pending++;
    return this.at(this.s);
  };

  /**
   * Takes the loss of each step on a batch it made (generation is lazy, one
   * batch a step; once a schedule has moved on to real data no batch is
   * waiting, and those losses are ignored, as are evaluations).
   */
  observe(signal: TrainingSignal): void {
    if (signal.loss === undefined || this.pending === 0) return;
    this.pending--;
    this.s = Math.min(1, Math.max(0, this.s + (signal.loss < this.target ? this.step : -this.step)));
    this.log.push({ step: signal.step, loss: signal.loss, strength: this.s });
  }

  current(): Record<string, number> {
    return { strength: this.s };
  }
}
