import * as tf from '@tensorflow/tfjs-core';

/** Kernel size anomalib/kornia use for a given sigma: 2·⌊4σ + 0.5⌋ + 1. */
export function gaussianKernelSize(sigma: number): number {
  return 2 * Math.floor(4 * sigma + 0.5) + 1;
}

export function gaussianKernel1d(sigma: number): Float32Array {
  const k = gaussianKernelSize(sigma);
  const half = (k - 1) / 2;
  const out = new Float32Array(k);
  let sum = 0;
  for (let i = 0; i < k; i++) {
    out[i] = Math.exp(-((i - half) ** 2) / (2 * sigma * sigma));
    sum += out[i];
  }
  for (let i = 0; i < k; i++) out[i] /= sum;
  return out;
}

/**
 * Separable Gaussian blur of [N, H, W] maps with reflect padding (kornia's gaussian_blur2d, which
 * anomalib applies to anomaly maps). sigma ≤ 0 returns the maps unchanged.
 */
export function gaussianBlur(maps: tf.Tensor3D, sigma: number): tf.Tensor3D {
  if (!(sigma > 0)) return tf.clone(maps);
  return tf.tidy(() => {
    const kernel = gaussianKernel1d(sigma);
    const k = kernel.length;
    const [, h, w] = maps.shape;
    // Reflect padding needs the pad to be smaller than the side; clamp for tiny maps.
    const padH = Math.min((k - 1) / 2, h - 1);
    const padW = Math.min((k - 1) / 2, w - 1);
    const x = tf.expandDims(maps, 3) as tf.Tensor4D;
    const kh = kernel.subarray((k - 1) / 2 - padH, (k - 1) / 2 + padH + 1);
    const kw = kernel.subarray((k - 1) / 2 - padW, (k - 1) / 2 + padW + 1);
    const norm = (a: Float32Array) => {
      const s = a.reduce((p, c) => p + c, 0);
      return Float32Array.from(a, (v) => v / s);
    };
    const vertical = tf.conv2d(tf.mirrorPad(x, [[0, 0], [padH, padH], [0, 0], [0, 0]], 'reflect'), tf.tensor4d(norm(kh), [kh.length, 1, 1, 1]), 1, 'valid');
    const both = tf.conv2d(tf.mirrorPad(vertical, [[0, 0], [0, 0], [padW, padW], [0, 0]], 'reflect'), tf.tensor4d(norm(kw), [1, kw.length, 1, 1]), 1, 'valid');
    return tf.squeeze(both, [3]) as tf.Tensor3D;
  });
}
