
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

/**
 * A score on a common 0…1 scale, as anomalib normalises: (score − threshold) / (max − min) + 0.5,
 * clipped, with min and max the normal images' scores. The threshold lands on 0.5 whatever the
 * method (flow scores are negative likelihood maps around −0.5, PatchCore's are distances around
 * 10–20), so `normalizedScore ≥ 0.5` is the detector's own decision. Undefined when the scores were
 * smoothed differently from the statistics (the scale would not transfer) or nothing was calibrated.
 */
export function normalizeScore(score: number, threshold: number | undefined, stats: ScoreStats | undefined, sigma: number): number | undefined {
  if (threshold === undefined || !stats || stats.sigma !== sigma) return undefined;
  const span = stats.max - stats.min;
  const scale = span > 0 ? span : Math.max(Math.abs(threshold), 1e-12);
  return Math.min(1, Math.max(0, (score - threshold) / scale + 0.5));
}
