import * as tf from '@tensorflow/tfjs-core';

export interface BatchNormState {
  gamma: tf.Variable;
  beta: tf.Variable;
  runningMean: tf.Variable;
  runningVar: tf.Variable;
}

export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

/** Batch statistics one train-mode forward produced, applied to the running stats after the step. */
export interface BatchStats {
  state: BatchNormState;
  mean: tf.Tensor1D;
  /** Unbiased variance, as PyTorch uses for the running estimate. */
  unbiasedVar: tf.Tensor1D;
}

/**
 * BatchNorm over NHWC channels. Train mode normalises with the batch's biased variance and records
 * the statistics in `collect` (kept outside tidy) so the caller can update the running estimates
 * once the gradient step has been taken — exactly PyTorch's `BatchNorm2d.train()` behaviour.
 */
export function batchNorm(x: tf.Tensor4D, s: BatchNormState, collect?: BatchStats[]): tf.Tensor4D {
  if (!collect) {
    const scale = tf.mul(s.gamma, tf.rsqrt(tf.add(s.runningVar, BN_EPS)));
    const shift = tf.sub(s.beta, tf.mul(s.runningMean, scale));
    return tf.add(tf.mul(x, scale), shift);
  }
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  const y = tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, BN_EPS))), s.gamma), s.beta) as tf.Tensor4D;
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  const unbiased = tf.mul(variance, n / Math.max(n - 1, 1));
  collect.push({ state: s, mean: tf.keep(mean as tf.Tensor1D), unbiasedVar: tf.keep(unbiased as tf.Tensor1D) });
  return y;
}

/** running ← (1 − momentum)·running + momentum·batch, then frees the recorded statistics. */
export function applyBatchStats(stats: BatchStats[]): void {
  for (const { state, mean, unbiasedVar } of stats) {
    tf.tidy(() => {
      state.runningMean.assign(tf.add(tf.mul(state.runningMean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
      state.runningVar.assign(tf.add(tf.mul(state.runningVar, 1 - BN_MOMENTUM), tf.mul(unbiasedVar, BN_MOMENTUM)));
    });
    mean.dispose();
    unbiasedVar.dispose();
  }
}

export function disposeBatchStats(stats: BatchStats[]): void {
  for (const s of stats) {
    s.mean.dispose();
    s.unbiasedVar.dispose();
  }
}
