/**
 * Public defect painters. Each takes an image (converted to RGB uint8), a seeded generator (or a
 * seed) and options, and returns the defective image with its exact mask.
 *
 * Mask contract (all kinds, enforced in compose.ts): mask = 1 exactly where some channel changed
 * by more than `epsilon` (default 8 of 255) — and, with a `region`, only inside it; every pixel
 * outside the mask is byte-identical to the (RGB-converted) input. The mask area (fraction of the
 * image) lands in `area` (default 0.5–3 %) unless the image leaves too little that can visibly change.
 */
import { DanflowError } from '../core/errors.js';
import type { BinaryMask, RawImage } from '../core/types.js';
import { paintHole, paintStain } from './blobs.js';
import { checkAreaRange, DEFAULT_CHANGE_EPSILON, makeContext, paintToArea, type Painter } from './compose.js';
import { makeCutPastePainter, type CutPastePlacement } from './cutpaste.js';
import { makeDraemPainter } from './draem.js';
import { toRgb8 } from '../image/pixels.js';
import { toRng, type Rng, type Seed } from '../core/prng.js';
import { paintCrack, paintScratch } from './strokes.js';

export const DEFECT_KINDS = ['scratch', 'hole', 'stain', 'crack', 'perlinTexture', 'cutPaste'] as const;
export type DefectKind = (typeof DEFECT_KINDS)[number];

export interface DefectOptions {
  /** [min, max] mask area as a fraction of the image (default [0.005, 0.03]). */
  area?: readonly [number, number];
  /** Where the defect may go (1 = allowed), e.g. an object's foreground; default anywhere. */
  region?: BinaryMask;
  /** Per-channel change (0..255) above which a pixel is part of the defect (default 8). */
  epsilon?: number;
}

export interface PerlinTextureOptions extends DefectOptions {
  /** Range of the foreign texture's opacity β (default [0.1, 1)). */
  beta?: readonly [number, number];
  /** Foreign texture to blend in (same size as the image); default a synthesised one. */
  texture?: RawImage;
}

export interface CutPasteOptions extends DefectOptions {
  /** Image to cut the patch from (default the image itself). */
  source?: RawImage;
  /** Probability that the patch is rotated by a random angle (default 0.5). */
  rotateProbability?: number;
}

export type AnyDefectOptions = PerlinTextureOptions & CutPasteOptions;

export interface DefectResult {
  kind: DefectKind;
  image: RawImage;
  mask: BinaryMask;
  /** Mask pixels as a fraction of the image. */
  area: number;
}

export interface PerlinTextureResult extends DefectResult {
  kind: 'perlinTexture';
  /** The opacity used. */
  beta: number;
}

export interface CutPasteResult extends DefectResult {
  kind: 'cutPaste';
  placement: CutPastePlacement;
}

function run<M>(kind: DefectKind, image: RawImage, rngOrSeed: Rng | Seed, options: DefectOptions, painter: Painter<M>): DefectResult & { meta: M } {
  const base = toRgb8(image, `${kind} input`) as RawImage & { data: Uint8Array };
  const n = base.width * base.height;
  const range = checkAreaRange(options.area, n);
  const epsilon = options.epsilon ?? DEFAULT_CHANGE_EPSILON;
  if (!(epsilon >= 0 && epsilon < 255)) throw new DanflowError('BAD_ARGUMENT', `Defect epsilon ${epsilon} must be in [0, 255).`);
  const ctx = makeContext(base, options.region);
  const out = paintToArea(ctx, toRng(rngOrSeed), painter, range, epsilon);
  return { kind, image: out.image, mask: out.mask, area: out.pixels / n, meta: out.meta };
}

function plain(kind: DefectKind, image: RawImage, rng: Rng | Seed, options: DefectOptions, painter: Painter<undefined>): DefectResult {
  const { meta: _meta, ...result } = run(kind, image, rng, options, painter);
  return result;
}

/** Thin curved line (cubic Bézier, 1–3 px), bright or dark. */
export function scratch(image: RawImage, rng: Rng | Seed, options: DefectOptions = {}): DefectResult {
  return plain('scratch', image, rng, options, paintScratch);
}

/** Dark wobbly ellipse with a soft rim and a faint raised lip. */
export function hole(image: RawImage, rng: Rng | Seed, options: DefectOptions = {}): DefectResult {
  return plain('hole', image, rng, options, paintHole);
}

/** Irregular noise blob tinted with a stain colour (oil, rust, grime, ink, …). */
export function stain(image: RawImage, rng: Rng | Seed, options: DefectOptions = {}): DefectResult {
  return plain('stain', image, rng, options, paintStain);
}

/** Dark jagged polyline with side branches. */
export function crack(image: RawImage, rng: Rng | Seed, options: DefectOptions = {}): DefectResult {
  return plain('crack', image, rng, options, paintCrack);
}

/** DRAEM-style: a Perlin-thresholded region blended with a foreign texture at opacity β. */
export function perlinTexture(image: RawImage, rng: Rng | Seed, options: PerlinTextureOptions = {}): PerlinTextureResult {
  const beta = options.beta ?? [0.1, 1];
  if (!Array.isArray(beta) || beta.length !== 2 || !(beta[0] > 0) || !(beta[1] >= beta[0]) || !(beta[1] <= 1)) {
    throw new DanflowError('BAD_ARGUMENT', `perlinTexture: beta ${JSON.stringify(beta)} must be [min, max] with 0 < min ≤ max ≤ 1.`);
  }
  const texture = options.texture ? toRgb8(options.texture, 'perlinTexture texture') : null;
  const { meta, ...result } = run('perlinTexture', image, rng, options, makeDraemPainter({ beta, texture }));
  return { ...result, kind: 'perlinTexture', beta: meta.beta };
}

/** CutPaste: a patch of this (or another) image pasted elsewhere, maybe rotated; pixels copied exactly. */
export function cutPaste(image: RawImage, rng: Rng | Seed, options: CutPasteOptions = {}): CutPasteResult {
  const p = options.rotateProbability ?? 0.5;
  if (!(p >= 0 && p <= 1)) throw new DanflowError('BAD_ARGUMENT', `cutPaste: rotateProbability ${p} must be in [0, 1].`);
  const source = options.source ? (toRgb8(options.source, 'cutPaste source') as RawImage & { data: Uint8Array }) : null;
  const { meta, ...result } = run('cutPaste', image, rng, options, makeCutPastePainter({ source, rotateProbability: p }));
  return { ...result, kind: 'cutPaste', placement: meta };
}

/** Paints one defect of the given kind (options of other kinds are ignored). */
export function paintDefect(kind: DefectKind, image: RawImage, rng: Rng | Seed, options: AnyDefectOptions = {}): DefectResult {
  switch (kind) {
    case 'scratch':
      return scratch(image, rng, options);
    case 'hole':
      return hole(image, rng, options);
    case 'stain':
      return stain(image, rng, options);
    case 'crack':
      return crack(image, rng, options);
    case 'perlinTexture':
      return perlinTexture(image, rng, options);
    case 'cutPaste':
      return cutPaste(image, rng, options);
    default:
      throw new DanflowError('BAD_ARGUMENT', `Unknown defect kind "${String(kind)}"; expected one of ${DEFECT_KINDS.join(', ')}.`);
  }
}
