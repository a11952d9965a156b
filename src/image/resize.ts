/**
 * CPU resizing for masks, anomaly maps and small images, numerically matching PyTorch so that maps
 * and metrics agree with the reference:
 * - bilinear = `F.interpolate(mode='bilinear', align_corners=False)` without antialiasing: half-pixel
 *   centres, source coordinate `(dst + 0.5) * in / out - 0.5` clamped below at 0, edge pixels repeated;
 * - nearest = `F.interpolate(mode='nearest')` (source `floor(dst * in / out)`), or `'nearest-exact'`
 *   (source `floor((dst + 0.5) * in / out)`, the half-pixel variant).
 * Downscaling by large factors aliases exactly as PyTorch does; that is the point.
 */
import { DanflowError } from '../core/errors.js';
import type { BinaryMask, RawImage, ScoreMap } from '../core/types.js';

type Pixels = Uint8Array | Uint8ClampedArray | Float32Array;

function checkSize(what: string, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new DanflowError('BAD_ARGUMENT', `${what}: size ${width}×${height} is invalid; width and height must be positive integers.`);
  }
}

function checkData(what: string, length: number, width: number, height: number, channels: number): void {
  if (length !== width * height * channels) {
    throw new DanflowError('BAD_ARGUMENT', `${what}: data holds ${length} values, ${width}×${height}×${channels} = ${width * height * channels} expected.`);
  }
}

interface Taps {
  i0: Int32Array;
  i1: Int32Array;
  w1: Float32Array; // weight of i1; i0 gets 1 - w1
}

/** One axis of the half-pixel bilinear sampling grid (precomputed once per axis, not per pixel). */
export function bilinearTaps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w1 = new Float32Array(outSize);
  for (let d = 0; d < outSize; d++) {
    const src = Math.max((d + 0.5) * scale - 0.5, 0);
    const lo = Math.min(Math.floor(src), inSize - 1);
    i0[d] = lo;
    i1[d] = Math.min(lo + 1, inSize - 1);
    w1[d] = src - lo;
  }
  return { i0, i1, w1 };
}

/**
 * Bilinear resize of interleaved `channels`-wide pixels; always returns float32 (no rounding), so
 * chaining resizes or thresholding afterwards loses nothing.
 */
export function resizeBilinearData(
  src: Pixels,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
): Float32Array {
  checkSize('resizeBilinear input', width, height);
  checkSize('resizeBilinear output', outWidth, outHeight);
  checkData('resizeBilinear', src.length, width, height, channels);
  const xs = bilinearTaps(width, outWidth);
  const ys = bilinearTaps(height, outHeight);
  const out = new Float32Array(outWidth * outHeight * channels);
  for (let y = 0; y < outHeight; y++) {
    const r0 = ys.i0[y] * width;
    const r1 = ys.i1[y] * width;
    const wy = ys.w1[y];
    for (let x = 0; x < outWidth; x++) {
      const c0 = xs.i0[x];
      const c1 = xs.i1[x];
      const wx = xs.w1[x];
      const o = (y * outWidth + x) * channels;
      for (let c = 0; c < channels; c++) {
        const a = src[(r0 + c0) * channels + c];
        const b = src[(r0 + c1) * channels + c];
        const p = src[(r1 + c0) * channels + c];
        const q = src[(r1 + c1) * channels + c];
        const top = a + (b - a) * wx;
        const bottom = p + (q - p) * wx;
        out[o + c] = top + (bottom - top) * wy;
      }
    }
  }
  return out;
}

/**
 * Bilinear resize of an image. Float input gives float output; uint8 input is rounded back to
 * uint8 (the interpolated values never leave the input range, so no clamping is needed).
 */
export function resizeImageBilinear(img: RawImage, width: number, height: number): RawImage {
  const f = resizeBilinearData(img.data, img.width, img.height, img.channels, width, height);
  if (img.data instanceof Float32Array) return { data: f, width, height, channels: img.channels };
  const out = new Uint8Array(f.length);
  for (let i = 0; i < f.length; i++) out[i] = Math.round(f[i]);
  return { data: out, width, height, channels: img.channels };
}

/** Bilinear resize of a single-channel float map (e.g. an anomaly map to image size). */
export function resizeScoreMap(map: ScoreMap, width: number, height: number): ScoreMap {
  return { data: resizeBilinearData(map.data, map.width, map.height, 1, width, height), width, height };
}

export type NearestMode = 'nearest' | 'nearest-exact';

function nearestIndex(inSize: number, outSize: number, mode: NearestMode): Int32Array {
  const scale = inSize / outSize;
  const idx = new Int32Array(outSize);
  for (let d = 0; d < outSize; d++) {
    const s = mode === 'nearest' ? Math.floor(d * scale) : Math.floor((d + 0.5) * scale);
    idx[d] = Math.min(s, inSize - 1);
  }
  return idx;
}

/** Nearest-neighbour resize of interleaved pixels of any type (the output has the input's type). */
export function resizeNearestData<T extends Pixels>(
  src: T,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
  mode: NearestMode = 'nearest',
): T {
  checkSize('resizeNearest input', width, height);
  checkSize('resizeNearest output', outWidth, outHeight);
  checkData('resizeNearest', src.length, width, height, channels);
  const xs = nearestIndex(width, outWidth, mode);
  const ys = nearestIndex(height, outHeight, mode);
  const out = new (src.constructor as new (n: number) => T)(outWidth * outHeight * channels);
  for (let y = 0; y < outHeight; y++) {
    const row = ys[y] * width;
    for (let x = 0; x < outWidth; x++) {
      const s = (row + xs[x]) * channels;
      const o = (y * outWidth + x) * channels;
      for (let c = 0; c < channels; c++) out[o + c] = src[s + c];
    }
  }
  return out;
}

/** Nearest-neighbour resize of a binary mask; stays exactly 0/1. */
export function resizeMaskNearest(mask: BinaryMask, width: number, height: number, mode: NearestMode = 'nearest'): BinaryMask {
  return { data: resizeNearestData(mask.data, mask.width, mask.height, 1, width, height, mode), width, height };
}

/**
 * Resizes a mask bilinearly and binarises it (value ≥ threshold, default 0.5): how the evaluation
 * protocol brings ground truth to the map's resolution (spec §6).
 */
export function resizeMaskBilinear(mask: BinaryMask, width: number, height: number, threshold = 0.5): BinaryMask {
  const f = resizeBilinearData(mask.data, mask.width, mask.height, 1, width, height);
  const out = new Uint8Array(f.length);
  for (let i = 0; i < f.length; i++) out[i] = f[i] >= threshold ? 1 : 0;
  return { data: out, width, height };
}
