/**
 * classReweighting: per-class accuracy on held-out data becomes per-class
 * sampling weights for a class-conditional task (the study's adaptive
 * generator): the classes the model gets wrong are drawn more often.
 */
import { checkKeys, OtfgenArgumentError, checkInt, checkNumber } from '../core/errors.js';
import type { Controller, TrainingSignal } from './controller.js';

/** Options of {@link classReweighting}. */
export interface ClassReweightingOptions {
  /** How many classes the task has (at least 2); the held-out evaluation must report as many accuracies. */
  readonly classes: number;
  /** Least share of a batch any class keeps, in [0, 1 / classes] (default half the uniform share). */
  readonly floor?: number;
  /** Weights follow (1 - accuracy) to this power (default 1; larger focuses harder). */
  readonly power?: number;
}

/** The weights chosen after one held-out evaluation. */
export interface ReweightingLogEntry {
  /** Training steps done when the evaluation was made. */
  readonly step: number;
  /** The class shares chosen from it (they sum to 1). */
  readonly weights: readonly number[];
}

/**
 * @example
 * ```ts
 * const reweight = classReweighting({ classes: 10 });
 * const synthetic = generate(digits, { seed: 1, params: reweight.params });
 * await train({ model, steps: synthetic, totalSteps: 500, controllers: [reweight],
 *   feedback: { data: heldOut, every: 25 } });
 * ```
 */
export function classReweighting(options: ClassReweightingOptions): ClassReweighting {
  checkKeys('classReweighting options', options, ['classes', 'floor', 'power']);
  return new ClassReweighting(options);
}

/** What `classReweighting` returns: a controller that turns per-class accuracy into class weights. */
export class ClassReweighting implements Controller {
  readonly name = 'class-reweighting';
  /** One entry per held-out evaluation, in order. */
  readonly log: ReweightingLogEntry[] = [];
  private readonly classes: number;
  private readonly floor: number;
  private readonly power: number;
  private w: number[];

  constructor(options: ClassReweightingOptions) {
    this.classes = checkInt('classReweighting options.classes', options?.classes, 2);
    this.floor = checkNumber('classReweighting options.floor', options.floor ?? 0.5 / this.classes, 0, 1 / this.classes);
    this.power = checkNumber('classReweighting options.power', options.power ?? 1, 0);
    this.w = new Array(this.classes).fill(1 / this.classes);
  }

  /** Current sampling weights (they sum to 1). */
  get weights(): readonly number[] {
    return this.w;
  }

  /** For `generate(task, { params: reweight.params })`: the current weights for every batch. */
  readonly params = (
    _batchIndex: number,
  ): {
    /** The current class shares (uniform until the first evaluation). */
    classWeights: readonly number[];
  } => ({ classWeights: this.w });

  /** Takes the per-class accuracy of a held-out evaluation; other signals are ignored. */
  observe(signal: TrainingSignal): void {
    const perClass = signal.heldOut?.perClass;
    if (!perClass) return;
    if (perClass.length !== this.classes) {
      throw new OtfgenArgumentError('classReweighting observe(signal).heldOut.perClass', `expected ${this.classes} accuracies, got ${perClass.length}`);
    }
    const err = perClass.map((a) => Math.max(0, 1 - a) ** this.power);
    const total = err.reduce((a, b) => a + b, 0);
    const spread = 1 - this.classes * this.floor;
    this.w = err.map((e) => this.floor + spread * (total > 0 ? e / total : 1 / this.classes));
    this.log.push({ step: signal.step, weights: this.w });
  }

  current(): Record<string, number> {
    return Object.fromEntries(this.w.map((v, c) => [`class${c}`, v]));
  }
}
