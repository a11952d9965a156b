/**
 * Pixel buffers for the generators: they paint into float RGB (0..255, may overshoot) and quantise
 * once at the end, so intermediate blends don't accumulate rounding.
 */
import { DanflowError } from '../errors.js';
import type { BinaryMask, RawImage } from '../types.js';
import { clamp } from './math.js';
import type { Rng } from './rng.js';

/** Float RGB image, interleaved, nominal range 0..255 (clamped when quantised). */
export interface FloatImage {
  width: number;
  height: number;
  data: Float32Array;
}

export type Rgb = readonly [number, number, number];

export function createFloatImage(width: number, height: number): FloatImage {
  return { width, height, data: new Float32Array(width * height * 3) };
}

/** Round half up and clamp to 0..255 (explicit, so it doesn't depend on typed-array rounding rules). */
export function toByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.floor(v + 0.5);
}

export function quantize(image: FloatImage): RawImage {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = toByte(data[i]);
  return { width, height, channels: 3, data: out };
}


export function checkSize(what: string, width: number, height: number, min = 1): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < min || height < min) {
    throw new DanflowError('BAD_ARGUMENT', `${what}: size ${width}×${height} is invalid; width and height must be integers ≥ ${min}.`);
  }
}

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
      out[i * 3 + c] = isFloat ? toByte(v) : v;
    }
  }
  return { width, height, channels: 3, data: out };
}

export function checkMask(mask: BinaryMask, width: number, height: number, what: string): void {
  if (!mask || mask.width !== width || mask.height !== height || !mask.data || mask.data.length !== width * height) {
    throw new DanflowError('BAD_ARGUMENT', `${what}: mask must be ${width}×${height} with ${width * height} values.`);
  }
}



/** A colour with seeded jitter: overall brightness ±brightness and each channel ±tint (fractions). */
export function jitterRgb(c: Rgb, rng: Rng, brightness: number, tint: number): [number, number, number] {
  const b = rng.range(-brightness, brightness);
  return [
    clamp(c[0] * (1 + b + rng.range(-tint, tint)), 0, 255),
    clamp(c[1] * (1 + b + rng.range(-tint, tint)), 0, 255),
    clamp(c[2] * (1 + b + rng.range(-tint, tint)), 0, 255),
  ];
}
