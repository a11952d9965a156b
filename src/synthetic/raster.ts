/**
 * Pixel buffers for the generators: they paint into float RGB (0..255, may overshoot) and quantise
 * once at the end, so intermediate blends don't accumulate rounding.
 */
import { DanflowError } from '../core/errors.js';
import type { BinaryMask, RawImage } from '../core/types.js';
import { clamp } from './math.js';
import type { Rng } from '../core/prng.js';

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
