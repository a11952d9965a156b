import type * as tf from '@tensorflow/tfjs-core';
import { bnAffine, bnGradCoefficients } from './batch-norm-math.js';

/**
 * The training kernels on tfjs-backend-cpu: plain loops over the backend's own arrays. They are
 * the reference the SIMD versions (kernels/wasm.ts) are read against — same sums in float64, same
 * float32 coefficients — and they let the cpu golden tests pin the kernels' arithmetic too.
 */

type Info = tf.TensorInfo;
export interface KernelArgs {
  inputs: tf.NamedTensorInfoMap;
  backend: tf.KernelBackend;
  attrs?: tf.NamedAttrMap;
}

interface CpuBackendLike {
  makeTensorInfo(shape: number[], dtype: string, values?: Float32Array): Info;
  data: { get(id: object): { values: Float32Array | Int32Array | Uint8Array } };
}

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

function cpu(backend: tf.KernelBackend) {
  const b = backend as unknown as CpuBackendLike;
  return {
    out: (shape: number[], values: Float32Array): Info => b.makeTensorInfo(shape, 'float32', values),
    f32: (t: Info): Float32Array => {
      const v = b.data.get(t.dataId).values;
      return v instanceof Float32Array ? v : Float32Array.from(v);
    },
    i32: (t: Info): Int32Array => {
      const v = b.data.get(t.dataId).values;
      return v instanceof Int32Array ? v : Int32Array.from(v);
    },
  };
}

export function batchNormTrainCpu({ inputs, backend, attrs }: KernelArgs): Info[] {
  const { x, gamma, beta } = inputs as Record<string, Info>;
  const relu6 = !!attrs?.relu6;
  const k = cpu(backend);
  const c = x.shape[x.shape.length - 1];
  const m = size(x.shape) / c;
  const X = k.f32(x);
  const sum = new Float64Array(c);
  for (let o = 0; o < X.length; o += c) for (let ch = 0; ch < c; ch++) sum[ch] += X[o + ch];
  const mean = new Float32Array(c);
  for (let ch = 0; ch < c; ch++) mean[ch] = sum[ch] / m;
  // Two passes, about the float32 mean the tensor will hold (as PyTorch's batch_norm does).
  const sq = new Float64Array(c);
  for (let o = 0; o < X.length; o += c) {
    for (let ch = 0; ch < c; ch++) {
      const d = X[o + ch] - mean[ch];
      sq[ch] += d * d;
    }
  }
  const variance = new Float32Array(c);
  for (let ch = 0; ch < c; ch++) variance[ch] = sq[ch] / m;
  const { a, s } = bnAffine(mean, variance, k.f32(gamma), k.f32(beta), c);
  const Y = new Float32Array(X.length);
  for (let o = 0; o < X.length; o += c) {
    for (let ch = 0; ch < c; ch++) {
      const v = Math.fround(Math.fround(X[o + ch] * a[ch]) + s[ch]);
      Y[o + ch] = relu6 ? (v < 0 ? 0 : v > 6 ? 6 : v) : v;
    }
  }
  return [k.out(x.shape, Y), k.out([c], mean), k.out([c], variance)];
}

export function batchNormTrainGradCpu({ inputs, backend, attrs }: KernelArgs): Info[] {
  const { dy, x, mean, variance, gamma, beta } = inputs as Record<string, Info>;
  const relu6 = !!attrs?.relu6;
  const k = cpu(backend);
  const c = x.shape[x.shape.length - 1];
  const m = size(x.shape) / c;
  const X = k.f32(x);
  const DY = k.f32(dy);
  const MU = k.f32(mean);
  const G = k.f32(gamma);
  const { a, s, rstd } = bnAffine(MU, k.f32(variance), G, k.f32(beta), c);
  // The ReLU6 mask of the forward: y recomputed with the forward's float32 operations.
  const g = (o: number, ch: number): number => {
    if (!relu6) return DY[o + ch];
    const v = Math.fround(Math.fround(X[o + ch] * a[ch]) + s[ch]);
    return v > 0 && v < 6 ? DY[o + ch] : 0;
  };
  const sumG = new Float64Array(c);
  const sumGx = new Float64Array(c);
  for (let o = 0; o < X.length; o += c) {
    for (let ch = 0; ch < c; ch++) {
      const gv = g(o, ch);
      sumG[ch] += gv;
      sumGx[ch] += gv * (X[o + ch] - MU[ch]);
    }
  }
  const { dgamma, dbeta, p, q, t } = bnGradCoefficients(sumG, sumGx, m, G, rstd, c);
  const DX = new Float32Array(X.length);
  for (let o = 0; o < X.length; o += c) {
    for (let ch = 0; ch < c; ch++) DX[o + ch] = g(o, ch) * p[ch] + (X[o + ch] - MU[ch]) * q[ch] + t[ch];
  }
  return [k.out(x.shape, DX), k.out([c], dgamma), k.out([c], dbeta)];
}

/** dW[i, j, ch] = Σ_{b,r,q} x[b, r+i−1, q+j−1, ch]·dy[b, r, q, ch] (zero outside the image). */
export function depthwise3x3FilterGradCpu({ inputs, backend }: KernelArgs): Info {
  const { x, dy } = inputs as Record<string, Info>;
  const [n, h, w, c] = x.shape;
  const k = cpu(backend);
  const X = k.f32(x);
  const D = k.f32(dy);
  const acc = new Float64Array(9 * c);
  for (let b = 0; b < n; b++) {
    for (let r = 0; r < h; r++) {
      const dRow = (b * h + r) * w * c;
      for (let i = 0; i < 3; i++) {
        const rr = r + i - 1;
        if (rr < 0 || rr >= h) continue;
        const xRow = (b * h + rr) * w * c;
        for (let j = 0; j < 3; j++) {
          const tap = (i * 3 + j) * c;
          // Output columns whose tap (i, j) falls inside the image.
          const q0 = j === 0 ? 1 : 0;
          const q1 = j === 2 ? w - 1 : w;
          for (let q = q0; q < q1; q++) {
            const xo = xRow + (q + j - 1) * c;
            const dOff = dRow + q * c;
            for (let ch = 0; ch < c; ch++) acc[tap + ch] += X[xo + ch] * D[dOff + ch];
          }
        }
      }
    }
  }
  return k.out([3, 3, c, 1], Float32Array.from(acc));
}

/** dW = aᵀ·dy: a [P, cin], dy [P, cout] → [cin, cout], summed in float64. */
export function pointwiseWeightGradCpu({ inputs, backend }: KernelArgs): Info {
  const { a, dy } = inputs as Record<string, Info>;
  const [p, cin] = a.shape;
  const cout = dy.shape[1];
  const k = cpu(backend);
  const A = k.f32(a);
  const D = k.f32(dy);
  const acc = new Float64Array(cin * cout);
  for (let r = 0; r < p; r++) {
    for (let i = 0; i < cin; i++) {
      const ai = A[r * cin + i];
      if (ai === 0) continue;
      const o = i * cout;
      const d = r * cout;
      for (let j = 0; j < cout; j++) acc[o + j] += ai * D[d + j];
    }
  }
  return k.out([cin, cout], Float32Array.from(acc));
}

export function gatherChannelsCpu({ inputs, backend }: KernelArgs): Info {
  const { x, perm } = inputs as Record<string, Info>;
  const k = cpu(backend);
  const c = x.shape[x.shape.length - 1];
  const X = k.f32(x);
  const P = k.i32(perm);
  const Y = new Float32Array(X.length);
  for (let o = 0; o < X.length; o += c) for (let i = 0; i < c; i++) Y[o + i] = X[o + P[i]];
  return k.out(x.shape, Y);
}
