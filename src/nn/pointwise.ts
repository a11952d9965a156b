import * as tf from '@tensorflow/tfjs-core';

/**
 * A 1×1 convolution as a matrix product over pixels. Its gradient is two more matMuls, which every
 * backend has (wasm lacks Conv2DBackpropFilter), and matMul is the fastest 1×1 conv on all of them.
 * `w` is [cin, cout].
 */
export function pointwise(x: tf.Tensor4D, w: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor4D {
  const [n, h, wd, c] = x.shape;
  let y = tf.matMul(tf.reshape(x, [n * h * wd, c]), w);
  if (bias) y = tf.add(y, bias);
  return tf.reshape(y, [n, h, wd, w.shape[1]]);
}
