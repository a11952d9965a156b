import * as tf from '@tensorflow/tfjs-core';
import { KERNELS, type FastKernel } from './names.js';

/**
 * The ops over danflow's training kernels, in the chunk loaded by loadFastKernels() with the kernels
 * themselves, so a page that never trains does not load them. Layers reach them through fastOps().
 */
/** dW [3, 3, C, 1] of a 3×3 depthwise conv (stride 1, pad 1) from its input x and output gradient dy. */
function depthwise3x3FilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor4D {
  return tf.engine().runKernel(KERNELS.dw, { x, dy }) as tf.Tensor4D;
}

/** aᵀ·dy for a [P, cin] and dy [P, cout]: the weight gradient of a 1×1 conv. */
function pointwiseWeightGrad(a: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor2D {
  return tf.engine().runKernel(KERNELS.pw, { a, dy }) as tf.Tensor2D;
}

/** y[…, i] = x[…, perm[i]]. */
function gatherChannels(x: tf.Tensor, perm: tf.Tensor1D): tf.Tensor {
  return tf.engine().runKernel(KERNELS.perm, { x, perm }) as tf.Tensor;
}

/**
 * Train-mode BatchNorm over the last axis, optionally followed by ReLU6, as one differentiable
 * unit: y and the (not differentiated, kept) batch mean and biased variance.
 */
function batchNormTrainFused(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, relu6: boolean): [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D] {
  const attrs = { relu6 } as unknown as tf.NamedAttrMap;
  let mean!: tf.Tensor1D;
  let variance!: tf.Tensor1D;
  const f = tf.customGrad(((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const [y, mu, v] = tf.engine().runKernel(KERNELS.bn, { x: xi, gamma: g, beta: b }, attrs) as tf.Tensor[];
    // Kept: the customGrad forward runs in its own scope, and the caller records these.
    mean = tf.keep(mu as tf.Tensor1D);
    variance = tf.keep(v as tf.Tensor1D);
    save([xi, mu, v, g, b]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, smu, sv, sg, sb] = saved;
        return tf.engine().runKernel(KERNELS.bnGrad, { dy, x: sx, mean: smu, variance: sv, gamma: sg, beta: sb }, attrs) as tf.Tensor[];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor4D;
  const y = f(x, gamma, beta);
  return [y, mean, variance];
}

/** Whether kernel `k` exists for the active backend (registered for wasm and cpu only). */
function registered(k: FastKernel): boolean {
  return tf.getKernel(KERNELS[k], tf.getBackend()) !== undefined;
}

export const FAST_OPS = { registered, depthwise3x3FilterGrad, pointwiseWeightGrad, gatherChannels, batchNormTrainFused };
export type FastOps = typeof FAST_OPS;
