/**
 * Maximum F1 over all thresholds (prediction = score >= threshold), exact on ties: the candidate
 * thresholds are the distinct score values, as in scikit-learn's `precision_recall_curve`.
 *
 * Uses the same sort-once / sweep-distinct-thresholds machinery as {@link auroc} (typed arrays,
 * radix sort, O(n)). F1 is evaluated as 2·TP / (TP + FP + P); equal F1 values (equal rationals give
 * identical doubles) are broken towards the lowest threshold, like `argmax` over sklearn's
 * ascending thresholds.
 */
import type { BinaryMask, ScoreMap } from '../core/types.js';
import { metricError, splitAndSort, sweepDescending, toChunks } from './auroc.js';
import type { LabelInput, ScoreInput } from './auroc.js';

export interface F1Result {
  /** The best F1 score. */
  f1: number;
  /** The threshold achieving it (prediction = score >= threshold); a score value from the input. */
  threshold: number;
  /** Precision TP / (TP + FP) at that threshold. */
  precision: number;
  /** Recall TP / P at that threshold. */
  recall: number;
}

/**
 * Best F1 over every distinct threshold. `f1Max(scores, labels)` or `f1Max(maps, masks)`
 * (pixel-level, mask pixel > 0 = anomalous). Needs at least one positive; negatives are optional.
 * Throws DanflowError('METRIC_INPUT') on mismatched inputs, NaN scores, or no positives.
 */
export function f1Max(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): F1Result;
export function f1Max(maps: ScoreMap | readonly ScoreMap[], masks: BinaryMask | readonly BinaryMask[]): F1Result;
export function f1Max(scores: ScoreInput, labels: LabelInput): F1Result;
export function f1Max(scores: ScoreInput, labels: LabelInput): F1Result {
  const { pos, neg } = splitAndSort('f1Max', toChunks('f1Max', scores, labels));
  const P = pos.length;
  if (P === 0) {
    throw metricError(
      'f1Max',
      `the labels contain no positive (anomalous) samples (${neg.length} negative), so F1 is undefined. ` +
        'Pass labels with at least one positive (1/true, mask pixel > 0).',
      { positives: 0, negatives: neg.length },
    );
  }
  let tp = 0;
  let fp = 0;
  let best = -1;
  let bestTp = 0;
  let bestFp = 0;
  let bestT = NaN;
  sweepDescending(pos, neg, (t, dp, dn) => {
    tp += dp;
    fp += dn;
    const f = (2 * tp) / (tp + fp + P);
    if (f >= best) {
      best = f;
      bestTp = tp;
      bestFp = fp;
      bestT = t;
    }
  });
  return {
    f1: best,
    threshold: bestT,
    precision: bestTp + bestFp > 0 ? bestTp / (bestTp + bestFp) : 0,
    recall: bestTp / P,
  };
}
