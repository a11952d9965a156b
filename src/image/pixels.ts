import { DanflowError } from '../core/errors.js';
import type { RawImage } from '../core/types.js';

/**
 * A fresh RGB uint8 copy of any RawImage: grey is replicated, alpha dropped, float values rounded
 * and clamped. Defects always work on (and compare against) this copy, never the caller's buffer.
 */
export function toRgb8(image: RawImage, what = 'image'): RawImage {
  const { width, height, channels, data } = image ?? ({} as RawImage);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new DanflowError('BAD_IMAGE', `${what}: size ${width}×${height} is invalid.`);
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new DanflowError('BAD_IMAGE', `${what}: ${channels} channels; 1, 3 or 4 expected.`);
  }
  if (!data || data.length !== width * height * channels) {
    throw new DanflowError('BAD_IMAGE', `${what}: data holds ${data?.length} values, ${width}×${height}×${channels} expected.`);
  }
  const n = width * height;
  const out = new Uint8Array(n * 3);
  const isFloat = data instanceof Float32Array;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 3; c++) {
      const v = data[i * channels + (channels === 1 ? 0 : c)];
      out[i * 3 + c] = isFloat ? (v <= 0 ? 0 : v >= 255 ? 255 : Math.floor(v + 0.5)) : v;
    }
  }
  return { width, height, channels: 3, data: out };
}
