import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDanflowError } from '../../../src/core/errors.js';
import type { BinaryMask, ScoreMap } from '../../../src/core/types.js';
import { aupro, auroc, connectedComponents, f1Max, proCurve, rocCurve } from '../../../src/metrics/index.js';
import { sortScores } from '../../../src/metrics/auroc.js';
import { FIXTURES } from '../../helpers/paths.js';

// ------------------------------------------------------------------------------------------------
// Golden data from fixtures/scripts/make_metrics_golden.py (scikit-learn / scikit-image)
// ------------------------------------------------------------------------------------------------

interface F1Golden {
  f1: number;
  threshold: number;
  precision: number;
  recall: number;
  thresholdCandidates: number[];
}
interface RocCase {
  name: string;
  float32: boolean;
  scores: number[];
  labels: number[];
  auroc: number;
  f1: F1Golden;
  roc?: { fpr: number[]; tpr: number[]; thresholds: number[] };
}
interface AuproSet {
  name: string;
  images: { width: number; height: number; scores: string; mask: string }[];
  expected: { connectivity: 4 | 8; fprLimit: number; aupro: number }[];
  pixelAuroc: number;
  pixelF1: F1Golden;
  regions8: number;
  regions4: number;
  curve?: { fpr: number[]; pro: number[]; thresholds: number[] };
}
interface Golden {
  generator: Record<string, string>;
  roc: RocCase[];
  aupro: AuproSet[];
}

const golden = JSON.parse(
  readFileSync(path.join(FIXTURES, 'metrics/golden.json'), 'utf8'),
) as Golden;

function decodeSet(set: AuproSet): { maps: ScoreMap[]; masks: BinaryMask[] } {
  const maps: ScoreMap[] = [];
  const masks: BinaryMask[] = [];
  for (const im of set.images) {
    const bytes = Buffer.from(im.scores, 'base64');
    const data = new Float32Array(im.width * im.height);
    new Uint8Array(data.buffer).set(bytes); // little-endian float32 (every supported platform)
    maps.push({ width: im.width, height: im.height, data });
    masks.push({ width: im.width, height: im.height, data: Uint8Array.from(im.mask, (ch) => (ch === '1' ? 1 : 0)) });
  }
  return { maps, masks };
}

/** Largest |difference| seen per metric, printed at the end (the numbers in the report). */
const agreement: Record<string, number> = {};
function record(metric: string, got: number, want: number): number {
  const d = Math.abs(got - want);
  agreement[metric] = Math.max(agreement[metric] ?? 0, d);
  return d;
}
afterAll(() => {
  console.log(`metrics golden agreement (max |diff|, generator ${JSON.stringify(golden.generator)}):`, agreement);
});

function expectMetricError(fn: () => unknown, pattern?: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a DanflowError').toBeDefined();
  expect(isDanflowError(caught, 'METRIC_INPUT'), String(caught)).toBe(true);
  if (pattern) expect((caught as Error).message).toMatch(pattern);
}

describe('auroc / rocCurve / f1Max against scikit-learn', () => {
  for (const c of golden.roc) {
    const scores: ArrayLike<number> = c.float32 ? Float32Array.from(c.scores) : c.scores;

    it(`${c.name}: auroc = roc_auc_score`, () => {
      expect(record('auroc', auroc(scores, c.labels), c.auroc)).toBeLessThanOrEqual(1e-9);
      // Same answer from other label / score containers.
      expect(auroc(Float64Array.from(c.scores), c.labels.map((l) => l === 1))).toBeCloseTo(c.auroc, 12);
      expect(auroc(c.scores, Uint8Array.from(c.labels))).toBeCloseTo(c.auroc, 12);
    });

    it(`${c.name}: reversing the scores gives 1 - auroc`, () => {
      const neg = Array.from(scores, (s) => -s);
      expect(Math.abs(auroc(neg, c.labels) - (1 - c.auroc))).toBeLessThanOrEqual(1e-12);
    });

    it(`${c.name}: f1Max = max F1 of precision_recall_curve`, () => {
      const r = f1Max(scores, c.labels);
      expect(record('f1', r.f1, c.f1.f1)).toBeLessThanOrEqual(1e-9);
      expect(c.f1.thresholdCandidates).toContain(r.threshold);
      if (r.threshold === c.f1.threshold) {
        expect(record('f1.precision', r.precision, c.f1.precision)).toBeLessThanOrEqual(1e-9);
        expect(record('f1.recall', r.recall, c.f1.recall)).toBeLessThanOrEqual(1e-9);
      }
      // Consistency of the reported triple.
      expect(r.f1).toBeCloseTo((2 * r.precision * r.recall) / (r.precision + r.recall), 12);
    });

    if (c.roc) {
      const roc = c.roc;
      it(`${c.name}: rocCurve = roc_curve(drop_intermediate=False)`, () => {
        const got = rocCurve(scores, c.labels);
        expect(got.fpr.length).toBe(roc.fpr.length);
        expect(got.thresholds[0]).toBe(Infinity);
        for (let i = 0; i < roc.fpr.length; i++) {
          record('rocCurve', got.fpr[i], roc.fpr[i]);
          expect(Math.abs(got.fpr[i] - roc.fpr[i])).toBeLessThanOrEqual(1e-12);
          expect(Math.abs(got.tpr[i] - roc.tpr[i])).toBeLessThanOrEqual(1e-12);
          record('rocCurve', got.tpr[i], roc.tpr[i]);
        }
        // Compare thresholds as float32 where the input was float32 (-0 and 0 compare equal).
        const z = (t: number): number => (t === 0 ? 0 : t); // -0 and 0 are the same threshold
        expect(Array.from(got.thresholds.subarray(1), z)).toEqual(roc.thresholds.map(z));
      });
    }
  }
});

describe('aupro / proCurve / pixel metrics against the skimage-based reference', () => {
  for (const set of golden.aupro) {
    const { maps, masks } = decodeSet(set);

    for (const e of set.expected) {
      it(`${set.name}: aupro (connectivity ${e.connectivity}, fprLimit ${e.fprLimit})`, () => {
        const got = aupro(maps, masks, { fprLimit: e.fprLimit, connectivity: e.connectivity });
        expect(record('aupro', got, e.aupro)).toBeLessThanOrEqual(1e-6);
      });
    }

    it(`${set.name}: region counts match skimage.measure.label`, () => {
      for (const [conn, want] of [
        [8, set.regions8],
        [4, set.regions4],
      ] as const) {
        const total = masks.reduce((n, m) => n + connectedComponents(m, conn).count, 0);
        expect(total).toBe(want);
      }
    });

    it(`${set.name}: pixel auroc / f1Max over maps = sklearn on the concatenated pixels`, () => {
      expect(record('pixel auroc', auroc(maps, masks), set.pixelAuroc)).toBeLessThanOrEqual(1e-9);
      const f = f1Max(maps, masks);
      expect(record('pixel f1', f.f1, set.pixelF1.f1)).toBeLessThanOrEqual(1e-9);
      expect(set.pixelF1.thresholdCandidates).toContain(f.threshold);
    });

    if (set.curve) {
      const curve = set.curve;
      it(`${set.name}: proCurve matches the reference curve point by point`, () => {
        const got = proCurve(maps, masks);
        expect(got.fpr.length).toBe(curve.fpr.length);
        expect(got.thresholds[0]).toBe(Infinity);
        for (let i = 0; i < curve.fpr.length; i++) {
          expect(Math.abs(got.fpr[i] - curve.fpr[i])).toBeLessThanOrEqual(1e-12);
          expect(record('proCurve', got.pro[i], curve.pro[i])).toBeLessThanOrEqual(1e-9);
        }
        const z = (t: number): number => (t === 0 ? 0 : t); // -0 and 0 are the same threshold
        expect(Array.from(got.thresholds.subarray(1), z)).toEqual(curve.thresholds.map(z));
      });
    }

    it(`${set.name}: aupro equals the trapezoid integral of proCurve; inputs are not modified`, () => {
      const before = maps.map((m) => m.data.slice());
      const { fpr, pro } = proCurve(maps, masks);
      let area = 0;
      for (let i = 1; i < fpr.length; i++) area += ((fpr[i] - fpr[i - 1]) * (pro[i] + pro[i - 1])) / 2;
      expect(aupro(maps, masks, { fprLimit: 1 })).toBeCloseTo(area, 12);
      maps.forEach((m, i) => expect(m.data).toEqual(before[i]));
    });
  }
});

describe('invariants and edge cases', () => {
  it('perfect separation gives 1, perfectly wrong gives 0', () => {
    expect(auroc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auroc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    const f = f1Max([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]);
    expect(f).toEqual({ f1: 1, threshold: 0.8, precision: 1, recall: 1 });
  });

  it('all-equal scores give 0.5; a single positive works', () => {
    expect(auroc(new Float32Array(10).fill(-0.25), [0, 1, 0, 0, 1, 0, 0, 0, 0, 1])).toBe(0.5);
    expect(auroc([0.3, 0.1, 0.9, 0.5], [0, 0, 1, 0])).toBe(1);
    expect(auroc([0.3, 0.1, 0.4, 0.5], [0, 0, 1, 0])).toBeCloseTo(2 / 3, 15);
    // Ties between the positive and a negative count half.
    expect(auroc([0.5, 0.1, 0.5], [0, 0, 1])).toBe(0.75);
  });

  it('accepts a single ScoreMap / BinaryMask pair', () => {
    const map: ScoreMap = { width: 2, height: 2, data: Float32Array.from([0.1, 0.9, 0.2, 0.8]) };
    const mask: BinaryMask = { width: 2, height: 2, data: Uint8Array.from([0, 255, 0, 1]) };
    expect(auroc(map, mask)).toBe(1);
    expect(aupro(map, mask)).toBe(1);
    expect(rocCurve([map], [mask]).tpr[1]).toBe(0.5);
  });

  it('aupro: a region detected before any false positive scores 1; limits integrate correctly', () => {
    // One 1-pixel region with the top score, normal pixels below: PRO jumps to 1 at FPR 0.
    const map: ScoreMap = { width: 4, height: 1, data: Float32Array.from([0.9, 0.1, 0.2, 0.3]) };
    const mask: BinaryMask = { width: 4, height: 1, data: Uint8Array.from([1, 0, 0, 0]) };
    expect(aupro(map, mask, { fprLimit: 0.3 })).toBe(1);
    // Region scored below every normal pixel: PRO is 0 until FPR 1.
    const low: ScoreMap = { width: 4, height: 1, data: Float32Array.from([0.0, 0.1, 0.2, 0.3]) };
    expect(aupro(low, mask, { fprLimit: 0.3 })).toBe(0);
    expect(aupro(low, mask, { fprLimit: 1 })).toBe(0);
  });

  it('8- vs 4-connectivity: diagonal neighbours form one region only under 8', () => {
    const mask = { width: 3, height: 3, data: Uint8Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]) };
    expect(connectedComponents(mask, 8).count).toBe(1);
    expect(connectedComponents(mask, 4).count).toBe(3);
    expect(Array.from(connectedComponents(mask, 4).sizes)).toEqual([6, 1, 1, 1]);
    // Regions of different size get equal weight in PRO: the small region detected, the big missed.
    const m: BinaryMask = { width: 5, height: 1, data: Uint8Array.from([1, 0, 1, 1, 0]) };
    const s: ScoreMap = { width: 5, height: 1, data: Float32Array.from([1, 0, -1, -1, 0.5]) };
    const c = proCurve(s, m);
    expect(Array.from(c.pro)).toEqual([0, 0.5, 0.5, 0.5, 1]);
    expect(Array.from(c.fpr)).toEqual([0, 0, 0.5, 1, 1]);
  });

  it('throws METRIC_INPUT with a helpful message', () => {
    expectMetricError(() => auroc([0.1, 0.2], [0, 0]), /no positive.*AUROC is undefined/);
    expectMetricError(() => auroc([0.1, 0.2], [1, true]), /no negative.*AUROC is undefined/);
    expectMetricError(() => rocCurve([0.1, 0.2], [1, 1]), /no negative/);
    expectMetricError(() => f1Max([0.1, 0.2], [0, 0]), /no positive/);
    expectMetricError(() => auroc([0.1, 0.2, 0.3], [0, 1]), /3 scores but 2 labels/);
    expectMetricError(() => auroc([0.1, NaN, 0.3], [0, 1, 0]), /NaN.*index 1/);
    expectMetricError(() => auroc([0.1, 0.3], [0, NaN]), /label 1/);
    expectMetricError(() => auroc([], []), /empty/);
    const map = (w: number, h: number): ScoreMap => ({ width: w, height: h, data: new Float32Array(w * h) });
    const mask = (w: number, h: number, v = 0): BinaryMask => ({ width: w, height: h, data: new Uint8Array(w * h).fill(v) });
    const m1 = mask(4, 4);
    m1.data[5] = 1;
    expectMetricError(() => auroc([map(4, 4)], [mask(4, 3)]), /4×4 but mask 0 is 4×3/);
    expectMetricError(() => aupro([map(4, 4), map(4, 4)], [m1]), /2 score maps but 1 masks/);
    expectMetricError(() => aupro([map(4, 4)], [mask(4, 4)]), /no anomalous pixels.*AUPRO is undefined/);
    expectMetricError(() => aupro([map(4, 4)], [mask(4, 4, 1)]), /no normal pixels/);
    expectMetricError(() => aupro([map(4, 4)], [m1], { fprLimit: 0 }), /fprLimit/);
    expectMetricError(() => aupro([map(4, 4)], [m1], { fprLimit: 1.5 }), /fprLimit/);
    expectMetricError(() => aupro([map(4, 4)], [m1], { connectivity: 6 as 4 }), /connectivity/);
    const bad = map(4, 4);
    bad.data[3] = NaN;
    expectMetricError(() => aupro([bad], [m1]), /NaN/);
    expectMetricError(() => aupro([{ width: 4, height: 4, data: new Float32Array(15) }], [m1]), /15 values/);
    expectMetricError(() => auroc([map(4, 4)], [0, 1] as unknown as BinaryMask[]), /BinaryMask/);
  });
});

describe('typed-array radix sort', () => {
  function rng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  for (const n of [0, 1, 2, 1000, 100_000]) {
    for (const Arr of [Float32Array, Float64Array]) {
      it(`${Arr.name} n=${n} sorts like a numeric sort and carries the payload`, () => {
        const r = rng(n + 7);
        const special = [-0, 0, Infinity, -Infinity, 1e-40, -1e-40, 3.4e38, -3.4e38];
        const v = new Arr(n);
        for (let i = 0; i < n; i++) v[i] = i < special.length && n > 100 ? special[i] : (r() - 0.5) * 10 ** Math.floor(r() * 8 - 4);
        const original = v.slice();
        const payload = Uint32Array.from({ length: n }, (_, i) => i);
        sortScores(v, payload);
        const expected = original.slice().sort();
        let wrongOrder = 0;
        let wrongPayload = 0;
        for (let i = 0; i < n; i++) {
          if (v[i] !== expected[i]) wrongOrder++;
          if (original[payload[i]] !== v[i]) wrongPayload++;
        }
        expect({ wrongOrder, wrongPayload }).toEqual({ wrongOrder: 0, wrongPayload: 0 });
      });
    }
  }
});

describe('scale: 4M pixels', () => {
  it('pixel auroc, f1Max and aupro on 40 maps of 400×250 are fast and match a per-image histogram computation', () => {
    // Scores are multiples of 1/1024 in [-1, 0] (float32-exact), so an independent exact reference
    // can be built image by image from per-level counts, without any sorting or labelling.
    const W = 400;
    const H = 250;
    const IMAGES = 40;
    const LEVELS = 1025;
    let seed = 12345;
    const rand = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const maps: ScoreMap[] = [];
    const masks: BinaryMask[] = [];
    const posHist = new Float64Array(LEVELS);
    const negHist = new Float64Array(LEVELS);
    const regionHists: Float64Array[] = [];
    const regionSizes: number[] = [];
    for (let k = 0; k < IMAGES; k++) {
      const data = new Float32Array(W * H);
      const mask = new Uint8Array(W * H);
      const regionOf = new Int32Array(W * H).fill(-1);
      // Up to 3 separated rectangles per image (a quarter of the images are defect-free).
      const nRect = k % 4 === 0 ? 0 : 1 + (k % 3);
      for (let r = 0; r < nRect; r++) {
        const x0 = 10 + r * 130 + Math.floor(rand() * 40);
        const y0 = 10 + Math.floor(rand() * 150);
        const w = 5 + Math.floor(rand() * 60);
        const h = 5 + Math.floor(rand() * 60);
        const id = regionSizes.length;
        regionSizes.push(w * h);
        regionHists.push(new Float64Array(LEVELS));
        for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) {
          mask[y * W + x] = 1;
          regionOf[y * W + x] = id;
        }
      }
      for (let i = 0; i < W * H; i++) {
        const boost = mask[i] ? 300 : 0;
        const level = Math.min(LEVELS - 1, Math.floor(rand() * 700) + Math.floor(rand() * 200) + boost * rand());
        const lv = Math.floor(level);
        data[i] = lv / 1024 - 1;
        if (mask[i]) {
          posHist[lv]++;
          regionHists[regionOf[i]][lv]++;
        } else negHist[lv]++;
      }
      maps.push({ width: W, height: H, data });
      masks.push({ width: W, height: H, data: mask });
    }

    // Reference from histograms (descending levels).
    const P = posHist.reduce((a, b) => a + b, 0);
    const N = negHist.reduce((a, b) => a + b, 0);
    let tp = 0;
    let fp = 0;
    let area2 = 0;
    let bestF1 = 0;
    const fprs = [0];
    const pros = [0];
    const covered = new Float64Array(regionSizes.length);
    for (let lv = LEVELS - 1; lv >= 0; lv--) {
      if (posHist[lv] === 0 && negHist[lv] === 0) continue;
      area2 += negHist[lv] * (2 * tp + posHist[lv]);
      tp += posHist[lv];
      fp += negHist[lv];
      bestF1 = Math.max(bestF1, (2 * tp) / (tp + fp + P));
      let pro = 0;
      for (let r = 0; r < regionSizes.length; r++) {
        covered[r] += regionHists[r][lv];
        pro += covered[r] / regionSizes[r];
      }
      fprs.push(fp / N);
      pros.push(pro / regionSizes.length);
    }
    const refAuroc = area2 / (2 * P * N);
    let refAupro = 0;
    for (let i = 1; i < fprs.length; i++) {
      if (fprs[i] <= 0.3) refAupro += ((fprs[i] - fprs[i - 1]) * (pros[i] + pros[i - 1])) / 2;
      else {
        const p = pros[i - 1] + ((pros[i] - pros[i - 1]) * (0.3 - fprs[i - 1])) / (fprs[i] - fprs[i - 1]);
        refAupro += ((0.3 - fprs[i - 1]) * (pros[i - 1] + p)) / 2;
        break;
      }
    }
    refAupro /= 0.3;

    const t0 = performance.now();
    const a = auroc(maps, masks);
    const t1 = performance.now();
    const f = f1Max(maps, masks);
    const t2 = performance.now();
    const pro = aupro(maps, masks);
    const t3 = performance.now();
    console.log(
      `4M-pixel timings: auroc ${(t1 - t0).toFixed(0)} ms, f1Max ${(t2 - t1).toFixed(0)} ms, aupro ${(t3 - t2).toFixed(0)} ms ` +
        `(regions ${regionSizes.length}); |diff| auroc ${Math.abs(a - refAuroc)}, f1 ${Math.abs(f.f1 - bestF1)}, aupro ${Math.abs(pro - refAupro)}`,
    );
    expect(Math.abs(a - refAuroc)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(f.f1 - bestF1)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(pro - refAupro)).toBeLessThanOrEqual(1e-9);
    expect(t3 - t0).toBeLessThan(10_000); // typically well under 2 s
  });
});
