import * as tf from '@tensorflow/tfjs-core';

/**
 * Channel permutation y[..., i] = x[..., perm[i]] (the reference's conv with `w_perm`). Its gradient
 * is the inverse gather, given explicitly because gather's generic gradient needs
 * UnsortedSegmentSum, which the wasm backend lacks.
 */
export function permuteChannels(x: tf.Tensor4D, perm: tf.Tensor1D, inverse: tf.Tensor1D): tf.Tensor4D {
  const f = tf.customGrad(((input: tf.Tensor) => ({
    value: tf.gather(input, perm, 3),
    gradFunc: (dy: tf.Tensor) => tf.gather(dy, inverse, 3),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor4D;
}
