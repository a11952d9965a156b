/**
 * The per-image figure the paper shows, as one PNG strip of five panels: the image, the ground
 * truth, the heatmap overlaid on the image, the predicted mask, and the segmentation outline
 * drawn on the image. Everything here is plain pixel work on RawImages (no canvas, no fonts).
 */
import { resizeBilinearData } from '../image/resize.js';
import type { BinaryMask, RawImage, ScoreMap } from '../types.js';
import { colorizeMap, type ColormapName, type NormRange } from './colormap.js';
import { drawText, GLYPH_HEIGHT, textWidth } from './font.js';

export type Rgb = readonly [number, number, number];

export const PANEL_LABELS = ['Image', 'Ground truth', 'Heatmap', 'Predicted mask', 'Segmentation'] as const;
const SHORT_LABELS = ['Image', 'GT', 'Heatmap', 'Pred', 'Seg'] as const;

/** Any RawImage (1/3/4 channels, uint8 or float 0..255) as uint8 RGB. */
export function toRgb8(img: RawImage): RawImage {
  if (img.channels === 3 && img.data instanceof Uint8Array) return img;
  const n = img.width * img.height;
  const out = new Uint8Array(n * 3);
  const c = img.channels;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < 3; k++) {
      const v = img.data[i * c + (c < 3 ? 0 : k)];
      out[i * 3 + k] = v <= 0 || Number.isNaN(v) ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  return { data: out, width: img.width, height: img.height, channels: 3 };
}

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

/** Nearest-neighbour (half-pixel centres) resize of a 0/1 mask. */
export function resizeMaskNearest(mask: BinaryMask, width: number, height: number): BinaryMask {
  if (mask.width === width && mask.height === height) return mask;
  const out = new Uint8Array(width * height);
  const sx = mask.width / width;
  const sy = mask.height / height;
  for (let y = 0; y < height; y++) {
    const yy = Math.min(mask.height - 1, Math.floor((y + 0.5) * sy));
    for (let x = 0; x < width; x++) {
      const xx = Math.min(mask.width - 1, Math.floor((x + 0.5) * sx));
      out[y * width + x] = mask.data[yy * mask.width + xx] ? 1 : 0;
    }
  }
  return { width, height, data: out };
}

export function resizeMapBilinear(map: ScoreMap, width: number, height: number): ScoreMap {
  if (map.width === width && map.height === height) return map;
  return { width, height, data: resizeBilinearData(map.data, map.width, map.height, 1, width, height) };
}

export function resizeRgb(img: RawImage, width: number, height: number): RawImage {
  const rgb = toRgb8(img);
  if (rgb.width === width && rgb.height === height) return rgb;
  const f = resizeBilinearData(rgb.data, rgb.width, rgb.height, 3, width, height);
  const out = new Uint8Array(f.length);
  for (let i = 0; i < f.length; i++) out[i] = Math.round(f[i]);
  return { data: out, width, height, channels: 3 };
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
  const heat = colorizeMap(resizeMapBilinear(map, image.width, image.height), range, options.colormap);
  return blend(image, heat, options.alpha ?? 0.5);
}

/** The segmentation panel: the image with the predicted region's outline (and optionally the ground truth's). */
export function segmentationOverlay(image: RawImage, predicted: BinaryMask, options: { groundTruth?: BinaryMask; thickness?: number; color?: Rgb; gtColor?: Rgb } = {}): RawImage {
  const t = options.thickness ?? Math.max(1, Math.round(Math.min(image.width, image.height) / 128));
  const r = Math.floor(t / 2);
  let out = toRgb8(image);
  if (options.groundTruth) {
    const gt = resizeMaskNearest(options.groundTruth, image.width, image.height);
    out = paintMask(out, dilateMask(maskOutline(gt), r), options.gtColor ?? [40, 220, 90]);
  }
  const pred = resizeMaskNearest(predicted, image.width, image.height);
  return paintMask(out, dilateMask(maskOutline(pred), r), options.color ?? [255, 40, 40]);
}

export interface PanelInput {
  image: RawImage;
  /** Anomaly map (any size; resized bilinearly to the panel). */
  map: ScoreMap;
  /** Ground truth; undefined shows a grey "no annotation" panel. */
  groundTruth: BinaryMask | undefined;
  /** Threshold on map values for the predicted mask. */
  threshold: number;
  /** Heatmap normalisation, shared by all images of a report. */
  range: NormRange;
}

export interface PanelOptions {
  /** Longer side of each panel in pixels. Default: the image's own size, at most 256. */
  panelSize?: number;
  /** Column labels above the panels. Default true. */
  labels?: boolean;
  colormap?: ColormapName;
  /** Gap between panels in pixels. Default 4. */
  gap?: number;
  /** Draw the ground-truth outline (green) on the segmentation panel too. Default true. */
  groundTruthOutline?: boolean;
}

const BACKGROUND: Rgb = [24, 26, 31];

/** The five panels as separate RGB images of one size (before composition). */
export function panelImages(input: PanelInput, options: PanelOptions = {}): RawImage[] {
  const { image, map, groundTruth, threshold, range } = input;
  const side = options.panelSize ?? Math.min(256, Math.max(image.width, image.height));
  const scale = side / Math.max(image.width, image.height);
  const pw = Math.max(1, Math.round(image.width * scale));
  const ph = Math.max(1, Math.round(image.height * scale));
  const img = resizeRgb(image, pw, ph);
  const m = resizeMapBilinear(map, pw, ph);
  // The predicted mask at the map's own resolution, then resized like the ground truth.
  const pred = resizeMaskNearest(thresholdMap(map, threshold), pw, ph);
  const gt = groundTruth ? resizeMaskNearest(groundTruth, pw, ph) : undefined;
  const gtPanel = gt ? maskToRgb(gt) : maskToRgb({ width: pw, height: ph, data: new Uint8Array(pw * ph) }, [0, 0, 0], [70, 70, 70]);
  return [
    img,
    gtPanel,
    heatmapOverlay(img, m, range, { colormap: options.colormap }),
    maskToRgb(pred),
    segmentationOverlay(img, pred, { groundTruth: options.groundTruthOutline === false ? undefined : gt }),
  ];
}

/** Places equally sized RGB panels side by side with a gap and optional labels on top. */
export function composeStrip(panels: readonly RawImage[], labels?: readonly string[], gap = 4): RawImage {
  const pw = panels[0].width;
  const ph = panels[0].height;
  const n = panels.length;
  const scale = pw >= 200 ? 2 : 1;
  const fits = (ls: readonly string[]) => ls.every((l) => textWidth(l, scale) <= pw - 2);
  const shown = labels && (fits(labels) ? labels : fits(SHORT_LABELS) ? SHORT_LABELS : undefined);
  const header = shown ? GLYPH_HEIGHT * scale + 6 * scale : 0;
  const width = n * pw + (n + 1) * gap;
  const height = ph + 2 * gap + header;
  const out = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    out[i * 3] = BACKGROUND[0];
    out[i * 3 + 1] = BACKGROUND[1];
    out[i * 3 + 2] = BACKGROUND[2];
  }
  const strip: RawImage = { data: out, width, height, channels: 3 };
  panels.forEach((p, k) => {
    const rgb = toRgb8(p);
    const x0 = gap + k * (pw + gap);
    const y0 = gap + header;
    for (let y = 0; y < ph; y++) out.set(rgb.data.subarray(y * pw * 3, (y + 1) * pw * 3), ((y0 + y) * width + x0) * 3);
    if (shown) {
      const label = shown[k] ?? '';
      drawText(strip, label, x0 + Math.floor((pw - textWidth(label, scale)) / 2), gap + 2 * scale, [225, 228, 235], scale);
    }
  });
  return strip;
}

/** The paper's five-panel figure for one test image, as one RGB image. */
export function renderPanels(input: PanelInput, options: PanelOptions = {}): RawImage {
  return composeStrip(panelImages(input, options), options.labels === false ? undefined : PANEL_LABELS, options.gap ?? 4);
}
