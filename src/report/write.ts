/**
 * Writes a report folder: `report.html` (self-contained), `metrics.json`, and the five-panel PNG of
 * every test image under `panels/<category>/<defect>/<name>.png`. Images are decoded again one at a
 * time from the evaluated samples, so memory stays at what the evaluation already holds.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { VERSION, visualize, type RawImage } from '../index.js';
import { encodePngNode } from '../node.js';

const { colormapCssGradient, mapRange } = visualize;
type ColormapName = visualize.ColormapName;
type NormRange = visualize.NormRange;
import { evaluationSummary, loadSampleImage, type EvaluatedImage } from './evaluate.js';
import { mean, renderHtmlReport, type HtmlCategory, type HtmlImage, type ReportCategory } from './html.js';
import { PANEL_LABELS, renderPanels } from './panels.js';

export type MaskThresholdChoice = 'f1' | 'calibrated' | number;

export interface ReportOptions {
  title?: string;
  /** Shown as highlighted notes at the top (e.g. "random features"). */
  warnings?: string[];
  /** Extra run facts for the metrics card. */
  facts?: [string, string][];
  /**
   * Threshold for predicted masks and for the false-positive / false-negative panels: 'calibrated'
   * (default: the model's own threshold, set when it was fitted or calibrated — what a line would
   * use), 'f1' (the pixel F1-optimal threshold on this test set: an oracle that needs the test
   * labels, showing what the map can separate), or a number. Without a model threshold, 'f1'.
   */
  maskThreshold?: MaskThresholdChoice;
  colormap?: ColormapName;
  /** Heatmap colour range as quantiles of all test pixels. Default [0.005, 0.999]; [0, 1] = min … max. */
  rangeQuantiles?: readonly [number, number];
  /** Longer side of each panel in the PNG files. Default: the image size, at most 256. */
  panelSize?: number;
  /** Write the per-image PNGs. Default true. */
  writePanels?: boolean;
  /** How many worst false positives / negatives to show. Default 4 each. */
  worst?: number;
  /** At most this many gallery thumbnails per category in the HTML. Default 60. */
  gallery?: number;
  /** Called after each image is drawn. */
  onImage?: (done: number, total: number) => void;
}

export interface ReportFiles {
  dir: string;
  html: string;
  metricsJson: string;
  /** Number of panel PNGs written. */
  panels: number;
}

function safeSegment(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_') || '_';
}

/** Relative path of an image's panel PNG inside the report folder. */
export function panelPath(category: string, name: string): string {
  return ['panels', safeSegment(category), ...name.split('/').map(safeSegment)].join('/') + '.png';
}

async function toDataUri(img: RawImage, format: 'jpeg' | 'png' = 'jpeg'): Promise<string> {
  if (format === 'png') return `data:image/png;base64,${Buffer.from(await encodePngNode(img)).toString('base64')}`;
  const sharp = (await import('sharp')).default;
  const buf = await sharp(Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength), { raw: { width: img.width, height: img.height, channels: 3 } })
    .jpeg({ quality: 85, chromaSubsampling: '4:4:4' })
    .toBuffer();
  return `data:image/jpeg;base64,${buf.toString('base64')}`;
}

const MODEL_THRESHOLD = "the model's own threshold (from its fit / calibration, no test labels)";
const ORACLE_THRESHOLD = 'pixel F1-optimal on this test set (an oracle: it uses the test labels)';

/**
 * The thresholds of the masks (on map values) and of the image decisions (on scores): the model's
 * own pair, the F1-optimal pair on the test labels (oracle), or a given number for both (a score
 * under the max rule is a map value).
 */
function pickThreshold(c: ReportCategory, choice: MaskThresholdChoice): { value: number; image: number | undefined; source: string } {
  const e = c.evaluation;
  const m = e.metrics;
  const cal = e.calibratedThreshold;
  const calPixel = e.pixelThreshold ?? cal;
  if (typeof choice === 'number') return { value: choice, image: choice, source: 'given on the command line' };
  if (choice === 'calibrated' && cal !== undefined && calPixel !== undefined) return { value: calPixel, image: cal, source: MODEL_THRESHOLD };
  if (m.pixelF1) return { value: m.pixelF1.threshold, image: m.imageF1?.threshold, source: ORACLE_THRESHOLD };
  if (cal !== undefined && calPixel !== undefined) return { value: calPixel, image: cal, source: MODEL_THRESHOLD };
  return { value: Infinity, image: undefined, source: 'none available: no mask' };
}

/** Evenly spaced picks, so the gallery covers every defect type when it is cut short. */
function spread<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)]);
}

export async function writeReport(dir: string, categories: ReportCategory[], options: ReportOptions = {}): Promise<ReportFiles> {
  const abs = path.resolve(dir);
  await mkdir(abs, { recursive: true });
  const worstN = options.worst ?? 4;
  const galleryN = options.gallery ?? 60;
  const writePanels = options.writePanels !== false;
  const total = categories.reduce((a, c) => a + c.evaluation.images.length, 0);
  let done = 0;
  let written = 0;
  const htmlCats: HtmlCategory[] = [];

  for (const c of categories) {
    const e = c.evaluation;
    const q = options.rangeQuantiles ?? [0.005, 0.999];
    const range: NormRange = mapRange(e.images.map((i) => i.map), { quantiles: q });
    const rangeNote = q[0] <= 0 && q[1] >= 1 ? 'min … max of all test pixels' : `${+(q[0] * 100).toFixed(2)}th … ${+(q[1] * 100).toFixed(2)}th percentile of all test pixels`;
    const mask = pickThreshold(c, options.maskThreshold ?? 'calibrated');
    const imageThreshold = mask.image;
    const byScore = [...e.images].sort((a, b) => b.score - a.score);
    const normals = byScore.filter((i) => i.label === 0);
    const defective = byScore.filter((i) => i.label === 1).reverse();
    const falsePositives = imageThreshold === undefined ? [] : normals.filter((i) => i.score >= imageThreshold);
    const misses = imageThreshold === undefined ? [] : defective.filter((i) => i.score < imageThreshold);
    // The real errors when there are any; otherwise the closest calls, said as such in the HTML.
    const worstNormal = (falsePositives.length ? falsePositives : normals).slice(0, worstN);
    const worstAnomalous = (misses.length ? misses : defective).slice(0, worstN);
    const inGallery = new Set(spread(e.images, galleryN));
    const html = new Map<EvaluatedImage, { strip?: HtmlImage; thumb?: HtmlImage }>();

    for (const img of e.images) {
      const wantStrip = worstNormal.includes(img) || worstAnomalous.includes(img);
      const wantThumb = inGallery.has(img);
      if (writePanels || wantStrip || wantThumb) {
        const image = await loadSampleImage(img.source);
        const input = { image, map: img.map, groundTruth: img.groundTruth, threshold: mask.value, range };
        const file = writePanels ? panelPath(c.category, img.name) : undefined;
        if (file) {
          const full = renderPanels(input, { panelSize: options.panelSize, colormap: options.colormap });
          await mkdir(path.dirname(path.join(abs, file)), { recursive: true });
          await writeFile(path.join(abs, file), await encodePngNode(full));
          written++;
        }
        const entry: { strip?: HtmlImage; thumb?: HtmlImage } = {};
        const base = { name: img.name, defectType: img.defectType, label: img.label, score: img.score, normalizedScore: img.normalizedScore, ...(file ? { file } : {}) };
        if (wantStrip) {
          const s = renderPanels(input, { panelSize: Math.min(160, Math.max(image.width, image.height, 96)), colormap: options.colormap });
          entry.strip = { ...base, dataUri: await toDataUri(s), width: s.width, height: s.height };
        }
        if (wantThumb) {
          const t = renderPanels(input, { panelSize: 96, labels: false, colormap: options.colormap, gap: 3 });
          entry.thumb = { ...base, dataUri: await toDataUri(t), width: t.width, height: t.height };
        }
        html.set(img, entry);
      }
      done++;
      options.onImage?.(done, total);
    }
    htmlCats.push({
      ...c,
      maskThreshold: mask.value,
      maskThresholdSource: mask.source,
      imageThreshold,
      range,
      rangeNote,
      worstNormal: worstNormal.map((i) => html.get(i)!.strip!),
      worstAnomalous: worstAnomalous.map((i) => html.get(i)!.strip!),
      falsePositives: falsePositives.length,
      misses: misses.length,
      gallery: e.images.filter((i) => inGallery.has(i)).map((i) => html.get(i)!.thumb!),
      galleryTotal: e.images.length,
    });
  }

  const generatedAt = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const htmlText = renderHtmlReport({
    title: options.title ?? 'DANFlow anomaly localisation report',
    generatedAt,
    version: VERSION,
    categories: htmlCats,
    warnings: options.warnings ?? [],
    facts: options.facts ?? [],
    colormapGradient: colormapCssGradient(options.colormap),
    panelLabels: PANEL_LABELS,
  });
  const htmlPath = path.join(abs, 'report.html');
  await writeFile(htmlPath, htmlText);
  const metricsPath = path.join(abs, 'metrics.json');
  await writeFile(metricsPath, JSON.stringify(reportJson(htmlCats), null, 2));
  return { dir: abs, html: htmlPath, metricsJson: metricsPath, panels: written };
}

/** Everything measured, as JSON (no pixel data). */
export function reportJson(categories: (ReportCategory & { maskThreshold?: number })[]): Record<string, unknown> {
  const m = (f: (c: ReportCategory) => number | null) => mean(categories.map(f));
  return {
    danflowVersion: VERSION,
    categories: categories.map((c) => ({
      category: c.category,
      model: c.model ?? null,
      ...evaluationSummary(c.evaluation),
      ...(c.maskThreshold !== undefined && Number.isFinite(c.maskThreshold) ? { maskThreshold: c.maskThreshold } : {}),
    })),
    mean: {
      pixelAuroc: m((c) => c.evaluation.metrics.pixelAuroc),
      aupro: m((c) => c.evaluation.metrics.aupro),
      imageAuroc: m((c) => c.evaluation.metrics.imageAuroc),
      localizeFps: m((c) => c.evaluation.timings.localizeFps),
    },
  };
}
