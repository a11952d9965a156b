import * as tf from '@tensorflow/tfjs-core';
import { preciseMoments } from './precise-reductions.js';

/**
 * LayerNorm over every axis but the batch (PyTorch `nn.LayerNorm(normalized_shape)` applied to
 * the trailing dims), biased variance, with an elementwise affine of the normalised shape. The
 * statistics are blocked sums (see precise-reductions.ts): wasm's one-accumulator reductions lost
 * 2e-4 of the variance here, the largest error of the whole map path.
 */
export function layerNorm(x: tf.Tensor, weight: tf.Tensor, bias: tf.Tensor, eps: number): tf.Tensor {
  const { mean, variance } = preciseMoments(x);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), weight), bias);
}
