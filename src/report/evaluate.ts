/**
 * Evaluation as in the paper: stream the test samples through the detector, keep each image's
 * anomaly map (at the stored image resolution) and ground truth, then compute
 *  - pixel AUROC over every pixel of every test image (masks binarised),
 *  - AUPRO up to a false-positive rate of 0.3,
 *  - image AUROC from the image scores,
 * plus the F1-optimal pixel threshold the report uses for predicted masks.
 *
 * Memory: images are decoded one batch at a time and dropped; what stays is one Float32Array map
 * and one Uint8Array mask per image (5 bytes per pixel): about 80 MB for 200 images of 256×256,
 * but ~1 GB for MVTec AD's largest categories at 1024×1024. Pass `metricsSize` to compute metrics
 * on maps downscaled so the longer side is at most that many pixels when memory is tight.
 */
import { DanflowError, DEFAULTS, metrics, visualize, type BinaryMask, type Detector, type ProgressCallback, type RawImage, type ScoreMap } from '../index.js';

const { aupro, auroc, f1Max, proCurve, rocCurve } = metrics;
type F1Result = metrics.F1Result;

/**
 * One test image. Dataset samples (`openDataset(…).samples('test')`) and synthetic samples
 * (`generateSyntheticDataset(…).test`) both fit: `image` / `mask` may be values or loaders.
 */
export interface EvalSample {
  /** Display name; default `<defectType>/<file stem>`. */
  name?: string;
  path?: string;
  label: 0 | 1;
  defectType: string;
  image: RawImage | (() => Promise<RawImage>);
  /** Ground truth (0/1); undefined for an anomalous image without annotation (left out of pixel metrics). */
  mask?: BinaryMask | undefined | (() => Promise<BinaryMask | undefined>);
}

export interface EvaluatedImage {
  name: string;
  path?: string;
  label: 0 | 1;
  defectType: string;
  /** Image score (max of the smoothed map at the model's input size). */
  score: number;
  /** The score on the detector's 0…1 scale (0.5 = its threshold), when it has one. */
  normalizedScore: number | undefined;
  /** Anomaly map at the image's stored size (or downscaled with `metricsSize`). */
  map: ScoreMap;
  /** Ground truth at the map's size; undefined when the image has no annotation. */
  groundTruth: BinaryMask | undefined;
  /** Size of the image as stored. */
  width: number;
  height: number;
  /** The sample, to decode the image again when drawing the report. */
  source: EvalSample;
}

export interface CurvePoints {
  x: number[];
  y: number[];
}

export interface EvaluationMetrics {
  /** Pixel AUROC over all annotated test images; null when the pixels have one class only. */
  pixelAuroc: number | null;
  /** Normalised area under the PRO curve up to `fprLimit`; null when there is no defect region. */
  aupro: number | null;
  fprLimit: number;
  /** Image AUROC from the scores; null when the test set has only normal or only anomalous images. */
  imageAuroc: number | null;
  /** Best pixel F1 and its threshold (on map values). */
  pixelF1: F1Result | null;
  /** Best image F1 and its threshold (on scores). */
  imageF1: F1Result | null;
}

export interface EvaluationTimings {
  /** Wall time of the whole evaluation. */
  seconds: number;
  /** Time spent decoding images and masks. */
  decodeSeconds: number;
  /** Time spent in detector.localize(). */
  localizeSeconds: number;
  /** Time spent computing the metrics and curves. */
  metricsSeconds: number;
  /** Images per second through localize() (decoding excluded). */
  localizeFps: number;
}

/**
 * What a production line lives with: the decisions at the threshold stored in the model (no test
 * labels involved), as opposed to the F1-optimal thresholds above, which are an oracle.
 */
export interface OperatingPoint {
  threshold: number;
  /** Good images flagged as defective (false rejects) / good images. */
  falseRejectRate: number | null;
  /** Defective images passed as good (misses) / defective images. */
  missRate: number | null;
  /** Flagged images that are defective. */
  precision: number | null;
  /** Defective images that are flagged (1 − miss rate). */
  recall: number | null;
  confusion: { truePositive: number; falsePositive: number; trueNegative: number; falseNegative: number };
}

export interface EvaluationResult {
  metrics: EvaluationMetrics;
  /** Decisions at the detector's own threshold; undefined when it has none. */
  operatingPoint: OperatingPoint | undefined;
  images: EvaluatedImage[];
  counts: { images: number; normal: number; anomalous: number; annotated: number; pixels: number };
  /** Curves downsampled for plotting (a few hundred points at most). */
  curves: { pixelRoc: CurvePoints | null; pro: CurvePoints | null; imageRoc: CurvePoints | null };
  /** The detector's decision threshold on image scores at evaluation time (from fit/calibrate), if any. */
  calibratedThreshold: number | undefined;
  /** The detector's threshold on map values (its masks), if any. */
  pixelThreshold: number | undefined;
  timings: EvaluationTimings;
  sigma: number;
}

export interface EvaluateOptions {
  /** Gaussian smoothing passed to localize (default 4, as localize). */
  sigma?: number;
  /** Images per localize() call. Default 8. */
  batchSize?: number;
  /** FPR limit for AUPRO. Default 0.3. */
  fprLimit?: number;
  /** Downscale maps and masks so the longer side is at most this many pixels before the metrics. */
  metricsSize?: number;
  /** Number of samples, for progress when `samples` is an async iterable. */
  total?: number;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

function nameOf(s: EvalSample, index: number): string {
  if (s.name) return s.name;
  if (s.path) {
    const base = s.path.split(/[\\/]/).pop() ?? s.path;
    const dot = base.lastIndexOf('.');
    return `${s.defectType}/${dot > 0 ? base.slice(0, dot) : base}`;
  }
  return `${s.defectType}/${String(index).padStart(3, '0')}`;
}

export async function loadSampleImage(s: EvalSample): Promise<RawImage> {
  return typeof s.image === 'function' ? s.image() : s.image;
}

async function loadSampleMask(s: EvalSample): Promise<BinaryMask | undefined> {
  return typeof s.mask === 'function' ? s.mask() : s.mask;
}

/** Keeps up to `max` points of a monotone curve, always the first and last. */
export function downsampleCurve(x: ArrayLike<number>, y: ArrayLike<number>, max = 300): CurvePoints {
  const n = x.length;
  const out: CurvePoints = { x: [], y: [] };
  if (n === 0) return out;
  const step = 1 / max;
  let lx = -Infinity;
  let ly = -Infinity;
  for (let i = 0; i < n; i++) {
    const last = i === n - 1;
    if (last || Math.abs(x[i] - lx) >= step || Math.abs(y[i] - ly) >= step) {
      out.x.push(x[i]);
      out.y.push(y[i]);
      lx = x[i];
      ly = y[i];
    }
  }
  return out;
}

function fitSize(w: number, h: number, max: number | undefined): [number, number] {
  if (!max || Math.max(w, h) <= max) return [w, h];
  const s = max / Math.max(w, h);
  return [Math.max(1, Math.round(w * s)), Math.max(1, Math.round(h * s))];
}

async function* iterate<T>(items: Iterable<T> | AsyncIterable<T>): AsyncGenerator<T> {
  for await (const x of items as AsyncIterable<T>) yield x;
}

/** Runs the detector over the test samples and computes the paper's metrics. */
export async function evaluate(detector: Detector, samples: Iterable<EvalSample> | AsyncIterable<EvalSample>, options: EvaluateOptions = {}): Promise<EvaluationResult> {
  const t0 = performance.now();
  const sigma = options.sigma ?? detector.sigma;
  const batchSize = options.batchSize ?? DEFAULTS.localize.batchSize;
  const fprLimit = options.fprLimit ?? 0.3;
  const total = options.total ?? (Array.isArray(samples) ? samples.length : undefined);
  const images: EvaluatedImage[] = [];
  let decodeMs = 0;
  let localizeMs = 0;
  let pending: { sample: EvalSample; image: RawImage; mask: BinaryMask | undefined }[] = [];

  const flush = async () => {
    if (pending.length === 0) return;
    const t = performance.now();
    const results = await detector.localize(
      pending.map((p) => p.image),
      { sigma, batchSize },
    );
    localizeMs += performance.now() - t;
    results.forEach((r, k) => {
      const { sample, image, mask } = pending[k];
      const [w, h] = fitSize(r.anomalyMap.width, r.anomalyMap.height, options.metricsSize);
      const map = visualize.resizeMap(r.anomalyMap, w, h);
      const gt = mask ? visualize.resizeMask(mask, w, h) : undefined;
      images.push({ name: nameOf(sample, images.length), path: sample.path, label: sample.label, defectType: sample.defectType, score: r.score, normalizedScore: r.normalizedScore, map, groundTruth: gt, width: image.width, height: image.height, source: sample });
    });
    pending = [];
    options.onProgress?.({ type: 'eval', done: images.length, total: total ?? images.length });
  };

  if (total !== undefined) options.onProgress?.({ type: 'eval', done: 0, total });
  for await (const sample of iterate(samples)) {
    if (options.signal?.aborted) throw new DanflowError('ABORTED', 'evaluation was aborted.', { cause: options.signal.reason });
    const t = performance.now();
    const image = await loadSampleImage(sample);
    let mask = await loadSampleMask(sample);
    if (mask === undefined && sample.label === 0) mask = { width: image.width, height: image.height, data: new Uint8Array(image.width * image.height) };
    decodeMs += performance.now() - t;
    pending.push({ sample, image, mask });
    if (pending.length >= batchSize) await flush();
  }
  await flush();
  if (images.length === 0) throw new DanflowError('EMPTY_DATASET', 'evaluate(): the test set is empty; nothing to evaluate.');

  const tm = performance.now();
  const annotated = images.filter((i) => i.groundTruth !== undefined);
  const maps = annotated.map((i) => i.map);
  const masks = annotated.map((i) => i.groundTruth!);
  let positives = 0;
  let pixels = 0;
  for (const m of masks) {
    pixels += m.data.length;
    for (let i = 0; i < m.data.length; i++) positives += m.data[i] ? 1 : 0;
  }
  const pixelBoth = positives > 0 && positives < pixels;
  const scores = images.map((i) => i.score);
  const labels = images.map((i) => i.label);
  const nAnom = labels.filter((l) => l === 1).length;
  const imageBoth = nAnom > 0 && nAnom < images.length;

  const metrics: EvaluationMetrics = {
    pixelAuroc: pixelBoth ? auroc(maps, masks) : null,
    aupro: pixelBoth ? aupro(maps, masks, { fprLimit }) : null,
    fprLimit,
    imageAuroc: imageBoth ? auroc(scores, labels) : null,
    pixelF1: pixelBoth ? f1Max(maps, masks) : null,
    imageF1: imageBoth ? f1Max(scores, labels) : null,
  };
  const curves: EvaluationResult['curves'] = { pixelRoc: null, pro: null, imageRoc: null };
  if (pixelBoth) {
    const roc = rocCurve(maps, masks);
    curves.pixelRoc = downsampleCurve(roc.fpr, roc.tpr);
    const pro = proCurve(maps, masks);
    curves.pro = downsampleCurve(pro.fpr, pro.pro);
  }
  if (imageBoth) {
    const roc = rocCurve(scores, labels);
    curves.imageRoc = downsampleCurve(roc.fpr, roc.tpr);
  }
  const metricsMs = performance.now() - tm;
  return {
    metrics,
    operatingPoint: detector.threshold === undefined ? undefined : operatingPoint(scores, labels, detector.threshold),
    images,
    counts: { images: images.length, normal: images.length - nAnom, anomalous: nAnom, annotated: annotated.length, pixels },
    curves,
    calibratedThreshold: detector.threshold,
    pixelThreshold: detector.pixelThreshold ?? detector.threshold,
    sigma,
    timings: {
      seconds: (performance.now() - t0) / 1000,
      decodeSeconds: decodeMs / 1000,
      localizeSeconds: localizeMs / 1000,
      metricsSeconds: metricsMs / 1000,
      localizeFps: localizeMs > 0 ? images.length / (localizeMs / 1000) : 0,
    },
  };
}

/** Image decisions `score ≥ threshold` against the labels. */
export function operatingPoint(scores: readonly number[], labels: readonly (0 | 1)[], threshold: number): OperatingPoint {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  scores.forEach((s, i) => {
    const flagged = s >= threshold;
    if (labels[i] === 1) flagged ? tp++ : fn++;
    else flagged ? fp++ : tn++;
  });
  const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
  return {
    threshold,
    falseRejectRate: ratio(fp, fp + tn),
    missRate: ratio(fn, tp + fn),
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    confusion: { truePositive: tp, falsePositive: fp, trueNegative: tn, falseNegative: fn },
  };
}

/** The metrics of an evaluation in a JSON-friendly shape (no maps). */
export function evaluationSummary(r: EvaluationResult): Record<string, unknown> {
  return {
    metrics: r.metrics,
    operatingPoint: r.operatingPoint ?? null,
    counts: r.counts,
    calibratedThreshold: r.calibratedThreshold ?? null,
    pixelThreshold: r.pixelThreshold ?? null,
    sigma: r.sigma,
    timings: r.timings,
    images: r.images.map((i) => ({ name: i.name, path: i.path ?? null, label: i.label, defectType: i.defectType, score: i.score, normalizedScore: i.normalizedScore ?? null, width: i.width, height: i.height })),
  };
}
