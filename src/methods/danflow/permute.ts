import * as tf from '@tensorflow/tfjs-core';
import { fastKernel, fastOps } from '../../nn/fast-kernels.js';

/**
 * Channel permutation y[..., i] = x[..., perm[i]] (the reference's conv with `w_perm`). Its gradient
 * is the inverse gather, given explicitly because gather's generic gradient needs
 * UnsortedSegmentSum, which the wasm backend lacks.
 */
export function permuteChannels(x: tf.Tensor4D, perm: tf.Tensor1D, inverse: tf.Tensor1D): tf.Tensor4D {
  // danflow's gather kernel where the backend has it (tfjs-wasm's GatherV2 took 136 ms on [8,64,64,64]).
  const gather = fastKernel('perm') ? fastOps().gatherChannels : (t: tf.Tensor, p: tf.Tensor1D) => tf.gather(t, p, 3);
  const f = tf.customGrad(((input: tf.Tensor) => ({
    value: gather(input, perm),
    gradFunc: (dy: tf.Tensor) => gather(dy, inverse),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor4D;
}
