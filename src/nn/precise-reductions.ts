import * as tf from '@tensorflow/tfjs-core';

/**
 * Per-sample statistics over long axes, summed in blocks so that float32 rounding does not grow
 * with the axis length.
 *
 * tfjs-backend-wasm's Mean/Sum add a long axis sequentially into one float32 accumulator. For the
 * LayerNorm of a 64×64×64 feature map (262 144 terms) the mean came out 1e-5 relative off and the
 * variance — a sum of positive terms growing to 2^18, where the float32 ulp is 1/32 — 2e-4 off.
 * That one reduction was the whole wasm-vs-float64 gap of the reference anomaly maps (6.5e-5 to
 * 8.7e-5 absolute; every other op of the map path is ≤ 4e-7 relative). The cpu backend sums in JS
 * doubles and was never affected.
 *
 * A mean of ≈ √M block means bounds the rounding growth by ≈ 2·√M·ε instead of M·ε. It uses the
 * same tfjs ops on every backend (two Mean kernels instead of one), so no backend needs its own path.
 */

/** Largest divisor of m not above √m, so [m] reshapes to [b, m / b] (1 when m is prime). */
export function blockCount(m: number): number {
  for (let b = Math.floor(Math.sqrt(m)); b > 1; b--) if (m % b === 0) return b;
  return 1;
}

/** Mean over every axis but the first, as a mean of block means: [N, …] → [N, 1, …, 1]. */
export function blockedMean(x: tf.Tensor): tf.Tensor {
  const n = x.shape[0];
  const m = x.size / n;
  const b = blockCount(m);
  const keep = [n, ...x.shape.slice(1).map(() => 1)];
  return tf.tidy(() => tf.reshape(tf.mean(tf.mean(tf.reshape(x, [n, b, m / b]), 2), 1), keep));
}

/** Per-sample mean and biased variance over all non-batch axes: two passes, blocked sums. */
export function preciseMoments(x: tf.Tensor): { mean: tf.Tensor; variance: tf.Tensor } {
  return tf.tidy(() => {
    const mean = blockedMean(x);
    const variance = blockedMean(tf.square(tf.sub(x, mean)));
    return { mean, variance };
  });
}
