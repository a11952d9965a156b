
/** Statistics of image scores on normal images, stored with the model to derive thresholds. */
export interface ScoreStats {
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** Quantiles keyed by probability, e.g. { "0.5": …, "0.99": … }. */
  quantiles: Record<string, number>;
  /** The smoothing sigma the scores were computed with (thresholds only transfer at the same sigma). */
  sigma: number;
  source: 'train' | 'validation';
}

export const STAT_QUANTILES = [0.5, 0.9, 0.95, 0.99, 1];

/** Linear-interpolated quantile of sorted values (numpy's default 'linear' method). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function scoreStats(scores: number[], sigma: number, source: ScoreStats['source']): ScoreStats {
  const sorted = Float64Array.from(scores).sort();
  const n = sorted.length;
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(n - 1, 1));
  const quantiles: Record<string, number> = {};
  for (const q of STAT_QUANTILES) quantiles[String(q)] = quantileSorted(sorted, q);
  return { count: n, mean, std, min: sorted[0], max: sorted[n - 1], quantiles, sigma, source };
}

/** Score statistics and the `quantile` of the scores as the decision threshold. */
export function calibrateFromScores(scores: number[], sigma: number, quantile: number, source: ScoreStats['source']): { stats: ScoreStats; threshold: number } {
  const sorted = Float64Array.from(scores).sort();
  return { stats: scoreStats(scores, sigma, source), threshold: quantileSorted(sorted, quantile) };
}
