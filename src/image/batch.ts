import * as tf from '@tensorflow/tfjs-core';
import { imageToTensor, resizeForModel, type ImageInput } from './input.js';

/**
 * Decodes inputs and resizes them to the model's square input: [N, S, S, 3] in 0..255, and each
 * image's original [height, width] (maps are returned at that size). `offset` numbers the images
 * in error messages ("image 12: …") when a long list is processed in batches.
 */
export async function decodeBatch(images: ImageInput[], size: number, offset = 0): Promise<{ batch: tf.Tensor4D; sizes: [number, number][] }> {
  const resized: tf.Tensor3D[] = [];
  const sizes: [number, number][] = [];
  try {
    for (let i = 0; i < images.length; i++) {
      const img = await imageToTensor(images[i], `image ${offset + i}`);
      sizes.push([img.shape[0], img.shape[1]]);
      resized.push(resizeForModel(img, size));
      img.dispose();
    }
    return { batch: tf.stack(resized) as tf.Tensor4D, sizes };
  } finally {
    tf.dispose(resized);
  }
}
