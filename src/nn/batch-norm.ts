import * as tf from '@tensorflow/tfjs-core';
import { fastKernel, fastOps } from './fast-kernels.js';
import { channelSum } from './reduce.js';

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
 * `relu6` applies ReLU6 to the output: fused into one kernel (and its mask into the backward) where
 * danflow's training kernels exist for the backend.
 */
export function batchNorm(x: tf.Tensor4D, s: BatchNormState, collect?: BatchStats[], relu6 = false): tf.Tensor4D {
  if (!collect) {
    const scale = tf.mul(s.gamma, tf.rsqrt(tf.add(s.runningVar, BN_EPS)));
    const shift = tf.sub(s.beta, tf.mul(s.runningMean, scale));
    const y = tf.add(tf.mul(x, scale), shift) as tf.Tensor4D;
    return relu6 ? tf.relu6(y) : y;
  }
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  const fused = fastKernel('bn');
  let [y, mean, variance] = fused ? fastOps().batchNormTrainFused(x, s.gamma, s.beta, relu6) : batchNormTrain(x, s.gamma, s.beta);
  if (relu6 && !fused) y = tf.relu6(y);
  const unbiased = tf.tidy(() => tf.mul(variance, n / Math.max(n - 1, 1)));
  variance.dispose();
  collect.push({ state: s, mean, unbiasedVar: tf.keep(unbiased as tf.Tensor1D) });
  return y;
}

/**
 * Train-mode BatchNorm as one differentiable unit: y = (x − μ)·γ/√(σ²+ε) + β with the batch's mean
 * and biased variance (two-pass, as tf.moments), and the closed-form gradient
 *   dβ = Σdy,  dγ = Σdy·x̂,  dx = γ/√(σ²+ε) · (dy − dβ/M − x̂·dγ/M).
 * Channel sums are matMuls with a ones row (see channelSum); the tape keeps only x, not the ~10
 * intermediates autodiff of the composite would. Also returns μ and σ² (not differentiated).
 */
function batchNormTrain(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D] {
  const m = x.shape[0] * x.shape[1] * x.shape[2];
  let mean!: tf.Tensor1D;
  let variance!: tf.Tensor1D;
  const f = tf.customGrad(((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const x4 = xi as tf.Tensor4D;
    // Kept: the customGrad forward runs in its own scope, and the caller records these.
    mean = tf.keep(tf.div(channelSum(x4), m) as tf.Tensor1D);
    const centered = tf.sub(x4, mean);
    variance = tf.keep(tf.div(channelSum(tf.square(centered)), m) as tf.Tensor1D);
    const rstd = tf.rsqrt(tf.add(variance, BN_EPS));
    const a = tf.mul(rstd, g);
    save([x4, mean, rstd, g]);
    return {
      value: tf.add(tf.mul(centered, a), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, smean, srstd, sg] = saved;
        const xhat = tf.mul(tf.sub(sx, smean), srstd);
        const dbeta = channelSum(dy);
        const dgamma = channelSum(tf.mul(dy, xhat));
        const k = tf.mul(srstd, sg);
        const dx = tf.mul(tf.sub(dy, tf.add(tf.mul(xhat, tf.div(dgamma, m)), tf.div(dbeta, m))), k);
        return [dx, dgamma, dbeta];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor4D;
  const y = f(x, gamma, beta);
  return [y, mean, variance];
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
