/**
 * Turning results into pictures, on plain RawImages so it runs the same in Node, browsers and
 * workers: colour maps, heatmap overlays, mask pictures and outlines, and the resizes they need
 * (matching PyTorch's interpolation).
 */
export { colormap, colormapLut, colorizeMap, mapRange, colormapCssGradient } from './colormap.js';
export type { ColormapName, NormRange, RangeOptions } from './colormap.js';
export { blend, dilateMask, heatmapOverlay, maskOutline, maskToRgb, paintMask, segmentationOverlay, thresholdMap } from './overlay.js';
export type { Rgb } from './overlay.js';
export { toRgb8 } from '../image/pixels.js';
import type { BinaryMask, RawImage, ScoreMap } from '../core/types.js';
import { resizeImageBilinear, resizeMaskNearest, resizeScoreMap } from '../image/resize.js';

/** Bilinear resize (half-pixel centres, as PyTorch); uint8 stays uint8 (rounded). */
export function resizeImage(image: RawImage, width: number, height: number): RawImage {
  return image.width === width && image.height === height ? image : resizeImageBilinear(image, width, height);
}

/** Bilinear resize of an anomaly map (half-pixel centres, as PyTorch). */
export function resizeMap(map: ScoreMap, width: number, height: number): ScoreMap {
  return map.width === width && map.height === height ? map : resizeScoreMap(map, width, height);
}

/** Nearest-neighbour resize of a 0/1 mask with half-pixel centres (PyTorch's 'nearest-exact'); stays 0/1. */
export function resizeMask(mask: BinaryMask, width: number, height: number): BinaryMask {
  return mask.width === width && mask.height === height ? mask : resizeMaskNearest(mask, width, height, 'nearest-exact');
}
