import * as tf from '@tensorflow/tfjs-core';

/**
 * LayerNorm over every axis but the batch (PyTorch `nn.LayerNorm(normalized_shape)` applied to
 * the trailing dims), biased variance, with an elementwise affine of the normalised shape.
 */
export function layerNorm(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps: number): tf.Tensor {
  const axes = x.shape.map((_, i) => i).slice(1);
  const { mean, variance } = tf.moments(x, axes, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), weight), bias);
}
