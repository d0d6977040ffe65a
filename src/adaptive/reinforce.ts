/**
 * The learning rule the policy controllers share: one categorical choice per
 * head (a parameter's bin, or a mix's source), drawn from
 * (1 − explore) · softmax(logits) + explore / arms, and REINFORCE with a
 * moving baseline and scale. With reward 'loss' a choice is drawn for every
 * batch and paid the classifier's loss on it. With 'progress' a choice is
 * drawn at the first batch after an evaluation and held until the next, which
 * pays it the drop of the held-out loss: each reward then belongs to one
 * choice. (Drawn per batch, the 25 or so choices between two evaluations
 * shared one reward, their credits cancelled, and the policy barely moved.)
 */
import { OtfgenArgumentError, checkNumber, describe } from '../core/errors.js';
import { Rng, checkSeed, type Seed } from '../core/rng.js';
import type { TrainingSignal } from './controller.js';

/** What pays a policy's choice: the classifier's loss on the batch, or the held-out loss drop. See {@link ReinforceOptions.reward}. */
export type PolicyReward = 'loss' | 'progress';

/** Options every policy controller takes. */
export interface ReinforceOptions {
  /**
   * 'loss' (default): the classifier's training loss on the batch, so the
   * policy seeks hard batches; a choice per batch. 'progress': the drop of
   * the held-out loss between evaluations; one choice, held by every batch
   * from one evaluation to the next.
   */
  readonly reward?: PolicyReward;
  /**
   * Share of the probability spread evenly over all choices, in [0, 1)
   * (default 0.25): the policy keeps exploring, and a batch stream keeps some
   * variety even when one choice wins.
   */
  readonly explore?: number;
  /**
   * Step size on the policy's logits (default 0.1 with reward 'loss', which
   * takes a step per batch; 0.5 with 'progress', a step per evaluation).
   */
  readonly learningRate?: number;
  /** Decay of the reward baseline and scale (default 0.9). */
  readonly baselineDecay?: number;
  /** Seeds the choices (default 0): the same seed and rewards give the same choices. */
  readonly seed?: Seed;
}

interface Head {
  readonly name: string;
  readonly logits: Float64Array;
}

interface Pending {
  readonly entry: { reward?: number };
  readonly picks: Readonly<Record<string, number>>;
}

export class Reinforce {
  private readonly heads: Head[];
  private readonly reward: PolicyReward;
  private readonly lr: number;
  private readonly decay: number;
  private readonly explore: number;
  private readonly seed: Seed;
  /** Batches made but not yet rewarded, oldest first. */
  private pending: Pending[] = [];
  private baseline: number | null = null;
  private variance = 1;
  private lastHeldOutLoss: number | null = null;
  /** With reward 'progress': the choices held since the last evaluation. */
  private held: Readonly<Record<string, number>> | null = null;

  /**
   * @param where how error messages name the options (e.g. 'mixPolicy options')
   * @param heads each head's name and number of choices
   * @param stream the name of the seeded random stream the choices are drawn from
   */
  constructor(
    where: string,
    heads: readonly { name: string; arms: number }[],
    options: ReinforceOptions,
    private readonly stream: string,
  ) {
    this.reward = options.reward ?? 'loss';
    if (this.reward !== 'loss' && this.reward !== 'progress')
      throw new OtfgenArgumentError(`${where}.reward`, `expected 'loss' or 'progress', got ${describe(this.reward)}`);
    this.lr = checkNumber(`${where}.learningRate`, options.learningRate ?? (this.reward === 'loss' ? 0.1 : 0.5), 0);
    this.decay = checkNumber(`${where}.baselineDecay`, options.baselineDecay ?? 0.9, 0, 1);
    this.explore = checkNumber(`${where}.explore`, options.explore ?? 0.25, 0, 0.99);
    this.seed = checkSeed(`${where}.seed`, options.seed ?? 0);
    this.heads = heads.map((h) => ({ name: h.name, logits: new Float64Array(h.arms) }));
  }

  /**
   * The choices for batch `batchIndex` (drawn from a stream seeded by the
   * index, so the same index and policy state give the same choices; with
   * reward 'progress', those held since the last evaluation), makes the log
   * entry from them, and keeps it until its reward is known.
   */
  choose<E extends { reward?: number }>(batchIndex: number, entry: (picks: Readonly<Record<string, number>>) => E): E {
    let picks = this.held;
    if (!picks) {
      const rng = Rng.forIndex(this.seed, batchIndex, this.stream);
      const drawn: Record<string, number> = {};
      for (const h of this.heads) drawn[h.name] = rng.pick(this.mixed(h.logits));
      picks = drawn;
      if (this.reward === 'progress') this.held = drawn;
    }
    const e = entry(picks);
    this.pending.push({ entry: e, picks });
    return e;
  }

  /** Each head's current probability of each choice, exploration included. */
  probabilities(): Record<string, number[]> {
    return Object.fromEntries(this.heads.map((h) => [h.name, Array.from(this.mixed(h.logits))]));
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
    this.held = null;
    this.lastHeldOutLoss = loss;
  }

  /** (1 - explore) * softmax(logits) + explore / arms. */
  private mixed(logits: Float64Array): Float64Array {
    return softmax(logits).map((p) => (1 - this.explore) * p + this.explore / logits.length);
  }

  /**
   * REINFORCE with a moving baseline on the mixed policy m = (1 - e) p + e / arms:
   * logits += lr * advantage * d log m(a) / d logits, where
   * d log m(a) / d logit_b = (1 - e) p(a) (1[a = b] - p(b)) / m(a).
   */
  private update(batches: Pending[], reward: number): void {
    for (const b of batches) b.entry.reward = reward;
    if (this.baseline === null) {
      this.baseline = reward;
      return;
    }
    const advantage = (reward - this.baseline) / Math.sqrt(this.variance + 1e-12);
    this.variance = this.decay * this.variance + (1 - this.decay) * (reward - this.baseline) ** 2;
    this.baseline = this.decay * this.baseline + (1 - this.decay) * reward;
    const step = (this.lr * advantage) / batches.length;
    for (const h of this.heads) {
      const p = softmax(h.logits);
      const arms = h.logits.length;
      for (const b of batches) {
        const a = b.picks[h.name];
        const share = ((1 - this.explore) * p[a]) / ((1 - this.explore) * p[a] + this.explore / arms);
        for (let k = 0; k < arms; k++) h.logits[k] += step * share * ((a === k ? 1 : 0) - p[k]);
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
