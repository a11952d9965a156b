/**
 * Pictures of results on plain RawImages (no canvas): heatmap overlays, mask pictures and outlines.
 * The CLI's PNGs, the HTML report and the browser example all draw with these.
 */
import type { BinaryMask, RawImage, ScoreMap } from '../core/types.js';
import { toRgb8 } from '../image/pixels.js';
import { resizeMaskNearest, resizeScoreMap } from '../image/resize.js';
import { colorizeMap, type ColormapName, type NormRange } from './colormap.js';

export type Rgb = readonly [number, number, number];

/**
 * The boundary of a mask: the foreground pixels with at least one 4-neighbour that is background
 * or outside the image. A one-pixel-thick, closed line on the inside edge of every region.
 */
export function maskOutline(mask: BinaryMask): BinaryMask {
  const { width: w, height: h, data } = mask;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!data[i]) continue;
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1 || !data[i - 1] || !data[i + 1] || !data[i - w] || !data[i + w]) out[i] = 1;
    }
  }
  return { width: w, height: h, data: out };
}

/** Square dilation by `radius` pixels (radius 0 returns a copy). */
export function dilateMask(mask: BinaryMask, radius: number): BinaryMask {
  const { width: w, height: h } = mask;
  if (radius <= 0) return { width: w, height: h, data: mask.data.slice() };
  // Separable: rows then columns.
  const tmp = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (!mask.data[y * w + x]) continue;
      for (let dx = Math.max(0, x - radius); dx <= Math.min(w - 1, x + radius); dx++) tmp[y * w + dx] = 1;
    }
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (!tmp[y * w + x]) continue;
      for (let dy = Math.max(0, y - radius); dy <= Math.min(h - 1, y + radius); dy++) out[dy * w + x] = 1;
    }
  return { width: w, height: h, data: out };
}

/** 1 where map ≥ threshold. */
export function thresholdMap(map: ScoreMap, threshold: number): BinaryMask {
  const out = new Uint8Array(map.data.length);
  for (let i = 0; i < out.length; i++) out[i] = map.data[i] >= threshold ? 1 : 0;
  return { width: map.width, height: map.height, data: out };
}

/** White-on-black RGB picture of a mask. */
export function maskToRgb(mask: BinaryMask, on: Rgb = [255, 255, 255], off: Rgb = [0, 0, 0]): RawImage {
  const n = mask.width * mask.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const c = mask.data[i] ? on : off;
    out[i * 3] = c[0];
    out[i * 3 + 1] = c[1];
    out[i * 3 + 2] = c[2];
  }
  return { data: out, width: mask.width, height: mask.height, channels: 3 };
}

/** `alpha`·top + (1 − alpha)·base, per pixel (both RGB, same size). */
export function blend(base: RawImage, top: RawImage, alpha = 0.5): RawImage {
  const a = toRgb8(base);
  const b = toRgb8(top);
  const out = new Uint8Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(a.data[i] * (1 - alpha) + b.data[i] * alpha);
  return { data: out, width: a.width, height: a.height, channels: 3 };
}

/** Paints `color` into a copy of `img` wherever `mask` is set. */
export function paintMask(img: RawImage, mask: BinaryMask, color: Rgb): RawImage {
  const rgb = toRgb8(img);
  const out = rgb.data.slice();
  for (let i = 0; i < mask.data.length; i++) {
    if (!mask.data[i]) continue;
    out[i * 3] = color[0];
    out[i * 3 + 1] = color[1];
    out[i * 3 + 2] = color[2];
  }
  return { data: out, width: rgb.width, height: rgb.height, channels: 3 };
}

/** The heatmap panel: the coloured map over the image. */
export function heatmapOverlay(image: RawImage, map: ScoreMap, range: NormRange, options: { colormap?: ColormapName; alpha?: number } = {}): RawImage {
  const heat = colorizeMap(resizeScoreMap(map, image.width, image.height), range, options.colormap);
  return blend(image, heat, options.alpha ?? 0.5);
}

/** The segmentation panel: the image with the predicted region's outline (and optionally the ground truth's). */
export function segmentationOverlay(image: RawImage, predicted: BinaryMask, options: { groundTruth?: BinaryMask; thickness?: number; color?: Rgb; gtColor?: Rgb } = {}): RawImage {
  const t = options.thickness ?? Math.max(1, Math.round(Math.min(image.width, image.height) / 128));
  const r = Math.floor(t / 2);
  let out = toRgb8(image);
  if (options.groundTruth) {
    const gt = resizeMaskNearest(options.groundTruth, image.width, image.height, 'nearest-exact');
    out = paintMask(out, dilateMask(maskOutline(gt), r), options.gtColor ?? [40, 220, 90]);
  }
  const pred = resizeMaskNearest(predicted, image.width, image.height, 'nearest-exact');
  return paintMask(out, dilateMask(maskOutline(pred), r), options.color ?? [255, 40, 40]);
}
