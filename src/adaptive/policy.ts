/**
 * policyController: a REINFORCE policy over a task's declared parameter
 * space, in the spirit of AutoAugment's cheap online successors (Adversarial
 * AutoAugment, ADO). Each steered parameter's range is cut into bins; the
 * policy picks a bin for each (samples are drawn within it) per batch, or per
 * evaluation interval with reward 'progress', and learns from a reward: the
 * classifier's loss on the batch (adversarial), or the drop of the held-out
 * loss (learning progress). The learning rule is in reinforce.ts.
 */
import { checkKeys, OtfgenArgumentError, checkInt, describe } from '../core/errors.js';
import { checkTask, paramSpec, type NumberParam, type ParamSpace, type ParamValues, type Task } from '../tasks/define-task.js';
import type { Controller, TrainingSignal } from './controller.js';
import { Reinforce, type ReinforceOptions } from './reinforce.js';

export type { PolicyReward, ReinforceOptions } from './reinforce.js';

export interface PolicyControllerOptions<P extends ParamSpace> extends ReinforceOptions {
  /** Parameters to steer: `true` for the declared range, or a `[lo, hi]` within it. */
  readonly steer: { readonly [K in keyof P]?: true | readonly [number, number] };
  /** Values of the parameters not steered (default: the task's defaults). */
  readonly fixed?: Partial<ParamValues<P>>;
  /** Bins per steered parameter (default 4). */
  readonly bins?: number;
}

/** One batch's choice (and its reward, once known). */
export interface PolicyLogEntry {
  /** The index of the batch in the generated stream, from 0. */
  readonly batch: number;
  /** Chosen bin per steered parameter. */
  readonly bins: Readonly<Record<string, number>>;
  /** Centre of each chosen bin. */
  readonly values: Readonly<Record<string, number>>;
  /** The reward paid for the choice: the batch's loss, or the held-out loss drop ('progress'); unset until it comes. */
  reward?: number;
}

interface Steered {
  readonly name: string;
  readonly lo: number;
  readonly hi: number;
}

/**
 * @example
 * ```ts
 * const policy = policyController(digits, { steer: { slant: true, strokeWidth: true }, seed: 1 });
 * const synthetic = generate(digits, { seed: 1, params: policy.params });
 * await train({ model, steps: warmupSchedule({ synthetic, real, totalSteps: 500, warmup: 0.3 }), controllers: [policy] });
 * console.log(policy.probabilities());
 * ```
 */
export function policyController<P extends ParamSpace>(task: Task<P>, options: PolicyControllerOptions<P>): PolicyController<P> {
  checkKeys('policyController options', options, ['steer', 'fixed', 'bins', 'reward', 'explore', 'learningRate', 'baselineDecay', 'seed']);
  return new PolicyController(task, options);
}

/** What `policyController` returns: a REINFORCE policy over a task's declared parameters, as a controller. */
export class PolicyController<P extends ParamSpace> implements Controller {
  readonly name = 'policy';
  /** One entry per batch drawn, in order. */
  readonly log: PolicyLogEntry[] = [];
  private readonly steered: Steered[];
  private readonly bins: number;
  private readonly fixed: Record<string, unknown>;
  private readonly policy: Reinforce;

  constructor(task: Task<P>, options: PolicyControllerOptions<P>) {
    checkTask('policyController(task)', task);
    if (!options?.steer || typeof options.steer !== 'object')
      throw new OtfgenArgumentError('policyController options.steer', 'expected the parameters to steer, e.g. { rotation: true } or { rotation: [-30, 30] }');
    this.bins = checkInt('policyController options.bins', options.bins ?? 4, 2, 100);
    this.fixed = { ...(options.fixed ?? {}) };
    this.steered = Object.entries(options.steer).map(([name, range]) => {
      const where = `policyController options.steer.${name}`;
      const spec = paramSpec(task, name, where) as NumberParam;
      if ((spec as { type?: string }).type === 'weights')
        throw new OtfgenArgumentError(where, 'weights parameters cannot be binned; steer a numeric parameter, or a mix of streams with mixPolicy');
      if (name in this.fixed) throw new OtfgenArgumentError(where, 'is also in options.fixed; give it in one place');
      const [lo, hi] = range === true ? [spec.min, spec.max] : (range as readonly [number, number]);
      if (!(Array.isArray(range) || range === true) || !(lo >= spec.min && hi <= spec.max && lo < hi)) {
        throw new OtfgenArgumentError(where, `expected true or a [lo, hi] range with lo < hi within [${spec.min}, ${spec.max}], got ${describe(range)}`);
      }
      return { name, lo, hi };
    });
    if (this.steered.length === 0) throw new OtfgenArgumentError('policyController options.steer', 'names no parameter');
    this.policy = new Reinforce(
      'policyController options',
      this.steered.map((s) => ({ name: s.name, arms: this.bins })),
      options,
      'policy',
    );
  }

  /** For `generate(task, { params: policy.params })`: picks this batch's bins. */
  readonly params = (batchIndex: number): Partial<ParamValues<P>> => {
    const out: Record<string, unknown> = { ...this.fixed };
    const entry = this.policy.choose(batchIndex, (bins) => {
      const values: Record<string, number> = {};
      for (const s of this.steered) {
        const b = bins[s.name];
        const width = (s.hi - s.lo) / this.bins;
        out[s.name] = [s.lo + b * width, b === this.bins - 1 ? s.hi : s.lo + (b + 1) * width];
        values[s.name] = s.lo + (b + 0.5) * width;
      }
      return { batch: batchIndex, bins, values } as PolicyLogEntry;
    });
    this.log.push(entry);
    return out as Partial<ParamValues<P>>;
  };

  /** The policy's current probability of each bin (exploration included), per steered parameter. */
  probabilities(): Record<string, number[]> {
    return this.policy.probabilities();
  }

  observe(signal: TrainingSignal): void {
    this.policy.observe(signal);
  }

  current(): Record<string, number> {
    const last = this.log[this.log.length - 1];
    return last ? { ...last.values } : {};
  }
}
