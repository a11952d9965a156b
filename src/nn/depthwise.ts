import * as tf from '@tensorflow/tfjs-core';
import { backendHasKernel } from '../backend/registry.js';

/**
 * 3×3 depthwise convolution, stride 1, zero padding 1 (the EIRB's `dw` conv). `w` is [3, 3, C, 1].
 *
 * Backends without the depthwise backprop kernels (tfjs-backend-wasm) get a custom gradient made
 * of ops they do have: the input gradient is the same depthwise conv with the kernel flipped, and
 * the weight gradient is nine shifted element-wise products summed over batch and space.
 */
export function depthwise3x3(x: tf.Tensor4D, w: tf.Tensor4D): tf.Tensor4D {
  if (backendHasKernel('DepthwiseConv2dNativeBackpropFilter') && backendHasKernel('DepthwiseConv2dNativeBackpropInput')) {
    return tf.depthwiseConv2d(x, w, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]);
  }
  return depthwiseCustomGrad(x, w);
}

const depthwiseCustomGrad = tf.customGrad(((x: tf.Tensor, w: tf.Tensor, save: tf.GradSaveFunc) => {
  const x4 = x as tf.Tensor4D;
  const w4 = w as tf.Tensor4D;
  save([x4, w4]);
  const value = tf.depthwiseConv2d(x4, w4, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]);
  const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
    const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D];
    const dy4 = dy as tf.Tensor4D;
    const flipped = tf.reverse(sw, [0, 1]);
    const dx = tf.depthwiseConv2d(dy4, flipped as tf.Tensor4D, 1, [[0, 0], [1, 1], [1, 1], [0, 0]]);
    const [n, h, wd, c] = sx.shape;
    const xp = tf.pad(sx, [[0, 0], [1, 1], [1, 1], [0, 0]]);
    const taps: tf.Tensor[] = [];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const shifted = tf.slice(xp, [0, i, j, 0], [n, h, wd, c]);
        taps.push(tf.sum(tf.mul(shifted, dy4), [0, 1, 2]));
      }
    }
    const dw = tf.reshape(tf.stack(taps), [3, 3, c, 1]);
    return [dx, dw];
  };
  return { value, gradFunc };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor4D;
