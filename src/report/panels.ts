/**
 * The per-image figure the paper shows, as one PNG strip of five panels: the image, the ground
 * truth, the heatmap overlaid on the image, the predicted mask, and the segmentation outline
 * drawn on the image. Everything here is plain pixel work on RawImages (no canvas, no fonts).
 */
import { visualize, type BinaryMask, type RawImage, type ScoreMap } from '../index.js';
import { drawText, GLYPH_HEIGHT, textWidth } from './font.js';

type Rgb = visualize.Rgb;
type NormRange = visualize.NormRange;
type ColormapName = visualize.ColormapName;

export const PANEL_LABELS = ['Image', 'Ground truth', 'Heatmap', 'Predicted mask', 'Segmentation'] as const;
const SHORT_LABELS = ['Image', 'GT', 'Heatmap', 'Pred', 'Seg'] as const;

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
  const img = visualize.resizeImage(visualize.toRgb8(image), pw, ph);
  const m = visualize.resizeMap(map, pw, ph);
  // The predicted mask at the map's own resolution, then resized like the ground truth.
  const pred = visualize.resizeMask(visualize.thresholdMap(map, threshold), pw, ph);
  const gt = groundTruth ? visualize.resizeMask(groundTruth, pw, ph) : undefined;
  const gtPanel = gt ? visualize.maskToRgb(gt) : visualize.maskToRgb({ width: pw, height: ph, data: new Uint8Array(pw * ph) }, [0, 0, 0], [70, 70, 70]);
  return [
    img,
    gtPanel,
    visualize.heatmapOverlay(img, m, range, { colormap: options.colormap }),
    visualize.maskToRgb(pred),
    visualize.segmentationOverlay(img, pred, { groundTruth: options.groundTruthOutline === false ? undefined : gt }),
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
    const rgb = visualize.toRgb8(p);
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
