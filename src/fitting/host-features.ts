import * as tf from '@tensorflow/tfjs-core';

/**
 * Backbone features of a set of images, held in JS memory (one Float32Array per image and scale)
 * and uploaded to the backend a batch at a time. Kept as tensors they sat in the wasm heap, which
 * is capped at 4 GB, never shrinks, and must also hold a training step's transient peak: the
 * 210-image MobileNetV2 fit at batch 16 ran out of it (3.4 GB after one step; 1.7 GB this way).
 * The upload is one copy of the batch per step, a fraction of a percent of the step.
 */
export class HostFeatures {
  /**
   * @param shapes per scale, [h, w, C] of one image
   * @param images images[i][scale]: that image's NHWC features
   */
  constructor(
    readonly shapes: readonly [number, number, number][],
    private readonly images: readonly Float32Array[][],
  ) {}

  get count(): number {
    return this.images.length;
  }

  get bytes(): number {
    let n = 0;
    for (const img of this.images) for (const a of img) n += a.byteLength;
    return n;
  }

  /** The given images' features stacked, one [k, h, w, C] tensor per scale; the caller disposes them. */
  upload(indices: readonly number[]): tf.Tensor4D[] {
    return this.shapes.map(([h, w, c], s) => {
      const per = h * w * c;
      const buf = new Float32Array(indices.length * per);
      indices.forEach((i, k) => buf.set(this.images[i][s], k * per));
      return tf.tensor4d(buf, [indices.length, h, w, c]);
    });
  }

  /** The features of some of the images (shared, not copied). */
  subset(indices: readonly number[]): HostFeatures {
    return new HostFeatures(this.shapes, indices.map((i) => this.images[i]));
  }

  /** Appends a batch's features ([k, h, w, C] per scale), read back from the backend. */
  static async collect(into: Float32Array[][], feats: tf.Tensor4D[]): Promise<[number, number, number][]> {
    const arrays = (await Promise.all(feats.map((f) => f.data()))) as Float32Array[];
    for (let j = 0; j < feats[0].shape[0]; j++) {
      into.push(arrays.map((a, s) => {
        const per = a.length / feats[s].shape[0];
        return a.slice(j * per, (j + 1) * per);
      }));
    }
    return feats.map((f) => [f.shape[1], f.shape[2], f.shape[3]]);
  }
}
