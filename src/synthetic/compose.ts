/**
 * The one contract every defect shares, enforced in one place:
 *
 *   mask[i] = 1  ⇔  some channel of pixel i differs from the input by more than `epsilon`
 *                   (and i lies inside the optional placement region);
 *   every pixel with mask 0 is byte-identical to the input.
 *
 * Painters render into a float copy; `finalize` quantises it, measures the change per pixel, keeps
 * the meaningful changes and restores everything else exactly. Faint anti-aliasing fringes below
 * epsilon are therefore dropped rather than labelled, so the mask never marks an invisible change.
 *
 * `paintToArea` then re-renders a painter at a scaled size until the mask area lands inside the
 * requested fraction range, so "0.5–3 % of the image" holds for the mask actually returned.
 */
import { DanflowError } from '../core/errors.js';
import type { BinaryMask, RawImage } from '../core/types.js';
import { checkMask, toByte } from './raster.js';
import { createRng, type Rng } from '../core/prng.js';

/** Default defect size: fraction of the image's pixels in the mask. */
export const DEFAULT_DEFECT_AREA: readonly [number, number] = [0.005, 0.03];
/** Default per-channel change (0..255) above which a pixel counts as defective. */
export const DEFAULT_CHANGE_EPSILON = 8;

export interface PaintContext {
  /** The input as RGB uint8 (a private copy). */
  base: RawImage & { data: Uint8Array };
  width: number;
  height: number;
  /** Where defects may go (1) — e.g. an object's foreground; null = anywhere. */
  region: Uint8Array | null;
  /** Pixel indices of the region, for sampling defect centres; null = whole image. */
  regionIndex: Int32Array | null;
}

/** A painter's output: the float RGB render plus whatever it wants to report (e.g. cut-paste placement). */
export interface Painted<M> {
  painted: Float32Array;
  meta: M;
}

/** Renders one defect aiming at `targetPixels` changed pixels; must draw from `rng` in a size-independent order. */
export type Painter<M> = (ctx: PaintContext, rng: Rng, targetPixels: number) => Painted<M>;

export interface Finalized<M> {
  image: RawImage;
  mask: BinaryMask;
  /** Number of mask pixels. */
  pixels: number;
  meta: M;
}

export function makeContext(base: RawImage & { data: Uint8Array }, region?: BinaryMask): PaintContext {
  const { width, height } = base;
  if (!region) return { base, width, height, region: null, regionIndex: null };
  checkMask(region, width, height, 'Defect region');
  const idx: number[] = [];
  for (let i = 0; i < region.data.length; i++) if (region.data[i]) idx.push(i);
  if (idx.length === 0) throw new DanflowError('BAD_ARGUMENT', 'Defect region is empty: there is nowhere to paint.');
  return { base, width, height, region: region.data, regionIndex: Int32Array.from(idx) };
}

/** A float copy of the input for a painter to draw on. */
export function startPainting(ctx: PaintContext): Float32Array {
  return Float32Array.from(ctx.base.data);
}

/**
 * A defect centre: a uniform region pixel, or (without a region) a uniform point that keeps
 * `margin` (fraction of the size) from the borders so the defect is mostly inside the image.
 */
export function samplePoint(ctx: PaintContext, rng: Rng, margin = 0.15): [number, number] {
  if (ctx.regionIndex) {
    const i = ctx.regionIndex[rng.int(0, ctx.regionIndex.length)];
    return [i % ctx.width, Math.floor(i / ctx.width)];
  }
  return [
    rng.range(margin * ctx.width, (1 - margin) * ctx.width),
    rng.range(margin * ctx.height, (1 - margin) * ctx.height),
  ];
}

export function finalize<M>(ctx: PaintContext, out: Painted<M>, epsilon: number): Finalized<M> {
  const { width, height, region } = ctx;
  const base = ctx.base.data;
  const src = out.painted;
  const n = width * height;
  const data = new Uint8Array(n * 3);
  const mask = new Uint8Array(n);
  let pixels = 0;
  for (let i = 0; i < n; i++) {
    const o = i * 3;
    const r = toByte(src[o]);
    const g = toByte(src[o + 1]);
    const b = toByte(src[o + 2]);
    const diff = Math.max(Math.abs(r - base[o]), Math.abs(g - base[o + 1]), Math.abs(b - base[o + 2]));
    if (diff > epsilon && (region === null || region[i] !== 0)) {
      data[o] = r;
      data[o + 1] = g;
      data[o + 2] = b;
      mask[i] = 1;
      pixels++;
    } else {
      data[o] = base[o];
      data[o + 1] = base[o + 1];
      data[o + 2] = base[o + 2];
    }
  }
  return { image: { width, height, channels: 3, data }, mask: { width, height, data: mask }, pixels, meta: out.meta };
}

const GEOMETRIES = 4; // fresh random shapes tried before giving up on the range
const RESIZES = 6; // size corrections per shape

/**
 * Paints with `painter`, targeting a random area in `range` (fractions of the image), and returns
 * the first render whose mask area falls inside the range. Each shape is re-rendered from the same
 * sub-seed with its requested size scaled by target/achieved (a fixed-point iteration — the mask
 * grows sub-linearly when parts fall under epsilon or outside the image/region). If no render lands
 * in range (e.g. a nearly flat image where little can change visibly), the closest one is returned;
 * an empty mask then means nothing could be changed visibly.
 */
export function paintToArea<M>(ctx: PaintContext, rng: Rng, painter: Painter<M>, range: readonly [number, number], epsilon: number): Finalized<M> {
  const n = ctx.width * ctx.height;
  const lo = Math.max(1, Math.ceil(range[0] * n));
  const hi = Math.max(lo, Math.floor(range[1] * n));
  const target = Math.min(hi, Math.max(lo, Math.round(rng.range(range[0], range[1]) * n)));
  let best: Finalized<M> | null = null;
  let bestErr = Infinity;
  for (let g = 0; g < GEOMETRIES; g++) {
    const shapeSeed = rng.uint32();
    let request = target;
    for (let k = 0; k < RESIZES; k++) {
      const out = finalize(ctx, painter(ctx, createRng(shapeSeed), request), epsilon);
      if (out.pixels >= lo && out.pixels <= hi) return out;
      const err = out.pixels === 0 ? Infinity : Math.max(out.pixels / target, target / out.pixels);
      if (best === null || err < bestErr) {
        best = out;
        bestErr = err;
      }
      const factor = out.pixels === 0 ? 3 : target / out.pixels;
      request *= factor < 0.3 ? 0.3 : factor > 3 ? 3 : factor;
    }
  }
  return best as Finalized<M>;
}

export function checkAreaRange(range: readonly [number, number] | undefined, n: number): readonly [number, number] {
  const r = range ?? DEFAULT_DEFECT_AREA;
  if (!Array.isArray(r) || r.length !== 2 || !(r[0] > 0) || !(r[1] >= r[0]) || !(r[1] < 1)) {
    throw new DanflowError('BAD_ARGUMENT', `Defect area range ${JSON.stringify(r)} is invalid; expected [min, max] with 0 < min ≤ max < 1 (fractions of the image).`);
  }
  if (r[1] * n < 1) {
    throw new DanflowError('BAD_ARGUMENT', `Defect area range ${JSON.stringify(r)} is under one pixel of a ${n}-pixel image.`);
  }
  return r;
}
