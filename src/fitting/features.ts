import * as tf from '@tensorflow/tfjs-core';
import { throwIfAborted, yieldToEventLoop } from '../core/abort.js';
import type { ProgressCallback } from '../core/progress.js';
import { decodeBatch } from '../image/batch.js';
import type { ImageInput } from '../image/input.js';
import type { Model } from '../methods/model.js';

/**
 * Backbone features of every image, one [1, h, w, C] tensor per scale per image, computed batch by
 * batch: the backbone is frozen, so training reuses them every epoch. The caller disposes them.
 */
export async function extractFeatures(model: Model, images: ImageInput[], batchSize: number, onProgress?: ProgressCallback, signal?: AbortSignal): Promise<tf.Tensor4D[][]> {
  const cache: tf.Tensor4D[][] = [];
  try {
    for (let i = 0; i < images.length; i += batchSize) {
      throwIfAborted(signal, 'fit');
      const { batch } = await decodeBatch(images.slice(i, i + batchSize), model.config.inputSize, i);
      const feats = tf.tidy(() => model.features(batch));
      batch.dispose();
      for (let j = 0; j < feats[0].shape[0]; j++) {
        cache.push(feats.map((f) => tf.tidy(() => tf.slice(f, [j, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D)));
      }
      tf.dispose(feats);
      onProgress?.({ type: 'features', done: Math.min(i + batchSize, images.length), total: images.length });
      await yieldToEventLoop();
    }
    return cache;
  } catch (e) {
    tf.dispose(cache.flat());
    throw e;
  }
}

/** Images decoded and resized to the input size, kept for per-epoch augmentation. */
export async function decodeImages(images: ImageInput[], size: number, batchSize: number): Promise<tf.Tensor3D[]> {
  const out: tf.Tensor3D[] = [];
  try {
    for (let i = 0; i < images.length; i += batchSize) {
      const { batch } = await decodeBatch(images.slice(i, i + batchSize), size, i);
      out.push(...(tf.unstack(batch) as tf.Tensor3D[]));
      batch.dispose();
    }
    return out;
  } catch (e) {
    tf.dispose(out);
    throw e;
  }
}
