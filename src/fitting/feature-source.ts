import * as tf from '@tensorflow/tfjs-core';
import type { FeatureSource } from '../methods/types.js';
import { pickTransform, transformImages, type ImageTransform } from './augment.js';
import type { HostFeatures } from './host-features.js';


/** Features computed once (the backbone is frozen): the reference's training. */
export function cachedFeatures(cache: HostFeatures): FeatureSource {
  return {
    count: cache.count,
    batch: async (indices) => cache.upload(indices),
  };
}

/**
 * Features of randomly flipped / rotated images, recomputed every epoch: caching all variants
 * would multiply feature memory by up to 8. `images` are uint8-range [S, S, 3] tensors at input size.
 */
export function augmentedFeatures(images: tf.Tensor3D[], transforms: readonly ImageTransform[], extract: (batch: tf.Tensor4D) => tf.Tensor4D[], seed: number): FeatureSource {
  return {
    count: images.length,
    batch: async (indices, epoch) =>
      tf.tidy(() => {
        const x = tf.concat(indices.map((i) => transformImages(tf.expandDims(images[i], 0) as tf.Tensor4D, pickTransform(transforms, seed, epoch, i)))) as tf.Tensor4D;
        return extract(x);
      }),
  };
}
