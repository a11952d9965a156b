import * as tf from '@tensorflow/tfjs-core';
import { DanflowError } from '../core/errors.js';
import { isNode } from '../core/env.js';
import type { RawImage } from '../core/types.js';

/**
 * Everything `fit` and `localize` accept as an image. In Node: file paths and encoded bytes
 * (PNG/JPEG/BMP/…). In browsers: ImageData, ImageBitmap, <img>, <canvas>, OffscreenCanvas, Blob.
 */
export type ImageInput =
  | RawImage
  | tf.Tensor3D
  | string
  | Uint8Array
  | ArrayBuffer
  | { data: Uint8ClampedArray; width: number; height: number } // ImageData
  | Blob
  | object;

function isRawImage(x: unknown): x is RawImage {
  const r = x as RawImage;
  return typeof r === 'object' && r !== null && ArrayBuffer.isView(r.data) && typeof r.width === 'number' && typeof r.height === 'number';
}

function validateRaw(img: RawImage, label: string): RawImage {
  const channels = img.channels ?? img.data.length / (img.width * img.height);
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width < 1 || img.height < 1) {
    throw new DanflowError('BAD_IMAGE', `${label}: width and height must be positive integers (got ${img.width}×${img.height}).`);
  }
  if (![1, 3, 4].includes(channels) || img.data.length !== img.width * img.height * channels) {
    throw new DanflowError(
      'BAD_IMAGE',
      `${label}: data has ${img.data.length} values, which does not match ${img.width}×${img.height} with 1, 3 or 4 channels (channels: ${img.channels}).`,
    );
  }
  // No object spread: ImageData's width/height are prototype getters that a spread would drop.
  return { data: img.data, width: img.width, height: img.height, channels };
}

/**
 * The Node file/bytes decoder (sharp + BMP) is registered by the Node entry points rather than
 * imported here, so browser bundles never pull in node: modules or sharp.
 */
let nodeDecoder: ((input: string | Uint8Array) => Promise<RawImage>) | undefined;

export function registerNodeImageDecoder(decoder: (input: string | Uint8Array) => Promise<RawImage>): void {
  nodeDecoder = decoder;
}

/** Decode any accepted input into an HWC float32 RGB tensor with values in 0..255. */
export async function imageToTensor(input: ImageInput, label = 'image'): Promise<tf.Tensor3D> {
  if (input instanceof tf.Tensor) {
    if (input.rank !== 3 || ![1, 3, 4].includes(input.shape[2] as number)) {
      throw new DanflowError('BAD_IMAGE', `${label}: a tensor image must be [height, width, 1|3|4] (got [${input.shape.join(', ')}]).`);
    }
    return tf.tidy(() => toRgb(tf.cast(input as tf.Tensor3D, 'float32')));
  }
  if (typeof input === 'string' || input instanceof Uint8Array || input instanceof ArrayBuffer) {
    if (!isNode) {
      if (typeof input === 'string') throw new DanflowError('UNSUPPORTED', `${label}: file paths are only supported in Node; in the browser pass an <img>, ImageBitmap, ImageData or Blob.`);
      return imageToTensor(new Blob([input as BlobPart]), label);
    }
    if (!nodeDecoder) {
      throw new DanflowError('UNSUPPORTED', `${label}: decoding files needs danflow's Node build; import 'danflow' from Node (the "node" export condition) or import 'danflow/node' once.`);
    }
    const bytesOrPath = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
    return rawToTensor(await nodeDecoder(bytesOrPath), label);
  }
  if (isRawImage(input)) return rawToTensor(input, label);
  if (typeof Blob !== 'undefined' && input instanceof Blob) {
    if (typeof createImageBitmap !== 'function') throw new DanflowError('UNSUPPORTED', `${label}: decoding a Blob needs createImageBitmap (a browser).`);
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(input);
    } catch (e) {
      throw new DanflowError('BAD_IMAGE', `${label}: the browser could not decode this Blob (${(e as Error).message}); pass a PNG, JPEG, BMP or WebP.`);
    }
    return imageToTensor(bitmap, label);
  }
  try {
    return tf.tidy(() => toRgb(tf.cast(tf.browser.fromPixels(input as HTMLImageElement), 'float32')));
  } catch (e) {
    throw new DanflowError(
      'BAD_IMAGE',
      `${label}: unsupported image input (${Object.prototype.toString.call(input)}). Pass a file path or bytes (Node), ` +
        `{ data, width, height, channels }, a tf.Tensor3D, or a browser image/canvas/ImageBitmap/ImageData/Blob. (${(e as Error).message})`,
    );
  }
}

function rawToTensor(raw: RawImage, label: string): tf.Tensor3D {
  const img = validateRaw(raw, label);
  if (img.data instanceof Float32Array) {
    // Some backends' kernels (e.g. XNNPACK's relu/max-pool) silently turn NaN into numbers.
    const bad = img.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new DanflowError('BAD_IMAGE', `${label}: pixel value ${img.data[bad]} at index ${bad} is not finite; float images must hold finite values in 0..255.`);
  }
  const data = img.data instanceof Float32Array ? img.data : Float32Array.from(img.data);
  return tf.tidy(() => toRgb(tf.tensor3d(data, [img.height, img.width, img.channels])));
}

function toRgb(t: tf.Tensor3D): tf.Tensor3D {
  const c = t.shape[2];
  if (c === 3) return t;
  if (c === 1) return tf.tile(t, [1, 1, 3]);
  return tf.slice(t, [0, 0, 0], [t.shape[0], t.shape[1], 3]);
}

/** Bilinear resize (half-pixel centres, as PyTorch's align_corners=False) to the model's input. */
export function resizeForModel(img: tf.Tensor3D, size: number): tf.Tensor3D {
  if (img.shape[0] === size && img.shape[1] === size) return tf.clone(img);
  return tf.image.resizeBilinear(img, [size, size], false, true);
}
