/**
 * AUPRO: area under the per-region-overlap curve, as in the MVTec AD evaluation (and anomalib).
 *
 * For a threshold t (prediction = score >= t):
 *  - PRO(t) = mean over every connected ground-truth region of every image of
 *    (region pixels predicted positive / region size);
 *  - FPR(t) = predicted-positive normal pixels (mask == 0) / all normal pixels.
 * The curve, starting at (0, 0), has one point per distinct score. AUPRO integrates PRO over
 * FPR ∈ [0, fprLimit] with the trapezoid rule (PRO interpolated linearly at exactly fprLimit) and
 * divides by fprLimit.
 *
 * Exact and O(n): regions are labelled once (flood fill); normal pixels' scores go into one typed
 * array, region pixels' scores into another with their region ids as a payload; both are radix
 * sorted once (see auroc.ts) and swept from the highest score down, one step per distinct value.
 * Since PRO = (1/R)·Σ over predicted region pixels of 1/size(region), each region pixel just adds
 * 1/size to a compensated (Neumaier) running sum, so no per-threshold pass over the regions is
 * needed. The sweep for `aupro` stops as soon as the FPR passes the limit.
 */
import type { BinaryMask, ScoreMap } from '../core/types.js';
import { connectedComponents } from './connected-components.js';
import type { Connectivity } from './connected-components.js';
import { mapChunks, metricError, sortScores } from './auroc.js';

export interface ProCurveOptions {
  /** Pixel connectivity of ground-truth regions: 8 (default, diagonal neighbours join) or 4. */
  connectivity?: Connectivity;
}

export interface AuproOptions extends ProCurveOptions {
  /** Upper FPR integration limit, in (0, 1]; default 0.3 (the usual AUPRO@30%). */
  fprLimit?: number;
}

export interface ProCurve {
  /** False-positive rate over normal pixels, non-decreasing from 0 to 1. */
  fpr: Float64Array;
  /** Mean per-region overlap, non-decreasing from 0 to 1. */
  pro: Float64Array;
  /** Decreasing thresholds (prediction = map >= threshold); `thresholds[0]` is `Infinity`. */
  thresholds: Float64Array;
}

interface Prepared {
  /** Scores of normal pixels, ascending. */
  neg: Float32Array | Float64Array;
  /** Scores of region pixels, ascending. */
  pos: Float32Array | Float64Array;
  /** Global region index (0-based) of each entry of `pos`. */
  region: Uint32Array;
  /** 1 / region size, per region. */
  invSize: Float64Array;
  regionCount: number;
}

function prepare(fn: string, maps: unknown, masks: unknown, connectivity: unknown): Prepared {
  if (connectivity !== 4 && connectivity !== 8) {
    throw metricError(fn, `connectivity must be 4 or 8, got ${String(connectivity)}.`);
  }
  const chunks = mapChunks(fn, maps, masks);
  // Pass 1: validate scores, count pixels, label regions.
  let nNeg = 0;
  let nPos = 0;
  let f32 = true;
  for (const c of chunks) {
    const scores = c.scores;
    const chunkF32 = scores instanceof Float32Array;
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i];
      if (s !== s || typeof s !== 'number') {
        throw metricError(fn, `${c.name} has a ${s !== s ? 'NaN' : String(s)} score at pixel ${i}; scores must be numbers (no NaN).`, {
          index: i,
        });
      }
      if (!chunkF32 && f32 && Math.fround(s) !== s) f32 = false;
    }
  }
  const sizes: number[] = [];
  const regionLabels: { labels: Int32Array; offset: number }[] = [];
  for (const c of chunks) {
    const cc = connectedComponents(
      { width: c.width as number, height: c.height as number, data: c.labels as ArrayLike<number> },
      connectivity,
    );
    // Global region index = offset + component label (labels start at 1).
    regionLabels.push({ labels: cc.labels, offset: sizes.length - 1 });
    for (let r = 1; r <= cc.count; r++) sizes.push(cc.sizes[r]);
    nNeg += cc.sizes[0];
    nPos += cc.labels.length - cc.sizes[0];
  }
  const regionCount = sizes.length;
  if (regionCount === 0 || nNeg === 0) {
    const missing = regionCount === 0 ? 'no anomalous pixels (every mask is empty)' : 'no normal pixels (every mask is full)';
    throw metricError(
      fn,
      `the masks contain ${missing}, so ${fn === 'proCurve' ? 'the PRO curve' : 'AUPRO'} is undefined. ` +
        'Pass masks with at least one anomalous region (pixel > 0) and at least one normal pixel (0) — e.g. ' +
        'evaluate on normal and anomalous images together.',
      { regions: regionCount, normalPixels: nNeg },
    );
  }
  // Pass 2: split pixels into normal scores and region scores (+ region ids), then sort.
  const Arr = f32 ? Float32Array : Float64Array;
  const neg = new Arr(nNeg);
  const pos = new Arr(nPos);
  const region = new Uint32Array(nPos);
  let ip = 0;
  let ineg = 0;
  for (let k = 0; k < chunks.length; k++) {
    const scores = chunks[k].scores;
    const { labels, offset } = regionLabels[k];
    for (let i = 0; i < scores.length; i++) {
      const l = labels[i];
      if (l === 0) neg[ineg++] = scores[i];
      else {
        pos[ip] = scores[i];
        region[ip++] = offset + l;
      }
    }
  }
  sortScores(neg);
  sortScores(pos, region);
  const invSize = new Float64Array(regionCount);
  for (let r = 0; r < regionCount; r++) invSize[r] = 1 / sizes[r];
  return { neg, pos, region, invSize, regionCount };
}

/**
 * Sweeps the PRO curve from the highest threshold down; `visit(t, fpr, pro)` is called for the
 * start point (Infinity, 0, 0) and then once per distinct score. Returning `false` stops.
 */
function sweepPro(p: Prepared, visit: (t: number, fpr: number, pro: number) => boolean | void): void {
  const { neg, pos, region, invSize, regionCount } = p;
  const N = neg.length;
  if (visit(Infinity, 0, 0) === false) return;
  let i = pos.length - 1;
  let j = N - 1;
  let fp = 0;
  let sum = 0; // Neumaier-compensated Σ 1/size over predicted region pixels
  let comp = 0;
  while (i >= 0 || j >= 0) {
    const t = i < 0 ? neg[j] : j < 0 ? pos[i] : pos[i] > neg[j] ? pos[i] : neg[j];
    while (i >= 0 && pos[i] === t) {
      const v = invSize[region[i]];
      const s = sum + v;
      comp += Math.abs(sum) >= v ? sum - s + v : v - s + sum;
      sum = s;
      i--;
    }
    while (j >= 0 && neg[j] === t) {
      fp++;
      j--;
    }
    if (visit(t, fp / N, (sum + comp) / regionCount) === false) return;
  }
}

/**
 * The PRO curve at every distinct score (plus the (0, 0) start), for plotting or custom limits.
 * Same inputs and errors as {@link aupro}.
 */
export function proCurve(
  maps: ScoreMap | readonly ScoreMap[],
  masks: BinaryMask | readonly BinaryMask[],
  opts: ProCurveOptions = {},
): ProCurve {
  const p = prepare('proCurve', maps, masks, opts.connectivity ?? 8);
  let m = 0;
  sweepPro(p, () => {
    m++;
  });
  const fpr = new Float64Array(m);
  const pro = new Float64Array(m);
  const thresholds = new Float64Array(m);
  let k = 0;
  sweepPro(p, (t, f, r) => {
    thresholds[k] = t;
    fpr[k] = f;
    pro[k] = r;
    k++;
  });
  return { fpr, pro, thresholds };
}

/**
 * Normalised area under the PRO curve for FPR in [0, fprLimit] (default 0.3), exact over all
 * distinct thresholds. `maps[i]` and `masks[i]` must have the same size (mask pixel > 0 =
 * anomalous). Throws DanflowError('METRIC_INPUT') on mismatched inputs, NaN scores, a bad option,
 * or when there is no anomalous region or no normal pixel.
 */
export function aupro(
  maps: ScoreMap | readonly ScoreMap[],
  masks: BinaryMask | readonly BinaryMask[],
  opts: AuproOptions = {},
): number {
  const limit = opts.fprLimit ?? 0.3;
  if (typeof limit !== 'number' || !(limit > 0 && limit <= 1)) {
    throw metricError('aupro', `fprLimit must be a number in (0, 1], got ${String(limit)}.`);
  }
  const p = prepare('aupro', maps, masks, opts.connectivity ?? 8);
  let area = 0;
  let f0 = 0;
  let r0 = 0;
  sweepPro(p, (_t, f, r) => {
    if (f <= limit) {
      area += ((f - f0) * (r0 + r)) / 2;
      f0 = f;
      r0 = r;
      return true;
    }
    // First point past the limit: interpolate PRO at exactly fprLimit and stop.
    const rl = r0 + ((r - r0) * (limit - f0)) / (f - f0);
    area += ((limit - f0) * (r0 + rl)) / 2;
    return false;
  });
  return area / limit;
}
