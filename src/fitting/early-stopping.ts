import type { ParamStore } from '../nn/params.js';
import { restoreParams, snapshotParams, type ParamSnapshot } from '../nn/snapshot.js';

/**
 * Keeps a host copy of the best-scoring weights seen so far and counts evaluations without
 * improvement (patience), so fit can stop early and end on the best weights, not the last ones.
 */
export class BestWeights<S extends { epoch: number; score: number }> {
  private best: { scores: S; snapshot: ParamSnapshot } | undefined;
  private sinceBest = 0;

  constructor(
    private readonly params: ParamStore,
    private readonly keys: string[],
    private readonly patience: number | undefined,
  ) {}

  /** Records an evaluation; `stop` once `patience` evaluations in a row did not improve. */
  async observe(scores: S): Promise<{ stop: boolean }> {
    if (!this.best || scores.score > this.best.scores.score) {
      this.best = { scores, snapshot: await snapshotParams(this.params, this.keys) };
      this.sinceBest = 0;
    } else this.sinceBest++;
    return { stop: this.patience !== undefined && this.sinceBest >= this.patience };
  }

  get bestScores(): S | undefined {
    return this.best?.scores;
  }

  /** Puts the best weights back unless they are the current ones (the last epoch); true if it did. */
  restore(lastEpoch: number): boolean {
    if (!this.best || this.best.scores.epoch === lastEpoch) return false;
    restoreParams(this.params, this.best.snapshot);
    return true;
  }
}
