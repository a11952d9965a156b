import * as tf from '@tensorflow/tfjs-core';
import { env } from '../core/env.js';
import { KERNELS, type FastKernel } from './kernels/names.js';

/**
 * danflow's own training kernels (kernels/): train-mode BatchNorm with a fused ReLU6 and its
 * backward, the depthwise 3×3 and 1×1 weight gradients, and the channel permutation. They do only
 * the arithmetic a step needs, where tfjs's generic path took a third of a wasm training step in
 * one "huge-kernel" depthwise conv and most of the rest in ones-row matMuls and bool tensors.
 *
 * This module is what the layers consult (small, loaded up front); the implementations are a chunk
 * loaded by loadFastKernels() — by training (ensureGradients) and by createDetector/loadDetector.
 * A kernel is used when it is registered for the active backend (wasm and cpu) and
 * env.trainingKernels is 'danflow' (the default); 'tfjs' selects tfjs's generic ops instead (the
 * golden tests run both ways).
 */
let loading: Promise<void> | undefined;

export type { FastKernel } from './kernels/names.js';

/** Registers the kernels (once; later calls return the same promise). */
export function loadFastKernels(): Promise<void> {
  loading ??= import('./kernels/register.js').then((m) => m.registerTrainingKernels());
  return loading;
}

/** Whether layer code should take the fast path for `k` on the active backend. */
export function fastKernel(k: FastKernel): boolean {
  return env.trainingKernels !== 'tfjs' && tf.getKernel(KERNELS[k], tf.getBackend()) !== undefined;
}

/** dW [3, 3, C, 1] of a 3×3 depthwise conv (stride 1, pad 1) from its input x and output gradient dy. */
export function depthwise3x3FilterGrad(x: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor4D {
  return tf.engine().runKernel(KERNELS.dw, { x, dy }) as tf.Tensor4D;
}

/** aᵀ·dy for a [P, cin] and dy [P, cout]: the weight gradient of a 1×1 conv. */
export function pointwiseWeightGrad(a: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor2D {
  return tf.engine().runKernel(KERNELS.pw, { a, dy }) as tf.Tensor2D;
}

/** y[…, i] = x[…, perm[i]]. */
export function gatherChannels(x: tf.Tensor, perm: tf.Tensor1D): tf.Tensor {
  return tf.engine().runKernel(KERNELS.perm, { x, perm }) as tf.Tensor;
}

/**
 * Train-mode BatchNorm over the last axis, optionally followed by ReLU6, as one differentiable
 * unit: y and the (not differentiated, kept) batch mean and biased variance.
 */
export function batchNormTrainFused(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, relu6: boolean): [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D] {
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
