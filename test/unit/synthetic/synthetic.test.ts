import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { isDanflowError } from '../../../src/core/errors.js';
import type { BinaryMask, RawImage } from '../../../src/core/types.js';
import { createRng, hashSeed } from '../../../src/core/prng.js';
import {
  cutPaste,
  DEFAULT_CHANGE_EPSILON,
  DEFECT_KINDS,
  fbm,
  paintDefect,
  paintSyntheticAnomaly,
  perlinNoise2D,
  perlinTexture,
  scratch,
  valueNoise2D,
  type DefectKind,
} from '../../../src/synthetic/index.js';
import {
  generateNormalSample,
  generateSyntheticDataset,
  generateWasher,
  SYNTHETIC_CATEGORIES,
  SYNTHETIC_DEFECT_TYPES,
  type SyntheticCategory,
  type SyntheticDataset,
} from '../../../src/synthetic/index.js';

const SIZE = 128;
const N = SIZE * SIZE;
const GRID_PATH = '/tmp/danflow-synthetic-grid.png';

// ------------------------------------------------------------------------------------------------
// helpers
// ------------------------------------------------------------------------------------------------

function sameBytes(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function maskCount(m: BinaryMask): number {
  let n = 0;
  for (let i = 0; i < m.data.length; i++) n += m.data[i] ? 1 : 0;
  return n;
}

/** Largest per-channel change at pixel i. */
function pixelDiff(a: RawImage, b: RawImage, i: number): number {
  return Math.max(
    Math.abs(a.data[i * 3] - b.data[i * 3]),
    Math.abs(a.data[i * 3 + 1] - b.data[i * 3 + 1]),
    Math.abs(a.data[i * 3 + 2] - b.data[i * 3 + 2]),
  );
}

/** Checks the mask contract: outside the mask byte-identical, inside changed by more than epsilon. */
function checkContract(before: RawImage, after: RawImage, mask: BinaryMask, epsilon = DEFAULT_CHANGE_EPSILON): void {
  let outsideChanged = 0;
  let insideUnchanged = 0;
  for (let i = 0; i < mask.data.length; i++) {
    const d = pixelDiff(before, after, i);
    if (mask.data[i]) {
      if (d <= epsilon) insideUnchanged++;
    } else if (d !== 0) outsideChanged++;
  }
  expect(outsideChanged).toBe(0);
  expect(insideUnchanged).toBe(0);
}

interface Features {
  r: number;
  g: number;
  b: number;
  mean: number;
  std: number;
  gx: number;
  gy: number;
}

/** Per-image statistics: channel means, luminance mean/std, mean absolute gradient along x and y. */
function features(img: RawImage): Features {
  const { width: w, height: h, data } = img;
  const L = new Float64Array(w * h);
  let r = 0;
  let g = 0;
  let b = 0;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < w * h; i++) {
    r += data[i * 3];
    g += data[i * 3 + 1];
    b += data[i * 3 + 2];
    L[i] = 0.299 * data[i * 3] + 0.587 * data[i * 3 + 1] + 0.114 * data[i * 3 + 2];
    s += L[i];
    s2 += L[i] * L[i];
  }
  let gx = 0;
  let gy = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x + 1 < w; x++) gx += Math.abs(L[y * w + x + 1] - L[y * w + x]);
  for (let y = 0; y + 1 < h; y++) for (let x = 0; x < w; x++) gy += Math.abs(L[(y + 1) * w + x] - L[y * w + x]);
  const n = w * h;
  const mean = s / n;
  return { r: r / n, g: g / n, b: b / n, mean, std: Math.sqrt(s2 / n - mean * mean), gx: gx / (h * (w - 1)), gy: gy / ((h - 1) * w) };
}

const vec = (f: Features): number[] => [f.r, f.g, f.b, f.std, f.gx, f.gy];

function meanOf(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
function stdOf(xs: number[]): number {
  const m = meanOf(xs);
  return Math.sqrt(meanOf(xs.map((x) => (x - m) ** 2)));
}
function dist(a: number[], b: number[]): number {
  return Math.sqrt(a.reduce((acc, v, k) => acc + (v - b[k]) ** 2, 0));
}

// ------------------------------------------------------------------------------------------------
// default datasets, generated once (and timed)
// ------------------------------------------------------------------------------------------------

const datasets = new Map<SyntheticCategory, SyntheticDataset>();
const timings = new Map<SyntheticCategory, number>();

beforeAll(() => {
  for (const category of SYNTHETIC_CATEGORIES) {
    const t0 = performance.now();
    datasets.set(category, generateSyntheticDataset({ category, seed: 7 }));
    timings.set(category, performance.now() - t0);
  }
});

// ------------------------------------------------------------------------------------------------
// randomness and noise
// ------------------------------------------------------------------------------------------------

describe('rng and noise', () => {
  it('reproduces the pinned mulberry32 stream and seed hashes (guards cross-engine determinism)', () => {
    const r = createRng(42);
    expect([r.uint32(), r.uint32(), r.uint32()]).toEqual([2884511589, 733520811, 1187445981]);
    expect(hashSeed(0)).toBe(2296580312);
    expect(hashSeed('a', 1)).toBe(2040395019);
    // numbers and strings are different seeds
    expect(hashSeed(1)).not.toBe(hashSeed('1'));
  });

  it('draws uniform values, integers, normals and unit directions in range', () => {
    const r = createRng('stats');
    const xs = Array.from({ length: 20000 }, () => r.next());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(Math.abs(meanOf(xs) - 0.5)).toBeLessThan(0.01);
    const ints = Array.from({ length: 5000 }, () => r.int(3, 7));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5, 6]));
    const zs = Array.from({ length: 20000 }, () => r.normal());
    expect(Math.abs(meanOf(zs))).toBeLessThan(0.03);
    expect(Math.abs(stdOf(zs) - 1)).toBeLessThan(0.03);
    for (let k = 0; k < 100; k++) {
      const [x, y] = r.direction();
      expect(Math.abs(x * x + y * y - 1)).toBeLessThan(1e-12);
    }
  });

  it('Perlin and value noise are deterministic, bounded, zero-mean and continuous', () => {
    for (const make of [perlinNoise2D, valueNoise2D]) {
      const a = make(5);
      const b = make(5);
      const c = make(6);
      const vals: number[] = [];
      let diffSeed = 0;
      let maxStep = 0;
      for (let k = 0; k < 4000; k++) {
        const x = (k % 97) * 0.173 - 5;
        const y = Math.floor(k / 97) * 0.211 - 3;
        const v = a(x, y);
        expect(b(x, y)).toBe(v);
        diffSeed += Math.abs(c(x, y) - v);
        vals.push(v);
        maxStep = Math.max(maxStep, Math.abs(a(x + 0.01, y) - v));
      }
      expect(Math.min(...vals)).toBeGreaterThanOrEqual(-1.0001);
      expect(Math.max(...vals)).toBeLessThanOrEqual(1.0001);
      expect(Math.abs(meanOf(vals))).toBeLessThan(0.1);
      expect(stdOf(vals)).toBeGreaterThan(0.15);
      expect(diffSeed / vals.length).toBeGreaterThan(0.1);
      expect(maxStep).toBeLessThan(0.1); // a 0.01 step never jumps: the noise is continuous
      const f = fbm(a, 0.3, 0.7, { octaves: 5 });
      expect(f).toBe(fbm(b, 0.3, 0.7, { octaves: 5 }));
    }
  });
});

// ------------------------------------------------------------------------------------------------
// normal images
// ------------------------------------------------------------------------------------------------

describe('normal images', () => {
  it('are deterministic per seed and differ between seeds, for every category', () => {
    for (const category of SYNTHETIC_CATEGORIES) {
      const a = generateNormalSample(category, SIZE, 11).image;
      const b = generateNormalSample(category, SIZE, 11).image;
      const c = generateNormalSample(category, SIZE, 12).image;
      expect(a.channels).toBe(3);
      expect(a.data).toBeInstanceOf(Uint8Array);
      expect(a.data.length).toBe(N * 3);
      expect(sameBytes(a.data, b.data)).toBe(true);
      let changed = 0;
      for (let i = 0; i < a.data.length; i++) if (a.data[i] !== c.data[i]) changed++;
      expect(changed / a.data.length, category).toBeGreaterThan(0.3);
    }
  });

  it('vary within a category only a little: per-image mean and contrast stay close', () => {
    // Bounds measured over 20 seeds: mean CV ≤ 0.02, std CV ≤ 0.13 (metal's lighting varies most).
    for (const category of SYNTHETIC_CATEGORIES) {
      const fs = datasets.get(category)!.train.map(features);
      const means = fs.map((f) => f.mean);
      const stds = fs.map((f) => f.std);
      const cvMean = stdOf(means) / meanOf(means);
      const cvStd = stdOf(stds) / meanOf(stds);
      expect(cvMean, `${category} mean CV`).toBeLessThan(0.05);
      expect(cvStd, `${category} std CV`).toBeLessThan(0.2);
      // and are not constant: real texture everywhere
      expect(Math.min(...stds), `${category} min std`).toBeGreaterThan(4);
    }
  });

  it('differ between categories: centroids far apart and every held-out image classified right', () => {
    const centroids = new Map<SyntheticCategory, number[]>();
    const spreads = new Map<SyntheticCategory, number>();
    for (const category of SYNTHETIC_CATEGORIES) {
      const vs = datasets.get(category)!.train.map((im) => vec(features(im)));
      const c = vs[0].map((_, k) => meanOf(vs.map((v) => v[k])));
      centroids.set(category, c);
      spreads.set(category, Math.sqrt(meanOf(vs.map((v) => dist(v, c) ** 2))));
    }
    for (const a of SYNTHETIC_CATEGORIES) {
      for (const b of SYNTHETIC_CATEGORIES) {
        if (a >= b) continue;
        const d = dist(centroids.get(a)!, centroids.get(b)!);
        expect(d, `${a} vs ${b}`).toBeGreaterThan(2 * (spreads.get(a)! + spreads.get(b)!));
      }
    }
    for (const category of SYNTHETIC_CATEGORIES) {
      for (const im of datasets.get(category)!.test.filter((t) => t.label === 0)) {
        const v = vec(features(im.image));
        let best: SyntheticCategory = SYNTHETIC_CATEGORIES[0];
        for (const c of SYNTHETIC_CATEGORIES) if (dist(v, centroids.get(c)!) < dist(v, centroids.get(best)!)) best = c;
        expect(best).toBe(category);
      }
    }
  });

  it('washer: foreground mask covers the ring only, centred with slight jitter', () => {
    for (let s = 0; s < 5; s++) {
      const { image, foreground } = generateWasher({ width: SIZE, height: SIZE, seed: s });
      const frac = maskCount(foreground) / N;
      // ring between radii ~18 and ~44 px: π(44² − 18²)/128² ≈ 0.31
      expect(frac).toBeGreaterThan(0.25);
      expect(frac).toBeLessThan(0.37);
      const at = (x: number, y: number) => foreground.data[y * SIZE + x];
      expect(at(64, 64)).toBe(0); // the hole
      expect(at(64, 64 - 30)).toBe(1); // on the ring
      expect(at(3, 3)).toBe(0); // backdrop
      expect(image.data.length).toBe(N * 3);
    }
  });
});

// ------------------------------------------------------------------------------------------------
// defects
// ------------------------------------------------------------------------------------------------

describe('defects', () => {
  it('obey the mask contract, stay in the default area range and are deterministic — every kind × category', () => {
    const areas: Record<string, number[]> = {};
    for (const category of SYNTHETIC_CATEGORIES) {
      for (const kind of DEFECT_KINDS) {
        for (let s = 0; s < 3; s++) {
          const base = generateNormalSample(category, SIZE, hashSeed('base', s));
          const seed = hashSeed(category, kind, s);
          const out = paintDefect(kind, base.image, seed, { region: base.foreground });
          const label = `${category}/${kind}/${s}`;
          expect(out.kind).toBe(kind);
          expect(out.image.channels).toBe(3);
          const count = maskCount(out.mask);
          expect(count, label).toBeGreaterThan(0);
          expect(out.area).toBeCloseTo(count / N, 12);
          expect(out.area, label).toBeGreaterThanOrEqual(0.005);
          expect(out.area, label).toBeLessThanOrEqual(0.03);
          checkContract(base.image, out.image, out.mask);
          if (base.foreground) {
            let offObject = 0;
            for (let i = 0; i < N; i++) if (out.mask.data[i] && !base.foreground.data[i]) offObject++;
            expect(offObject, label).toBe(0);
          }
          // the input is never modified
          expect(sameBytes(base.image.data, generateNormalSample(category, SIZE, hashSeed('base', s)).image.data)).toBe(true);
          // same seed, same bytes; other seed, other defect
          const again = paintDefect(kind, base.image, seed, { region: base.foreground });
          expect(sameBytes(again.image.data, out.image.data)).toBe(true);
          expect(sameBytes(again.mask.data, out.mask.data)).toBe(true);
          const other = paintDefect(kind, base.image, seed + 1, { region: base.foreground });
          expect(sameBytes(other.mask.data, out.mask.data)).toBe(false);
          (areas[kind] ??= []).push(out.area);
        }
      }
    }
    for (const kind of DEFECT_KINDS) {
      const a = areas[kind];
      console.log(`${kind.padEnd(14)} mask area ${(Math.min(...a) * 100).toFixed(2)}–${(Math.max(...a) * 100).toFixed(2)} % (mean ${(meanOf(a) * 100).toFixed(2)} %)`);
    }
  });

  it('honour a custom area range and epsilon', () => {
    const base = generateNormalSample('wood', SIZE, 3).image;
    for (const kind of DEFECT_KINDS) {
      for (let s = 0; s < 3; s++) {
        const out = paintDefect(kind, base, s, { area: [0.03, 0.06], epsilon: 20 });
        expect(out.area, `${kind}/${s}`).toBeGreaterThanOrEqual(0.03);
        expect(out.area, `${kind}/${s}`).toBeLessThanOrEqual(0.06);
        checkContract(base, out.image, out.mask, 20);
      }
    }
    const tiny = scratch(base, 1, { area: [0.001, 0.002] });
    expect(tiny.area).toBeGreaterThanOrEqual(0.001);
    expect(tiny.area).toBeLessThanOrEqual(0.002);
  });

  it('a shared generator advances: two draws from one Rng give two different defects', () => {
    const base = generateNormalSample('metal', SIZE, 1).image;
    const rng = createRng(99);
    const a = scratch(base, rng);
    const b = scratch(base, rng);
    expect(sameBytes(a.mask.data, b.mask.data)).toBe(false);
  });

  it('cutPaste moves real content: the pasted rectangle holds the source rectangle’s pixels', () => {
    for (const category of ['fabric', 'wood', 'tile'] as const) {
      for (let s = 0; s < 4; s++) {
        const base = generateNormalSample(category, SIZE, s).image;
        const out = cutPaste(base, s, { rotateProbability: 0 });
        const { source, target, rotation } = out.placement;
        expect(rotation).toBeNull();
        expect(out.placement.fromOtherImage).toBe(false);
        // the cut and the paste do not overlap
        const overlap = Math.abs(source.x - target.x) < source.width && Math.abs(source.y - target.y) < source.height;
        expect(overlap).toBe(false);
        let inRect = 0;
        let maskedOutside = 0;
        let notExact = 0;
        let leftButFar = 0;
        for (let y = 0; y < SIZE; y++) {
          for (let x = 0; x < SIZE; x++) {
            const i = y * SIZE + x;
            const inside = x >= target.x && x < target.x + source.width && y >= target.y && y < target.y + source.height;
            if (!inside) {
              if (out.mask.data[i]) maskedOutside++;
              continue;
            }
            const j = (y - target.y + source.y) * SIZE + (x - target.x + source.x);
            const d = Math.max(...[0, 1, 2].map((c) => Math.abs(out.image.data[i * 3 + c] - base.data[j * 3 + c])));
            // pasted pixels are exact copies; pixels the paste barely changed were left as they were
            if (out.mask.data[i]) {
              inRect++;
              if (d !== 0) notExact++;
            } else if (d > DEFAULT_CHANGE_EPSILON) leftButFar++;
          }
        }
        expect(maskedOutside).toBe(0);
        expect(notExact).toBe(0);
        expect(leftButFar).toBe(0);
        expect(inRect).toBe(maskCount(out.mask));
        expect(inRect).toBeGreaterThan(0);
      }
    }
  });

  it('cutPaste from another image / rotated copies only source pixels', () => {
    const base = generateNormalSample('wood', SIZE, 1).image;
    const donor = generateNormalSample('tile', SIZE, 2).image;
    const out = cutPaste(base, 5, { source: donor, rotateProbability: 1 });
    expect(out.placement.fromOtherImage).toBe(true);
    expect(out.placement.rotation).not.toBeNull();
    const { source } = out.placement;
    const palette = new Set<number>();
    for (let y = source.y; y < source.y + source.height; y++) {
      for (let x = source.x; x < source.x + source.width; x++) {
        const j = (y * SIZE + x) * 3;
        palette.add((donor.data[j] << 16) | (donor.data[j + 1] << 8) | donor.data[j + 2]);
      }
    }
    let n = 0;
    for (let i = 0; i < N; i++) {
      if (!out.mask.data[i]) continue;
      n++;
      const v = (out.image.data[i * 3] << 16) | (out.image.data[i * 3 + 1] << 8) | out.image.data[i * 3 + 2];
      expect(palette.has(v)).toBe(true);
    }
    expect(n).toBeGreaterThan(0);
    checkContract(base, out.image, out.mask);
  });

  it('perlinTexture reports β in range and accepts a given foreign texture', () => {
    const base = generateNormalSample('metal', SIZE, 4).image;
    for (let s = 0; s < 5; s++) {
      const out = perlinTexture(base, s, { beta: [0.5, 0.9] });
      expect(out.beta).toBeGreaterThanOrEqual(0.5);
      expect(out.beta).toBeLessThan(0.9);
    }
    const tex: RawImage = { width: SIZE, height: SIZE, channels: 3, data: new Uint8Array(N * 3).fill(0) };
    const out = perlinTexture(base, 3, { texture: tex, beta: [0.9, 0.95] });
    // blending toward black at β ≥ 0.9 leaves at most 10 % of the original brightness
    for (let i = 0; i < N; i++) {
      if (out.mask.data[i]) expect(out.image.data[i * 3]).toBeLessThanOrEqual(Math.ceil(base.data[i * 3] * (1 - out.beta)) + 1);
    }
  });

  it('accept grey, RGBA and float images (converted to RGB uint8 first)', () => {
    const rgb = generateNormalSample('fabric', 64, 1).image;
    const grey: RawImage = { width: 64, height: 64, channels: 1, data: Uint8Array.from({ length: 64 * 64 }, (_, i) => rgb.data[i * 3]) };
    const g = scratch(grey, 1);
    expect(g.image.channels).toBe(3);
    expect(g.area).toBeGreaterThan(0);
    const rgba: RawImage = { width: 64, height: 64, channels: 4, data: new Uint8Array(64 * 64 * 4) };
    for (let i = 0; i < 64 * 64; i++) for (let c = 0; c < 4; c++) rgba.data[i * 4 + c] = c < 3 ? rgb.data[i * 3 + c] : 255;
    const fl: RawImage = { width: 64, height: 64, channels: 3, data: Float32Array.from(rgb.data) };
    // all three encodings of the same picture give the same defect
    const a = scratch(rgb, 9);
    expect(sameBytes(scratch(rgba, 9).image.data, a.image.data)).toBe(true);
    expect(sameBytes(scratch(fl, 9).image.data, a.image.data)).toBe(true);
  });

  it('reject bad input with DanflowError', () => {
    const base = generateNormalSample('tile', 64, 1).image;
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return isDanflowError(e) ? e.code : 'not a DanflowError';
      }
      return undefined;
    };
    expect(code(() => scratch({ ...base, channels: 2 }, 1))).toBe('BAD_IMAGE');
    expect(code(() => scratch({ ...base, data: base.data.subarray(1) }, 1))).toBe('BAD_IMAGE');
    expect(code(() => scratch(base, 1, { area: [0.1, 0.05] }))).toBe('BAD_ARGUMENT');
    expect(code(() => scratch(base, 1, { area: [0, 0.05] }))).toBe('BAD_ARGUMENT');
    expect(code(() => scratch(base, Number.NaN))).toBe('BAD_ARGUMENT');
    expect(code(() => scratch(base, 1, { region: { width: 64, height: 64, data: new Uint8Array(64 * 64) } }))).toBe('BAD_ARGUMENT');
    expect(code(() => perlinTexture(base, 1, { beta: [0, 0.5] }))).toBe('BAD_ARGUMENT');
    expect(code(() => paintDefect('dent' as DefectKind, base, 1))).toBe('BAD_ARGUMENT');
    expect(code(() => generateSyntheticDataset({ category: 'glass' as SyntheticCategory }))).toBe('BAD_ARGUMENT');
    expect(code(() => generateSyntheticDataset({ category: 'wood', size: 16 }))).toBe('BAD_ARGUMENT');
    expect(code(() => generateSyntheticDataset({ category: 'wood', trainCount: -1 }))).toBe('BAD_ARGUMENT');
    expect(code(() => paintSyntheticAnomaly(base, { seed: 1, kinds: [] }))).toBe('BAD_ARGUMENT');
  });
});

// ------------------------------------------------------------------------------------------------
// datasets
// ------------------------------------------------------------------------------------------------

describe('generateSyntheticDataset', () => {
  it('has the MVTec-like layout with the default counts', () => {
    for (const category of SYNTHETIC_CATEGORIES) {
      const ds = datasets.get(category)!;
      expect(ds.category).toBe(category);
      expect(ds.size).toBe(128);
      expect(ds.defectTypes).toEqual(SYNTHETIC_DEFECT_TYPES[category]);
      expect(ds.train).toHaveLength(40);
      expect(ds.test).toHaveLength(30);
      const good = ds.test.filter((t) => t.label === 0);
      const bad = ds.test.filter((t) => t.label === 1);
      expect(good).toHaveLength(10);
      expect(bad).toHaveLength(20);
      for (const t of good) {
        expect(t.defectType).toBe('good');
        expect(maskCount(t.mask)).toBe(0);
      }
      // spread evenly over the category's defect types (20 over 4 → 5 each)
      for (const kind of ds.defectTypes) expect(bad.filter((t) => t.defectType === kind)).toHaveLength(20 / ds.defectTypes.length);
      for (const t of bad) {
        expect(maskCount(t.mask)).toBeGreaterThan(0);
        expect(t.name).toMatch(new RegExp(`^${t.defectType}/\\d{3}$`));
      }
      expect(new Set(ds.test.map((t) => t.name)).size).toBe(30);
      for (const im of [...ds.train, ...ds.test.map((t) => t.image)]) {
        expect([im.width, im.height, im.channels, im.data.length]).toEqual([128, 128, 3, 128 * 128 * 3]);
      }
    }
  });

  it('is byte-identical for the same seed and different for another seed', () => {
    for (const category of SYNTHETIC_CATEGORIES) {
      const opts = { category, trainCount: 3, testGoodCount: 2, testDefectCount: 4, size: 64 };
      const a = generateSyntheticDataset({ ...opts, seed: 1 });
      const b = generateSyntheticDataset({ ...opts, seed: 1 });
      const c = generateSyntheticDataset({ ...opts, seed: 2 });
      a.train.forEach((im, k) => expect(sameBytes(im.data, b.train[k].data)).toBe(true));
      a.test.forEach((t, k) => {
        expect(sameBytes(t.image.data, b.test[k].image.data)).toBe(true);
        expect(sameBytes(t.mask.data, b.test[k].mask.data)).toBe(true);
        expect(t.name).toBe(b.test[k].name);
      });
      a.train.forEach((im, k) => expect(sameBytes(im.data, c.train[k].data)).toBe(false));
      a.test.forEach((t, k) => expect(sameBytes(t.image.data, c.test[k].image.data)).toBe(false));
      a.test.filter((t) => t.label === 1).forEach((t, k) => expect(sameBytes(t.mask.data, c.test.filter((u) => u.label === 1)[k].mask.data)).toBe(false));
      // a sub-seed per image: more training images never change the test set
      const d = generateSyntheticDataset({ ...opts, trainCount: 5, seed: 1 });
      a.test.forEach((t, k) => expect(sameBytes(t.image.data, d.test[k].image.data)).toBe(true));
    }
  });

  it('generates the default dataset (70 images of 128×128) quickly', () => {
    let total = 0;
    for (const category of SYNTHETIC_CATEGORIES) {
      const ms = timings.get(category)!;
      total += ms;
      console.log(`generateSyntheticDataset(${category}): ${ms.toFixed(0)} ms for 70 images`);
      expect(ms).toBeLessThan(20_000);
    }
    console.log(`all ${SYNTHETIC_CATEGORIES.length} categories: ${total.toFixed(0)} ms`);
  });
});

describe('paintSyntheticAnomaly', () => {
  it('is deterministic, draws from the given kinds, and covers all kinds by default', () => {
    const { image, foreground } = generateNormalSample('washer', SIZE, 3);
    const a = paintSyntheticAnomaly(image, { seed: 4, region: foreground });
    const b = paintSyntheticAnomaly(image, { seed: 4, region: foreground });
    expect(sameBytes(a.image.data, b.image.data)).toBe(true);
    expect(sameBytes(a.mask.data, b.mask.data)).toBe(true);
    checkContract(image, a.image, a.mask);
    const seen = new Set<DefectKind>();
    for (let s = 0; s < 40; s++) seen.add(paintSyntheticAnomaly(image, { seed: s, region: foreground, area: [0.005, 0.01] }).kind);
    expect([...seen].sort()).toEqual([...DEFECT_KINDS].sort());
    for (let s = 0; s < 10; s++) {
      const out = paintSyntheticAnomaly(image, { seed: s, kinds: ['perlinTexture', 'cutPaste'] });
      expect(['perlinTexture', 'cutPaste']).toContain(out.kind);
      expect(maskCount(out.mask)).toBeGreaterThan(0);
    }
  });
});

// ------------------------------------------------------------------------------------------------
// visual check
// ------------------------------------------------------------------------------------------------

describe('visual grid', () => {
  it(`writes ${GRID_PATH}`, async () => {
    // Per category two rows: images, then the same with the mask tinted red. Columns: two normal
    // training images, one test defect of each of the category's types, then the two validation
    // kinds (perlinTexture, cutPaste) from paintSyntheticAnomaly.
    const cols = 2 + 4 + 2;
    const W = cols * SIZE;
    const H = SYNTHETIC_CATEGORIES.length * 2 * SIZE;
    const grid = new Uint8Array(W * H * 3);
    const blit = (img: RawImage, row: number, col: number, mask?: BinaryMask): void => {
      for (let y = 0; y < SIZE; y++) {
        for (let x = 0; x < SIZE; x++) {
          const s = (y * SIZE + x) * 3;
          const d = ((row * SIZE + y) * W + col * SIZE + x) * 3;
          const hit = mask?.data[y * SIZE + x] === 1;
          grid[d] = hit ? 255 : img.data[s];
          grid[d + 1] = hit ? (img.data[s + 1] >> 2) : img.data[s + 1];
          grid[d + 2] = hit ? (img.data[s + 2] >> 2) : img.data[s + 2];
        }
      }
    };
    const empty: BinaryMask = { width: SIZE, height: SIZE, data: new Uint8Array(N) };
    SYNTHETIC_CATEGORIES.forEach((category, r) => {
      const ds = datasets.get(category)!;
      const cells: { image: RawImage; mask: BinaryMask }[] = [
        { image: ds.train[0], mask: empty },
        { image: ds.train[1], mask: empty },
      ];
      for (const kind of ds.defectTypes) cells.push(ds.test.find((t) => t.defectType === kind)!);
      const base = generateNormalSample(category, SIZE, 1234);
      for (const kind of ['perlinTexture', 'cutPaste'] as const) {
        cells.push(paintSyntheticAnomaly(base.image, { seed: `${category}/${kind}`, kinds: [kind], region: base.foreground }));
      }
      cells.forEach((c, k) => {
        blit(c.image, 2 * r, k);
        blit(c.image, 2 * r + 1, k, c.mask);
      });
    });
    await sharp(Buffer.from(grid), { raw: { width: W, height: H, channels: 3 } }).png().toFile(GRID_PATH);
    console.log(`wrote ${GRID_PATH} (${W}×${H})`);
  });
});
