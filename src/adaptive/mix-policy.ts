/**
 * mixPolicy: a REINFORCE policy over the weights of a `mix` of streams (which
 * task, or which variant of one, each batch comes from), learned from the same
 * rewards as policyController: the classifier's loss on the batch, or the drop
 * of the held-out loss. The bandit view of online data mixing (ODM, ADO).
 */
import { checkKeys, OtfgenArgumentError, describe } from '../core/errors.js';
import type { Controller, TrainingSignal } from './controller.js';
import { Reinforce, type ReinforceOptions } from './reinforce.js';

export interface MixPolicyOptions extends ReinforceOptions {
  /** The mix's sources: how many (at least 2), or their names (used in the log and the run records). */
  readonly sources: number | readonly string[];
}

/** One batch's choice (and its reward, once known). */
export interface MixPolicyLogEntry {
  /** The index of the batch in the mixed stream, from 0. */
  readonly batch: number;
  /** Index of the source the batch was drawn from. */
  readonly source: number;
  /** The reward paid for the choice: the batch's loss, or the held-out loss drop ('progress'); unset until it comes. */
  reward?: number;
}

/**
 * The policy picks one source and `weights` gives the batch to it alone, so a
 * reward belongs to one source: a pick per batch with reward 'loss', one held
 * from one evaluation to the next with 'progress'. Over many batches each
 * source's share follows the policy's probabilities. An exploration share
 * keeps every source in use.
 *
 * @example
 * ```ts
 * const policy = mixPolicy({ sources: ['upright', 'slanted'], reward: 'progress', seed: 1 });
 * const upright = generate(digits, { seed: 1, params: { slant: 0 } });
 * const slanted = generate(digits, { seed: 2, params: { slant: [10, 40] } });
 * const synthetic = mix([upright, slanted], policy.weights, { batchSize: 64, seed: 1 });
 * await train({ model, steps: synthetic, totalSteps: 500, controllers: [policy], feedback: { data: heldOut, every: 25 } });
 * console.log(policy.probabilities());
 * ```
 */
export function mixPolicy(options: MixPolicyOptions): MixPolicy {
  checkKeys('mixPolicy options', options, ['sources', 'reward', 'explore', 'learningRate', 'baselineDecay', 'seed']);
  return new MixPolicy(options);
}

/** What `mixPolicy` returns: a REINFORCE policy over a mix's weights, as a controller. */
export class MixPolicy implements Controller {
  readonly name = 'mix-policy';
  /** One entry per batch drawn, in order. */
  readonly log: MixPolicyLogEntry[] = [];
  /** The sources' names (`source0`, `source1`, ... unless named). */
  readonly sources: readonly string[];
  private readonly policy: Reinforce;

  constructor(options: MixPolicyOptions) {
    const sources = options?.sources;
    if (typeof sources === 'number' && Number.isInteger(sources) && sources >= 2 && sources <= 1000) {
      this.sources = Array.from({ length: sources }, (_, i) => `source${i}`);
    } else if (
      Array.isArray(sources) &&
      sources.length >= 2 &&
      sources.every((s) => typeof s === 'string' && s !== '') &&
      new Set(sources).size === sources.length
    ) {
      this.sources = [...sources];
    } else {
      throw new OtfgenArgumentError(
        'mixPolicy options.sources',
        `expected the number of the mix's sources (2 or more) or their distinct names, got ${describe(sources)}`,
      );
    }
    this.policy = new Reinforce('mixPolicy options', [{ name: 'source', arms: this.sources.length }], options, 'mix-policy');
  }

  /** For `mix(sources, policy.weights, ...)`: this batch's weights, all on the source the policy picks. */
  readonly weights = (batchIndex: number): number[] => {
    const entry = this.policy.choose(batchIndex, (picks): MixPolicyLogEntry => ({ batch: batchIndex, source: picks.source }));
    this.log.push(entry);
    return this.sources.map((_, i) => (i === entry.source ? 1 : 0));
  };

  /** The policy's current probability of each source (exploration included): the share of batches it gives each. */
  probabilities(): number[] {
    return this.policy.probabilities().source;
  }

  observe(signal: TrainingSignal): void {
    this.policy.observe(signal);
  }

  /** Each source's current probability, by name. */
  current(): Record<string, number> {
    const p = this.probabilities();
    return Object.fromEntries(this.sources.map((name, i) => [name, p[i]]));
  }
}
