/**
 * Every kernel the trace backend records, one at a time: a small tfjs function using it is
 * exported (both sentinel traces), run in onnxruntime-node at N = 1 and N = 3 from the same file,
 * and compared with the same function on the tfjs cpu backend. N = 3 matters: an attribute read
 * wrongly (Max names its axes `reductionIndices`, the others `axis`) can still pass at N = 1.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { hashUniform } from '../../../src/core/prng.js';
import { TRACE_KERNELS } from '../../../src/engine/trace/kernels/index.js';
import { setBackend } from '../../helpers/backend.js';
import { exportFunction, maxAbs, runGraph } from '../../helpers/onnx.js';

type Case = { shape?: number[]; fn: (x: tf.Tensor) => tf.Tensor | Record<string, tf.Tensor> };

const X = [0, 4, 5, 6]; // NHWC-like: batch, 4 × 5, 6 channels
const c = (key: string, shape: number[], lo = -1, hi = 1) => tf.tensor(hashUniform(key, shape.reduce((a, b) => a * b, 1), lo, hi), shape);
const signed = (x: tf.Tensor) => tf.sub(tf.mul(x, 4), 4); // inputs are in [0.5, 2): spread them over [−2, 4)

const CASES: Record<string, Case> = {
  Add: { fn: (x) => tf.add(x, c('add', [6])) },
  Sub: { fn: (x) => tf.sub(c('sub', [5, 1]), x) },
  Multiply: { fn: (x) => tf.mul(x, c('mul', [1, 5, 6])) },
  RealDiv: { fn: (x) => tf.div(c('div', [6], 1, 2), x) },
  Maximum: { fn: (x) => tf.maximum(x, c('max', [6], 0.5, 2)) },
  Minimum: { fn: (x) => tf.minimum(x, c('min', [6], 0.5, 2)) },
  Pow: { fn: (x) => tf.pow(x, c('pow', [6], 0.5, 2)) },
  SquaredDifference: { fn: (x) => tf.squaredDifference(x, c('sqd', [6])) },
  Greater: { fn: (x) => tf.cast(tf.greater(x, c('gt', [6], 0.5, 2)), 'float32') },
  Less: { fn: (x) => tf.cast(tf.less(x, c('lt', [6], 0.5, 2)), 'float32') },
  Neg: { fn: (x) => tf.neg(x) },
  Exp: { fn: (x) => tf.exp(x) },
  Log: { fn: (x) => tf.log(x) },
  Tanh: { fn: (x) => tf.tanh(signed(x)) },
  Sigmoid: { fn: (x) => tf.sigmoid(signed(x)) },
  Relu: { fn: (x) => tf.relu(signed(x)) },
  Sqrt: { fn: (x) => tf.sqrt(x) },
  Abs: { fn: (x) => tf.abs(signed(x)) },
  Erf: { fn: (x) => tf.erf(signed(x)) },
  Reciprocal: { fn: (x) => tf.reciprocal(x) },
  Softplus: { fn: (x) => tf.softplus(signed(x)) },
  Rsqrt: { fn: (x) => tf.rsqrt(x) },
  Square: { fn: (x) => tf.square(x) },
  Relu6: { fn: (x) => tf.relu6(tf.mul(signed(x), 2)) },
  LeakyRelu: { fn: (x) => tf.leakyRelu(signed(x), 0.1) },
  Elu: { fn: (x) => tf.elu(signed(x)) },
  AddN: { fn: (x) => tf.addN([x, tf.exp(x), tf.mul(x, c('addn', [6]))]) },
  Reshape: { fn: (x) => tf.reshape(x, [-1, 6]) },
  ExpandDims: { fn: (x) => tf.expandDims(x, 2) },
  Identity: { fn: (x) => tf.clone(x) },
  Cast: { fn: (x) => tf.cast(tf.cast(tf.mul(x, 10), 'int32'), 'float32') },
  Transpose: { fn: (x) => tf.transpose(x, [0, 3, 1, 2]) },
  Slice: { fn: (x) => tf.slice(x, [0, 1, 0, 2], [-1, 2, -1, 3]) },
  Concat: { fn: (x) => tf.concat([x, tf.exp(x)], 3) },
  GatherV2: { fn: (x) => tf.gather(x, tf.tensor1d([5, 0, 3, 3, 1], 'int32'), 3) },
  Unpack: { fn: (x) => tf.addN(tf.unstack(x, 1)) },
  PadV2: { fn: (x) => tf.pad(x, [[0, 0], [1, 2], [0, 1], [0, 0]], 0.5) },
  MirrorPad: { fn: (x) => tf.mirrorPad(x, [[0, 0], [2, 1], [1, 2], [0, 0]], 'reflect') },
  // Repeating the batch-size-1 token over N (ViT's cls token) and tiling a batched tensor.
  Tile: { fn: (x) => ({ token: tf.add(tf.tile(c('tok', [1, 5, 6]), [x.shape[0], 1, 1]), tf.sum(x, 1)), tiled: tf.tile(x, [1, 2, 1, 3]) }) },
  // A batch-sized fill (ECA's spatial mean, the logdet's zeros) and a static one.
  Fill: { fn: (x) => tf.add(tf.add(x, tf.fill([x.shape[0], 1, 1, 6], 0.25)), tf.fill([5, 6], 2)) },
  Conv2D: { fn: (x) => tf.conv2d(x as tf.Tensor4D, c('conv', [3, 3, 6, 4]) as tf.Tensor4D, [2, 1], 'same') },
  DepthwiseConv2dNative: { fn: (x) => tf.depthwiseConv2d(x as tf.Tensor4D, c('dw', [3, 3, 6, 2]) as tf.Tensor4D, 1, 'same') },
  MaxPool: { fn: (x) => tf.maxPool(x as tf.Tensor4D, 3, 2, 'same') },
  AvgPool: { fn: (x) => tf.avgPool(x as tf.Tensor4D, 3, 1, 'same') },
  Sum: { fn: (x) => tf.sum(x, [1, 3]) },
  Mean: { fn: (x) => tf.mean(x, [2], true) },
  Max: { fn: (x) => tf.max(x, [1, 2]) },
  Min: { fn: (x) => tf.min(x, -1) },
  Prod: { fn: (x) => tf.prod(x, 2) },
  TopK: { fn: (x) => tf.topk(tf.reshape(x, [-1, 4, 30]) as tf.Tensor3D, 7).values },
  Softmax: { fn: (x) => tf.softmax(x, -1) },
  // [N·H·W, C] · W (pointwise conv), and a batched matmul with transposed operands.
  BatchMatMul: { fn: (x) => ({ pw: tf.matMul(tf.reshape(x, [-1, 6]) as tf.Tensor2D, c('w', [6, 3]) as tf.Tensor2D), bmm: tf.matMul(tf.reshape(x, [-1, 20, 6]) as tf.Tensor3D, tf.reshape(x, [-1, 20, 6]) as tf.Tensor3D, true, false) }) },
  ResizeBilinear: { fn: (x) => ({ up: tf.image.resizeBilinear(x as tf.Tensor4D, [9, 7], false, true), corners: tf.image.resizeBilinear(x as tf.Tensor4D, [3, 11], true) }) },
};

const asRecord = (r: tf.Tensor | Record<string, tf.Tensor>) => (r instanceof tf.Tensor ? { y: r } : r);

describe('trace kernels: onnxruntime-node vs tfjs cpu at N = 1 and 3', () => {
  beforeAll(() => setBackend('cpu'));

  it('every recorded kernel has a case here', () => {
    expect(TRACE_KERNELS.map((k) => k.kernelName).filter((k) => !CASES[k])).toEqual([]);
  });

  it.each(Object.keys(CASES))('%s', async (name) => {
    const { fn, shape = X } = CASES[name];
    const bytes = await exportFunction((x) => asRecord(fn(x)), shape);
    for (const n of [1, 3]) {
      const dims = [n, ...shape.slice(1)];
      const input = hashUniform(`${name}/${n}`, dims.reduce((a, b) => a * b, 1), 0.5, 2);
      const ref = tf.tidy(() => Object.fromEntries(Object.entries(asRecord(fn(tf.tensor(input, dims)))).map(([k, t]) => [k, { data: t.dataSync() as Float32Array, shape: t.shape }])));
      const got = await runGraph(bytes, input, dims);
      expect(Object.keys(got).sort()).toEqual(Object.keys(ref).sort());
      for (const [k, r] of Object.entries(ref)) {
        expect(got[k].length, `${k} size`).toBe(r.data.length);
        const d = maxAbs(got[k].map((v, i) => (v - r.data[i]) / Math.max(1, Math.abs(r.data[i]))));
        expect(d, `${name}.${k} at N=${n}`).toBeLessThanOrEqual(2e-6);
      }
    }
  });
});
