/**
 * policyController: a REINFORCE policy over a task's declared parameter
 * space, in the spirit of AutoAugment's cheap online successors (Adversarial
 * AutoAugment, ADO). Each steered parameter's range is cut into bins; per
 * batch the policy picks a bin for each (samples are drawn within it), and
 * learns from a reward: the classifier's loss on the batch (adversarial), or
 * the drop of the held-out loss (learning progress).
 */
import { OtfgenArgumentError, checkInt, checkNumber, describe } from '../errors.js';
import { Rng, type Seed } from '../random/rng.js';
import type { NumberParam, ParamSpace, ParamValues, Task } from '../tasks/define-task.js';
import type { Controller, TrainingSignal } from './controller.js';

export type PolicyReward = 'loss' | 'progress';

export interface PolicyControllerOptions<P extends ParamSpace> {
  /** Parameters to steer: `true` for the declared range, or a `[lo, hi]` within it. */
  readonly steer: { readonly [K in keyof P]?: true | readonly [number, number] };
  /** Values of the parameters not steered (default: the task's defaults). */
  readonly fixed?: Partial<ParamValues<P>>;
  /** Bins per steered parameter (default 4). */
  readonly bins?: number;
  /**
   * 'loss' (default): the classifier's training loss on the batch, so the
   * policy seeks hard batches. 'progress': the drop of the held-out loss
   * between evaluations, shared by the batches in between.
   */
  readonly reward?: PolicyReward;
  /**
   * Share of the probability spread evenly over all bins, in [0, 1) (default
   * 0.25): the policy keeps exploring, and a batch stream keeps some variety
   * even when one bin wins.
   */
  readonly explore?: number;
  /** Step size on the policy's logits (default 0.1). */
  readonly learningRate?: number;
  /** Decay of the reward baseline and scale (default 0.9). */
  readonly baselineDecay?: number;
  readonly seed?: Seed;
}

/** One batch's choice (and its reward, once known). */
export interface PolicyLogEntry {
  readonly batch: number;
  /** Chosen bin per steered parameter. */
  readonly bins: Readonly<Record<string, number>>;
  /** Centre of each chosen bin. */
  readonly values: Readonly<Record<string, number>>;
  reward?: number;
}

interface Steered {
  readonly name: string;
  readonly lo: number;
  readonly hi: number;
  readonly logits: Float64Array;
}

/**
 * @example
 * ```ts
 * const policy = policyController(digits, { steer: { slant: true, thickness: true }, seed: 1 });
 * const synthetic = generate(digits, { seed: 1, params: policy.params });
 * await train({ model, steps: warmupSchedule({ synthetic, real, totalSteps: 500, warmup: 0.3 }), controllers: [policy] });
 * console.log(policy.probabilities());
 * ```
 */
export function policyController<P extends ParamSpace>(task: Task<P>, options: PolicyControllerOptions<P>): PolicyController<P> {
  return new PolicyController(task, options);
}

export class PolicyController<P extends ParamSpace> implements Controller {
  readonly name = 'policy';
  readonly log: PolicyLogEntry[] = [];
  private readonly steered: Steered[];
  private readonly bins: number;
  private readonly reward: PolicyReward;
  private readonly lr: number;
  private readonly decay: number;
  private readonly explore: number;
  private readonly seed: Seed;
  private readonly fixed: Record<string, unknown>;
  /** Batches made but not yet rewarded, oldest first. */
  private pending: PolicyLogEntry[] = [];
  private baseline: number | null = null;
  private variance = 1;
  private lastHeldOutLoss: number | null = null;

  constructor(task: Task<P>, options: PolicyControllerOptions<P>) {
    if (!task || typeof task.render !== 'function') throw new OtfgenArgumentError('policyController(task)', 'expected a task made by defineTask');
    if (!options?.steer || typeof options.steer !== 'object') throw new OtfgenArgumentError('policyController options.steer', "expected the parameters to steer, e.g. { rotation: true } or { rotation: [-30, 30] }");
    this.bins = checkInt('policyController options.bins', options.bins ?? 4, 2, 100);
    this.reward = options.reward ?? 'loss';
    if (this.reward !== 'loss' && this.reward !== 'progress') throw new OtfgenArgumentError('policyController options.reward', `expected 'loss' or 'progress', got ${describe(this.reward)}`);
    this.lr = checkNumber('policyController options.learningRate', options.learningRate ?? 0.1, 0);
    this.decay = checkNumber('policyController options.baselineDecay', options.baselineDecay ?? 0.9, 0, 1);
    this.explore = checkNumber('policyController options.explore', options.explore ?? 0.25, 0, 0.99);
    this.seed = options.seed ?? 0;
    this.fixed = { ...(options.fixed ?? {}) };
    this.steered = Object.entries(options.steer).map(([name, range]) => {
      const where = `policyController options.steer.${name}`;
      const spec = task.params[name] as NumberParam | undefined;
      if (!spec) throw new OtfgenArgumentError(where, `task '${task.name}' has no such parameter; it has: ${Object.keys(task.params).join(', ')}`);
      if ((spec as { type?: string }).type === 'weights') throw new OtfgenArgumentError(where, 'weights parameters cannot be binned; steer a numeric parameter');
      if (name in this.fixed) throw new OtfgenArgumentError(where, 'is also in options.fixed; give it in one place');
      const [lo, hi] = range === true ? [spec.min, spec.max] : (range as readonly [number, number]);
      if (!(Array.isArray(range) || range === true) || !(lo >= spec.min && hi <= spec.max && lo < hi)) {
        throw new OtfgenArgumentError(where, `expected true or a [lo, hi] range with lo < hi within [${spec.min}, ${spec.max}], got ${describe(range)}`);
      }
      return { name, lo, hi, logits: new Float64Array(this.bins) };
    });
    if (this.steered.length === 0) throw new OtfgenArgumentError('policyController options.steer', 'names no parameter');
  }

  /** For `generate(task, { params: policy.params })`: picks this batch's bins. */
  readonly params = (batchIndex: number): Partial<ParamValues<P>> => {
    const rng = Rng.forIndex(this.seed, batchIndex, 'policy');
    const out: Record<string, unknown> = { ...this.fixed };
    const bins: Record<string, number> = {}, values: Record<string, number> = {};
    for (const s of this.steered) {
      const b = rng.pick(this.mixed(s.logits));
      const width = (s.hi - s.lo) / this.bins;
      out[s.name] = [s.lo + b * width, b === this.bins - 1 ? s.hi : s.lo + (b + 1) * width];
      bins[s.name] = b;
      values[s.name] = s.lo + (b + 0.5) * width;
    }
    const entry: PolicyLogEntry = { batch: batchIndex, bins, values };
    this.log.push(entry);
    this.pending.push(entry);
    return out as Partial<ParamValues<P>>;
  };

  /** The policy's current probability of each bin (exploration included), per steered parameter. */
  probabilities(): Record<string, number[]> {
    return Object.fromEntries(this.steered.map((s) => [s.name, Array.from(this.mixed(s.logits))]));
  }

  /** (1 - explore) * softmax(logits) + explore / bins. */
  private mixed(logits: Float64Array): Float64Array {
    return softmax(logits).map((p) => (1 - this.explore) * p + this.explore / this.bins);
  }

  observe(signal: TrainingSignal): void {
    if (this.reward === 'loss') {
      // Generation is lazy, one batch per training step: a step's loss rewards the oldest batch not yet rewarded
      // (none is pending once the schedule has moved on to real data).
      if (signal.loss === undefined || this.pending.length === 0) return;
      this.update([this.pending.shift()!], signal.loss);
      return;
    }
    if (!signal.heldOut) return;
    const loss = signal.heldOut.loss;
    if (this.lastHeldOutLoss !== null && this.pending.length > 0) this.update(this.pending, this.lastHeldOutLoss - loss);
    this.pending = [];
    this.lastHeldOutLoss = loss;
  }

  current(): Record<string, number> {
    const last = this.log[this.log.length - 1];
    return last ? { ...last.values } : {};
  }

  /**
   * REINFORCE with a moving baseline on the mixed policy m = (1 - e) p + e / bins:
   * logits += lr * advantage * d log m(bin) / d logits, where
   * d log m(a) / d logit_b = (1 - e) p(a) (1[a = b] - p(b)) / m(a).
   */
  private update(entries: PolicyLogEntry[], reward: number): void {
    for (const e of entries) e.reward = reward;
    if (this.baseline === null) {
      this.baseline = reward;
      return;
    }
    const advantage = (reward - this.baseline) / Math.sqrt(this.variance + 1e-12);
    this.variance = this.decay * this.variance + (1 - this.decay) * (reward - this.baseline) ** 2;
    this.baseline = this.decay * this.baseline + (1 - this.decay) * reward;
    const step = (this.lr * advantage) / entries.length;
    for (const s of this.steered) {
      const p = softmax(s.logits);
      for (const e of entries) {
        const a = e.bins[s.name];
        const share = ((1 - this.explore) * p[a]) / ((1 - this.explore) * p[a] + this.explore / this.bins);
        for (let b = 0; b < this.bins; b++) s.logits[b] += step * share * ((a === b ? 1 : 0) - p[b]);
      }
    }
  }
}

function softmax(logits: Float64Array): Float64Array {
  const m = Math.max(...logits);
  const e = logits.map((v) => Math.exp(v - m));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / total);
}
