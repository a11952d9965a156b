import * as tf from '@tensorflow/tfjs-core';
import { throwIfAborted, yieldToEventLoop } from '../core/abort.js';
import type { ProgressCallback } from '../core/progress.js';
import { decodeBatch } from '../image/batch.js';
import type { ImageInput } from '../image/input.js';
import type { Model } from '../methods/model.js';
import { HostFeatures } from './host-features.js';

/**
 * Backbone features of every image, computed batch by batch and copied to JS memory (HostFeatures):
 * the backbone is frozen, so training reuses them every epoch.
 */
export async function extractFeatures(model: Model, images: ImageInput[], batchSize: number, onProgress?: ProgressCallback, signal?: AbortSignal): Promise<HostFeatures> {
  const data: Float32Array[][] = [];
  let shapes: [number, number, number][] = [];
  for (let i = 0; i < images.length; i += batchSize) {
    throwIfAborted(signal, 'fit');
    const { batch } = await decodeBatch(images.slice(i, i + batchSize), model.config.inputSize, i);
    const feats = tf.tidy(() => model.features(batch));
    batch.dispose();
    try {
      shapes = await HostFeatures.collect(data, feats);
    } finally {
      tf.dispose(feats);
    }
    onProgress?.({ type: 'features', done: Math.min(i + batchSize, images.length), total: images.length });
    await yieldToEventLoop();
  }
  return new HostFeatures(shapes, data);
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
