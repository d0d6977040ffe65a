/**
 * What adaptive generators share: they observe training signals, steer a
 * stream, and log what they chose per batch.
 */

/** What a training loop tells a controller after a step or an evaluation. */
export interface TrainingSignal {
  /** Steps done so far (this signal follows step `step - 1`). */
  readonly step: number;
  /** Which phase the step was in ('warmup' steps train on generated data). */
  readonly phase: 'warmup' | 'real';
  /** The classifier's training loss on this step's batch (before its update). */
  readonly loss?: number;
  /** An evaluation on held-out real data, when one was made after this step. */
  readonly heldOut?: {
    /** Share of the held-out samples classified right. */
    readonly accuracy: number;
    /** Mean cross-entropy over the held-out samples. */
    readonly loss: number;
    /** Accuracy per class, by class id (0 for a class with no held-out sample). */
    readonly perClass: readonly number[];
  };
}

/** An adaptive generator as a training loop sees it. */
export interface Controller {
  /** Names the controller in run records and plots. */
  readonly name: string;
  /** Learns from one signal. */
  observe(signal: TrainingSignal): void;
  /** What the latest batch was made with, as numbers by name (for run records). */
  current(): Record<string, number>;
}
