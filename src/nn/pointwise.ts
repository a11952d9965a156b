import * as tf from '@tensorflow/tfjs-core';
import { fastKernel, fastOps } from './fast-kernels.js';
import { avoidTransposedMatMul } from './reduce.js';

/**
 * A 1×1 convolution as a matrix product over pixels. Its gradient is two more matMuls, which every
 * backend has (wasm lacks Conv2DBackpropFilter), and matMul is the fastest 1×1 conv on all of them.
 * `w` is [cin, cout].
 */
export function pointwise(x: tf.Tensor4D, w: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor4D {
  const [n, h, wd, c] = x.shape;
  const x2 = tf.reshape(x, [n * h * wd, c]) as tf.Tensor2D;
  let y = avoidTransposedMatMul() ? matMulPlainGrad(x2, w) : tf.matMul(x2, w);
  if (bias) y = tf.add(y, bias);
  return tf.reshape(y, [n, h, wd, w.shape[1]]);
}

/**
 * a·b whose gradient uses explicit transposes instead of transposed-operand matMuls: on wasm the
 * latter leave XNNPACK (dx = dy·bᵀ was 530 ms vs 80 ms for 32768×192·192×32). Same products, same sums.
 */
const matMulPlainGrad = tf.customGrad(((a: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sa, sb] = saved as [tf.Tensor2D, tf.Tensor2D];
      const dy2 = dy as tf.Tensor2D;
      const dW = fastKernel('pw') ? fastOps().pointwiseWeightGrad(sa, dy2) : tf.matMul(tf.transpose(sa), dy2);
      return [tf.matMul(dy2, tf.transpose(sb)), dW];
    },
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
