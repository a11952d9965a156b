import * as tf from '@tensorflow/tfjs-core';

/**
 * PatchCore's locally aware patch features: each chosen feature map is averaged over a 3×3
 * neighbourhood (stride 1, so resolution is kept), resized to the finest chosen map, and the maps
 * are concatenated along channels. [N, h, w, ΣC].
 */
export function patchEmbedding(features: tf.Tensor4D[], scales: number[]): tf.Tensor4D {
  return tf.tidy(() => {
    const chosen = scales.map((s) => features[s]);
    const [, h, w] = chosen[0].shape;
    const pooled = chosen.map((f) => {
      // avgPool with 'same' padding would count the zero padding; PyTorch's AvgPool2d(3, 1, 1)
      // (count_include_pad=True) does count it, which is what PatchCore uses.
      const p = tf.avgPool(tf.pad(f, [[0, 0], [1, 1], [1, 1], [0, 0]]), 3, 1, 'valid');
      return p.shape[1] === h && p.shape[2] === w ? p : tf.image.resizeBilinear(p, [h, w], false, true);
    });
    return tf.concat(pooled, 3) as tf.Tensor4D;
  });
}
