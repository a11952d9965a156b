import * as tf from '@tensorflow/tfjs-core';
import { layerNorm } from '../../nn/layer-norm.js';
import { pointwise } from '../../nn/pointwise.js';
import { spatialMean } from '../../nn/reduce.js';
import type { ParamStore } from '../../nn/params.js';

/**
 * ECA: channel gate from a 1-D conv (kernel k, zero padding, with bias) across the channel axis of
 * the globally average-pooled features. The conv is written as k shifted multiply-adds, which keeps
 * it differentiable on every backend.
 */
export function eca(x: tf.Tensor4D, p: ParamStore, prefix: string): tf.Tensor4D {
  const w = p.get(`${prefix}.conv.weight`);
  const b = p.get(`${prefix}.conv.bias`);
  const k = w.shape[0];
  const [n, , , c] = x.shape;
  const pooled = spatialMean(x); // [N, C] (a batched matMul: wasm's mean over H,W transposes first)
  const half = (k - 1) / 2;
  const padded = half > 0 ? tf.pad(pooled, [[0, 0], [half, half]]) : pooled;
  let y: tf.Tensor = tf.mul(tf.slice(padded, [0, 0], [n, c]), tf.slice(w, [0], [1]));
  for (let j = 1; j < k; j++) y = tf.add(y, tf.mul(tf.slice(padded, [0, j], [n, c]), tf.slice(w, [j], [1])));
  const gate = tf.sigmoid(tf.add(y, b));
  return tf.mul(x, tf.reshape(gate, [n, 1, 1, c]));
}

/**
 * GCNet global context block (attention pooling, channel-multiplicative fusion, ratio 1/4).
 */
export function gcnet(x: tf.Tensor4D, p: ParamStore, prefix: string): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const logits = pointwise(x, p.get(`${prefix}.conv_mask.weight`) as tf.Tensor2D, p.get(`${prefix}.conv_mask.bias`) as tf.Tensor1D);
  const attn = tf.softmax(tf.reshape(logits, [n, h * w])); // over H·W
  const context = tf.matMul(tf.reshape(x, [n, h * w, c]), tf.reshape(attn, [n, h * w, 1]), true, false); // [N, C, 1]
  let t: tf.Tensor = tf.add(tf.matMul(tf.reshape(context, [n, c]), p.get(`${prefix}.channel_mul_conv.0.weight`)), p.get(`${prefix}.channel_mul_conv.0.bias`));
  t = layerNorm(t, p.get(`${prefix}.channel_mul_conv.1.weight`), p.get(`${prefix}.channel_mul_conv.1.bias`), 1e-5);
  t = tf.relu(t);
  t = tf.add(tf.matMul(t, p.get(`${prefix}.channel_mul_conv.3.weight`)), p.get(`${prefix}.channel_mul_conv.3.bias`));
  return tf.mul(x, tf.reshape(tf.sigmoid(t), [n, 1, 1, c]));
}
