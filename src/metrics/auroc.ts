/**
 * ROC AUC and ROC curve, exact (ties handled like scikit-learn's `roc_auc_score` / `roc_curve`),
 * plus the shared machinery the other metrics use.
 *
 * Approach (memory- and time-conscious, since pixel metrics see 10M+ samples):
 *  1. One validation pass counts positives/negatives and rejects NaN; a second pass copies the
 *     scores into two typed arrays, one for positives and one for negatives (Float32Array when
 *     every score is exactly representable as float32, as anomaly maps are; Float64Array
 *     otherwise, so no two distinct inputs are ever merged).
 *  2. Each array is sorted with an LSD radix sort on order-preserving integer keys made from the
 *     IEEE-754 bit patterns (2 passes of 16 bits for float32, 4 for float64; 8-bit digits for
 *     small inputs). That is O(n), several times faster than `TypedArray.prototype.sort` and far
 *     faster (and leaner) than sorting JS objects with a comparator.
 *  3. The two sorted arrays are merged from the top, one step per distinct score value, which
 *     gives the (positives, negatives) counted at every threshold `score >= t`: exactly the points
 *     of sklearn's `_binary_clf_curve`. The trapezoid area is accumulated in integers
 *     (Σ ΔN·(2·TP_before + ΔP)), exact up to ~1.3e8 samples, and divided once by 2·P·N.
 */
import { DanflowError } from '../core/errors.js';
import type { BinaryMask, ScoreMap } from '../core/types.js';

/** Scores: a flat array of numbers, one ScoreMap, or a list of ScoreMaps (pixel-level). */
export type ScoreInput = ArrayLike<number> | ScoreMap | readonly ScoreMap[];
/**
 * Labels matching {@link ScoreInput}: a flat array (a label is positive when it is `true` or a
 * number > 0), one BinaryMask, or a list of BinaryMasks (a pixel is positive when its value > 0).
 */
export type LabelInput = ArrayLike<number | boolean> | BinaryMask | readonly BinaryMask[];

export interface RocCurve {
  /** False-positive rate at each threshold, non-decreasing, starting at 0 and ending at 1. */
  fpr: Float64Array;
  /** True-positive rate at each threshold, non-decreasing, starting at 0 and ending at 1. */
  tpr: Float64Array;
  /**
   * Decreasing thresholds (prediction = score >= threshold); `thresholds[0]` is `Infinity`
   * (nothing predicted positive), as in scikit-learn >= 1.3.
   */
  thresholds: Float64Array;
}

// ---------------------------------------------------------------------------------------------
// Errors and input validation (internal, shared by f1.ts and aupro.ts)
// ---------------------------------------------------------------------------------------------

/** @internal */
export function metricError(fn: string, message: string, details?: unknown): DanflowError {
  return new DanflowError('METRIC_INPUT', `${fn}: ${message}`, details === undefined ? {} : { details });
}

/** @internal */
export function isMapLike(x: unknown): x is { width: number; height: number; data: ArrayLike<number> } {
  return (
    x !== null &&
    typeof x === 'object' &&
    !ArrayBuffer.isView(x) &&
    'data' in x &&
    'width' in x &&
    'height' in x
  );
}

/** A run of scores with their labels: one flat array, or one map and its mask. @internal */
export interface Chunk {
  scores: ArrayLike<number>;
  /** For masks: Uint8Array-like, positive when > 0. For flat labels: numbers or booleans. */
  labels: ArrayLike<number | boolean>;
  /** True for a mask (values are only compared with 0, no per-element type checks). */
  isMask: boolean;
  /** Where the chunk came from, for error messages (e.g. "map 3"). */
  name: string;
  /** Map size, for map chunks. */
  width?: number;
  height?: number;
}

/**
 * Validates a (map list, mask list) pair and returns one chunk per map. Accepts a single map /
 * mask too. @internal
 */
export function mapChunks(fn: string, maps: unknown, masks: unknown): Chunk[] {
  const mapList = (Array.isArray(maps) ? maps : [maps]) as unknown[];
  const maskList = (Array.isArray(masks) ? masks : isMapLike(masks) ? [masks] : null) as unknown[] | null;
  if (maskList === null || !maskList.every(isMapLike)) {
    throw metricError(
      fn,
      'score maps were given, so the labels must be BinaryMask objects ({ width, height, data: Uint8Array }, ' +
        'one per map, pixel > 0 = anomalous), not a flat array.',
    );
  }
  if (mapList.length !== maskList.length) {
    throw metricError(fn, `got ${mapList.length} score maps but ${maskList.length} masks; pass exactly one mask per map.`);
  }
  if (mapList.length === 0) throw metricError(fn, 'no score maps were given.');
  const chunks: Chunk[] = [];
  for (let k = 0; k < mapList.length; k++) {
    const map = mapList[k];
    const mask = maskList[k] as { width: number; height: number; data: ArrayLike<number> };
    if (!isMapLike(map)) throw metricError(fn, `item ${k} of the score maps is not a ScoreMap ({ width, height, data }).`);
    checkMapShape(fn, map, `score map ${k}`);
    checkMapShape(fn, mask, `mask ${k}`);
    if (map.width !== mask.width || map.height !== mask.height) {
      throw metricError(
        fn,
        `score map ${k} is ${map.width}×${map.height} but mask ${k} is ${mask.width}×${mask.height}; ` +
          'resize the mask to the map size (nearest neighbour, or bilinear then threshold at 0.5) first.',
        { index: k, map: [map.width, map.height], mask: [mask.width, mask.height] },
      );
    }
    chunks.push({
      scores: map.data,
      labels: mask.data,
      isMask: true,
      name: `score map ${k}`,
      width: map.width,
      height: map.height,
    });
  }
  return chunks;
}

function checkMapShape(fn: string, m: { width: number; height: number; data: ArrayLike<number> }, what: string): void {
  const { width, height, data } = m;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw metricError(fn, `${what} has an invalid size ${String(width)}×${String(height)}.`);
  }
  if (data == null || typeof data.length !== 'number' || data.length !== width * height) {
    throw metricError(
      fn,
      `${what} is ${width}×${height} but its data holds ${data == null ? 'nothing' : data.length} values ` +
        `(expected ${width * height}, one per pixel).`,
    );
  }
}

/** Turns the public (scores, labels) arguments into chunks. @internal */
export function toChunks(fn: string, scores: unknown, labels: unknown): Chunk[] {
  const mapInput = isMapLike(scores) || (Array.isArray(scores) && scores.length > 0 && isMapLike(scores[0]));
  if (mapInput) return mapChunks(fn, scores, labels);
  if (scores == null || typeof (scores as ArrayLike<number>).length !== 'number') {
    throw metricError(fn, 'scores must be an array of numbers, a typed array, or ScoreMap objects.');
  }
  if (isMapLike(labels) || (Array.isArray(labels) && labels.length > 0 && isMapLike(labels[0]))) {
    throw metricError(fn, 'masks were given as labels, so the scores must be ScoreMap objects (one per mask).');
  }
  if (labels == null || typeof (labels as ArrayLike<number>).length !== 'number') {
    throw metricError(fn, 'labels must be an array (0/1 or booleans) of the same length as the scores.');
  }
  const s = scores as ArrayLike<number>;
  const l = labels as ArrayLike<number | boolean>;
  if (s.length !== l.length) {
    throw metricError(fn, `got ${s.length} scores but ${l.length} labels; pass one label per score.`, {
      scores: s.length,
      labels: l.length,
    });
  }
  if (s.length === 0) throw metricError(fn, 'no scores were given (empty input).');
  return [{ scores: s, labels: l, isMask: false, name: 'scores' }];
}

function labelIsPositive(fn: string, v: number | boolean, i: number): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v !== 'number' || v !== v) {
    throw metricError(fn, `label ${i} is ${String(v)}; labels must be 0/1 (or false/true).`);
  }
  return v > 0;
}

/** Scores split by class, each sorted ascending. @internal */
export interface SplitScores {
  pos: Float32Array | Float64Array;
  neg: Float32Array | Float64Array;
}

/**
 * Counts classes, rejects NaN, and returns the positives' and negatives' scores, each sorted
 * ascending. Does not itself require both classes (callers decide). @internal
 */
export function splitAndSort(fn: string, chunks: Chunk[]): SplitScores {
  let nPos = 0;
  let nNeg = 0;
  let f32 = true;
  for (const c of chunks) {
    const { scores, labels } = c;
    const chunkF32 = scores instanceof Float32Array;
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i];
      if (s !== s || typeof s !== 'number') {
        throw metricError(fn, `${c.name} has a ${s !== s ? 'NaN' : String(s)} score at index ${i}; scores must be numbers (no NaN).`, {
          index: i,
        });
      }
      if (!chunkF32 && f32 && Math.fround(s) !== s) f32 = false;
      const positive = c.isMask ? (labels[i] as number) > 0 : labelIsPositive(fn, labels[i], i);
      if (positive) nPos++;
      else nNeg++;
    }
  }
  const Arr = f32 ? Float32Array : Float64Array;
  const pos = new Arr(nPos);
  const neg = new Arr(nNeg);
  let ip = 0;
  let ineg = 0;
  for (const c of chunks) {
    const { scores, labels } = c;
    for (let i = 0; i < scores.length; i++) {
      const l = labels[i];
      if (c.isMask ? (l as number) > 0 : l === true || (l as number) > 0) pos[ip++] = scores[i];
      else neg[ineg++] = scores[i];
    }
  }
  sortScores(pos);
  sortScores(neg);
  return { pos, neg };
}

/** @internal */
export function requireBothClasses(fn: string, metric: string, nPos: number, nNeg: number): void {
  if (nPos === 0 || nNeg === 0) {
    const missing = nPos === 0 ? 'positive (anomalous)' : 'negative (normal)';
    throw metricError(
      fn,
      `the labels contain no ${missing} samples (${nPos} positive, ${nNeg} negative), so ${metric} is undefined. ` +
        'Pass labels with at least one positive (1/true, mask pixel > 0) and one negative (0/false) — e.g. ' +
        'evaluate on normal and anomalous images together.',
      { positives: nPos, negatives: nNeg },
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Radix sort on IEEE-754 keys (internal)
// ---------------------------------------------------------------------------------------------

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Stable LSD radix sort of `keys` (unsigned 32-bit), carrying up to two payload arrays along.
 * Sorts in place (the result always ends in the arrays passed in).
 */
function radixSortU32(keys: Uint32Array, p0?: Uint32Array, p1?: Uint32Array): void {
  const n = keys.length;
  if (n < 2) return;
  const bits = n < 65536 ? 8 : 16;
  const radix = 1 << bits;
  const mask = radix - 1;
  const counts = new Uint32Array(radix);
  let srcK: Uint32Array = keys;
  let dstK: Uint32Array = new Uint32Array(n);
  let srcA: Uint32Array | undefined = p0;
  let dstA: Uint32Array | undefined = p0 ? new Uint32Array(n) : undefined;
  let srcB: Uint32Array | undefined = p1;
  let dstB: Uint32Array | undefined = p1 ? new Uint32Array(n) : undefined;
  for (let shift = 0; shift < 32; shift += bits) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(srcK[i] >>> shift) & mask]++;
    if (counts[(srcK[0] >>> shift) & mask] === n) continue; // every key has this digit: pass is a no-op
    let sum = 0;
    for (let d = 0; d < radix; d++) {
      const c = counts[d];
      counts[d] = sum;
      sum += c;
    }
    if (srcA && dstA && srcB && dstB) {
      for (let i = 0; i < n; i++) {
        const k = srcK[i];
        const j = counts[(k >>> shift) & mask]++;
        dstK[j] = k;
        dstA[j] = srcA[i];
        dstB[j] = srcB[i];
      }
    } else if (srcA && dstA) {
      for (let i = 0; i < n; i++) {
        const k = srcK[i];
        const j = counts[(k >>> shift) & mask]++;
        dstK[j] = k;
        dstA[j] = srcA[i];
      }
    } else {
      for (let i = 0; i < n; i++) {
        const k = srcK[i];
        dstK[counts[(k >>> shift) & mask]++] = k;
      }
    }
    [srcK, dstK] = [dstK, srcK];
    [srcA, dstA] = [dstA, srcA];
    [srcB, dstB] = [dstB, srcB];
  }
  if (srcK !== keys) {
    keys.set(srcK);
    if (p0 && srcA) p0.set(srcA);
    if (p1 && srcB) p1.set(srcB);
  }
}

/**
 * Sorts scores ascending in place (no NaN allowed; -0 becomes +0), permuting `payload` the same
 * way when given. @internal
 */
export function sortScores(values: Float32Array | Float64Array, payload?: Uint32Array): void {
  const n = values.length;
  if (n < 2) return;
  if (!LITTLE_ENDIAN) {
    // Exotic platform: fall back to a comparator sort of an index array.
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
    const v = values.slice();
    const p = payload?.slice();
    for (let i = 0; i < n; i++) {
      values[i] = v[order[i]] + 0;
      if (payload && p) payload[i] = p[order[i]];
    }
    return;
  }
  if (values instanceof Float32Array) {
    // Order-preserving key: flip all bits of negatives, set the sign bit of non-negatives.
    const k = new Uint32Array(values.buffer, values.byteOffset, n);
    for (let i = 0; i < n; i++) {
      let b = k[i];
      if (b === 0x80000000) b = 0; // -0 → +0
      k[i] = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
    }
    radixSortU32(k, payload);
    for (let i = 0; i < n; i++) {
      const b = k[i];
      k[i] = b & 0x80000000 ? (b ^ 0x80000000) >>> 0 : ~b >>> 0;
    }
    return;
  }
  // float64: 64-bit keys as (hi, lo) words; sort by lo then (stably) by hi.
  const w = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const hi = new Uint32Array(n);
  const lo = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let h = w[2 * i + 1];
    let l = w[2 * i];
    if (h === 0x80000000 && l === 0) h = 0; // -0 → +0
    if (h & 0x80000000) {
      h = ~h >>> 0;
      l = ~l >>> 0;
    } else h = (h | 0x80000000) >>> 0;
    hi[i] = h;
    lo[i] = l;
  }
  radixSortU32(lo, hi, payload);
  radixSortU32(hi, lo, payload);
  for (let i = 0; i < n; i++) {
    let h = hi[i];
    let l = lo[i];
    if (h & 0x80000000) h = (h ^ 0x80000000) >>> 0;
    else {
      h = ~h >>> 0;
      l = ~l >>> 0;
    }
    w[2 * i + 1] = h;
    w[2 * i] = l;
  }
}

/**
 * Walks two ascending arrays from the top, calling `visit(t, dPos, dNeg)` once per distinct
 * value t (descending) with how many positives / negatives have score exactly t. @internal
 */
export function sweepDescending(
  pos: ArrayLike<number>,
  neg: ArrayLike<number>,
  visit: (t: number, dPos: number, dNeg: number) => void,
): void {
  let i = pos.length - 1;
  let j = neg.length - 1;
  while (i >= 0 || j >= 0) {
    const t = i < 0 ? neg[j] : j < 0 ? pos[i] : pos[i] > neg[j] ? pos[i] : neg[j];
    let dp = 0;
    while (i >= 0 && pos[i] === t) {
      dp++;
      i--;
    }
    let dn = 0;
    while (j >= 0 && neg[j] === t) {
      dn++;
      j--;
    }
    visit(t, dp, dn);
  }
}

// ---------------------------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------------------------

/**
 * Area under the ROC curve, exactly as scikit-learn's `roc_auc_score` (ties: trapezoid between
 * distinct thresholds, so all-equal scores give 0.5).
 *
 * `auroc(scores, labels)` for image-level AUROC (labels 0/1 or booleans), or
 * `auroc(maps, masks)` for pixel-level AUROC over every pixel of every map (mask pixel > 0 =
 * anomalous). Throws DanflowError('METRIC_INPUT') on length/size mismatches, NaN scores, or when
 * one class is missing (AUROC is then undefined).
 */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): number;
export function auroc(maps: ScoreMap | readonly ScoreMap[], masks: BinaryMask | readonly BinaryMask[]): number;
export function auroc(scores: ScoreInput, labels: LabelInput): number;
export function auroc(scores: ScoreInput, labels: LabelInput): number {
  const { pos, neg } = splitAndSort('auroc', toChunks('auroc', scores, labels));
  requireBothClasses('auroc', 'AUROC', pos.length, neg.length);
  // Twice the area, in units of one (1/P)×(1/N) cell: an exact integer for n < ~1.3e8.
  let area2 = 0;
  let tp = 0;
  sweepDescending(pos, neg, (_t, dp, dn) => {
    area2 += dn * (2 * tp + dp);
    tp += dp;
  });
  return area2 / (2 * pos.length * neg.length);
}

/**
 * ROC curve at every distinct score (scikit-learn `roc_curve(..., drop_intermediate=False)`),
 * starting at (0, 0) with threshold `Infinity`. Same inputs and errors as {@link auroc}.
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): RocCurve;
export function rocCurve(maps: ScoreMap | readonly ScoreMap[], masks: BinaryMask | readonly BinaryMask[]): RocCurve;
export function rocCurve(scores: ScoreInput, labels: LabelInput): RocCurve;
export function rocCurve(scores: ScoreInput, labels: LabelInput): RocCurve {
  const { pos, neg } = splitAndSort('rocCurve', toChunks('rocCurve', scores, labels));
  requireBothClasses('rocCurve', 'the ROC curve', pos.length, neg.length);
  let m = 1;
  sweepDescending(pos, neg, () => {
    m++;
  });
  const fpr = new Float64Array(m);
  const tpr = new Float64Array(m);
  const thresholds = new Float64Array(m);
  thresholds[0] = Infinity;
  const P = pos.length;
  const N = neg.length;
  let tp = 0;
  let fp = 0;
  let k = 1;
  sweepDescending(pos, neg, (t, dp, dn) => {
    tp += dp;
    fp += dn;
    fpr[k] = fp / N;
    tpr[k] = tp / P;
    thresholds[k] = t;
    k++;
  });
  return { fpr, tpr, thresholds };
}
