/**
 * Heatmap colouring: the Turbo colormap (Google, 2019; a perceptually smoother jet) as a 256-entry
 * lookup table built from its published polynomial approximation, plus classic jet, and the
 * normalisation that maps anomaly values to [0, 1] with one range for a whole test set (so colours
 * are comparable between images, as in the paper's figures).
 */
import type { RawImage, ScoreMap } from '../core/types.js';

export type ColormapName = 'turbo' | 'jet';

const clamp01 = (v: number): number => (v <= 0 || Number.isNaN(v) ? 0 : v >= 1 ? 1 : v);

/** Turbo by Anton Mikhailov's degree-5 polynomial fit (max error about 1/255 against the LUT). */
function turboRgb(t: number): [number, number, number] {
  const r = 0.13572138 + t * (4.6153926 + t * (-42.66032258 + t * (132.13108234 + t * (-152.94239396 + t * 59.28637943))));
  const g = 0.09140261 + t * (2.19418839 + t * (4.84296658 + t * (-14.18503333 + t * (4.27729857 + t * 2.82956604))));
  const b = 0.1066733 + t * (12.64194608 + t * (-60.58204836 + t * (110.36276771 + t * (-89.90310912 + t * 27.34824973))));
  return [clamp01(r), clamp01(g), clamp01(b)];
}

/** Jet as OpenCV's COLORMAP_JET / matplotlib 'jet': dark blue → blue → cyan → yellow → red → dark red. */
function jetRgb(t: number): [number, number, number] {
  const f = (x: number) => clamp01(1.5 - Math.abs(4 * t - x));
  return [f(3), f(2), f(1)];
}

const luts = new Map<ColormapName, Uint8Array>();

/** 256 RGB triples (768 bytes) for the colormap; entry i is the colour of t = i / 255. */
export function colormapLut(name: ColormapName = 'turbo'): Uint8Array {
  let lut = luts.get(name);
  if (!lut) {
    lut = new Uint8Array(256 * 3);
    const fn = name === 'jet' ? jetRgb : turboRgb;
    for (let i = 0; i < 256; i++) {
      const [r, g, b] = fn(i / 255);
      lut[i * 3] = Math.round(r * 255);
      lut[i * 3 + 1] = Math.round(g * 255);
      lut[i * 3 + 2] = Math.round(b * 255);
    }
    luts.set(name, lut);
  }
  return lut;
}

/** The colour of t (clamped to [0, 1]; NaN counts as 0) as 0..255 RGB. */
export function colormap(t: number, name: ColormapName = 'turbo'): [number, number, number] {
  const lut = colormapLut(name);
  const i = Math.round(clamp01(t) * 255) * 3;
  return [lut[i], lut[i + 1], lut[i + 2]];
}

/** A value range [lo, hi] used to map anomaly values to [0, 1]. */
export interface NormRange {
  lo: number;
  hi: number;
}

export interface RangeOptions {
  /**
   * Quantiles of all pixel values used as the ends of the range, e.g. [0.01, 0.999]: a few extreme
   * pixels (image borders) then do not wash out every other heatmap. Default [0, 1] = min … max.
   */
  quantiles?: readonly [number, number];
  /** At most this many pixels are sampled (evenly strided) to estimate quantiles. Default 1,000,000. */
  sample?: number;
}

/**
 * The range of a set of maps: min … max over every pixel of every map (NaN ignored), or the given
 * quantiles. A constant set gets a tiny positive width so normalising never divides by zero.
 */
export function mapRange(maps: Iterable<ScoreMap | ArrayLike<number>>, options: RangeOptions = {}): NormRange {
  const arrays: ArrayLike<number>[] = [];
  let total = 0;
  for (const m of maps) {
    const d = 'data' in m && !ArrayBuffer.isView(m) ? (m as ScoreMap).data : (m as ArrayLike<number>);
    arrays.push(d);
    total += d.length;
  }
  const [qlo, qhi] = options.quantiles ?? [0, 1];
  let lo = Infinity;
  let hi = -Infinity;
  if (qlo <= 0 && qhi >= 1) {
    for (const d of arrays)
      for (let i = 0; i < d.length; i++) {
        const v = d[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
  } else if (total > 0) {
    const stride = Math.max(1, Math.ceil(total / (options.sample ?? 1_000_000)));
    const picked = new Float64Array(Math.ceil(total / stride));
    let n = 0;
    let k = 0;
    for (const d of arrays)
      for (let i = 0; i < d.length; i++, k++) {
        if (k % stride === 0 && !Number.isNaN(d[i])) picked[n++] = d[i];
      }
    const sorted = picked.subarray(0, n).sort();
    const at = (q: number) => sorted[Math.min(n - 1, Math.max(0, Math.round(q * (n - 1))))];
    if (n > 0) {
      lo = at(qlo);
      hi = at(qhi);
    }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { lo: 0, hi: 1 };
  if (hi <= lo) hi = lo + 1e-6;
  return { lo, hi };
}

/** Colours a map (values normalised with `range`) into an RGB image. */
export function colorizeMap(map: ScoreMap, range: NormRange, name: ColormapName = 'turbo'): RawImage {
  const lut = colormapLut(name);
  const n = map.width * map.height;
  const out = new Uint8Array(n * 3);
  const scale = 255 / (range.hi - range.lo);
  for (let i = 0; i < n; i++) {
    let k = Math.round((map.data[i] - range.lo) * scale);
    k = k > 0 ? (k < 255 ? k : 255) : 0; // also maps NaN to 0
    out[i * 3] = lut[k * 3];
    out[i * 3 + 1] = lut[k * 3 + 1];
    out[i * 3 + 2] = lut[k * 3 + 2];
  }
  return { data: out, width: map.width, height: map.height, channels: 3 };
}

/** CSS `linear-gradient` stops of the colormap, for legends in HTML. */
export function colormapCssGradient(name: ColormapName = 'turbo', stops = 11): string {
  const parts: string[] = [];
  for (let i = 0; i < stops; i++) {
    const t = i / (stops - 1);
    const [r, g, b] = colormap(t, name);
    parts.push(`rgb(${r},${g},${b}) ${Math.round(t * 100)}%`);
  }
  return `linear-gradient(90deg, ${parts.join(', ')})`;
}
