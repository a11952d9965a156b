/**
 * Procedural "industrial" surface textures, one generator per category. Each call draws its own
 * jitter (phase, small rotation, colour, lighting) from the seed, so samples vary the way photos of
 * one product do while staying clearly one distribution. Feature sizes are defined for a 128 px
 * image and scale with the image, so 128 and 256 px renders show the same physical surface.
 */
import { DanflowError } from '../core/errors.js';
import type { RawImage } from '../core/types.js';
import { bump, clamp, fract, lerp, smoothstep } from './math.js';
import { fbm, perlinNoise2D, valueNoise2D } from './noise.js';
import { checkSize, createFloatImage, jitterRgb, quantize, type FloatImage } from './raster.js';
import { createRng, hashSeed, type Seed } from '../core/prng.js';

export const TEXTURE_KINDS = ['fabric', 'metal', 'wood', 'tile'] as const;
export type TextureKind = (typeof TEXTURE_KINDS)[number];

export interface TextureOptions {
  width: number;
  height: number;
  seed: Seed;
}

/** A small in-plane rotation as (cos, sin) without trigonometry: sin drawn directly, cos = √(1 − sin²). */
function smallRotation(maxSin: number, next: () => number): [number, number] {
  const s = (2 * next() - 1) * maxSin;
  return [Math.sqrt(1 - s * s), s];
}

function put(img: FloatImage, i: number, r: number, g: number, b: number): void {
  img.data[i * 3] = r;
  img.data[i * 3 + 1] = g;
  img.data[i * 3 + 2] = b;
}

/** Plain-weave cloth: alternating over/under warp and weft threads, fibre streaks, uneven dye. */
export function fabricFloat(width: number, height: number, seed: Seed): FloatImage {
  const rng = createRng(hashSeed('fabric', seed));
  const unit = Math.min(width, height) / 128;
  const period = 6 * unit * rng.range(0.97, 1.03);
  const [c, s] = smallRotation(0.035, rng.next);
  const ox = rng.range(0, 64);
  const oy = rng.range(0, 64);
  const warp = jitterRgb([156, 132, 100], rng, 0.04, 0.015);
  const weft = jitterRgb([132, 112, 86], rng, 0.04, 0.015);
  const dye = perlinNoise2D(hashSeed('fabric-dye', seed));
  const fibre = valueNoise2D(hashSeed('fabric-fibre', seed));
  const thread = valueNoise2D(hashSeed('fabric-thread', seed));
  const img = createFloatImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = (c * x - s * y) / period + ox;
      const v = (s * x + c * y) / period + oy;
      const i = Math.floor(u);
      const j = Math.floor(v);
      const fu = u - i;
      const fv = v - j;
      // Plain weave: on a checkerboard of crossings, warp (running along v) and weft alternate on top.
      const warpOnTop = ((i + j) & 1) === 0;
      let col;
      let shade;
      let streak;
      let perThread;
      if (warpOnTop) {
        col = warp;
        shade = bump(fu) * (0.7 + 0.3 * bump(fv)); // round cross-section, raised where it crosses over
        streak = fibre(u * 5, v * 0.7); // fibres run along the thread
        perThread = thread(i, 0.5);
      } else {
        col = weft;
        shade = bump(fv) * (0.7 + 0.3 * bump(fu));
        streak = fibre(u * 0.7 + 100, v * 5);
        perThread = thread(j, 40.5);
      }
      const k =
        (0.42 + 0.58 * shade) *
        (1 + 0.06 * fbm(dye, x / (40 * unit), y / (40 * unit), { octaves: 3 })) *
        (1 + 0.07 * streak) *
        (1 + 0.05 * perThread);
      put(img, y * width + x, col[0] * k, col[1] * k, col[2] * k);
    }
  }
  return img;
}

/** Brushed metal: long anisotropic streaks and hairlines along the brushing direction, soft lighting. */
export function metalFloat(width: number, height: number, seed: Seed): FloatImage {
  const rng = createRng(hashSeed('metal', seed));
  const unit = Math.min(width, height) / 128;
  const base = jitterRgb([150, 153, 158], rng, 0.03, 0.01);
  const [c, s] = smallRotation(0.03, rng.next);
  const [lx, ly] = rng.direction();
  const lightAmp = rng.range(0.07, 0.09);
  const [bx, by] = rng.direction();
  const bandPos = rng.range(-0.2, 0.2);
  const streaks = perlinNoise2D(hashSeed('metal-streaks', seed));
  const hair = valueNoise2D(hashSeed('metal-hair', seed));
  const blotch = perlinNoise2D(hashSeed('metal-blotch', seed));
  const img = createFloatImage(width, height);
  const cx = width / 2;
  const cy = height / 2;
  const diag = Math.sqrt(width * width + height * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = c * x - s * y; // along the brushing
      const v = s * x + c * y; // across it
      const streak = fbm(streaks, u / (60 * unit), v / (1.3 * unit), { octaves: 4 });
      const hairline = hair(u / (22 * unit), v / (0.55 * unit));
      const light = 1 + lightAmp * ((x - cx) * lx + (y - cy) * ly) / (0.5 * diag);
      // A broad specular band across the plate, as from a strip light.
      const d = ((x - cx) * bx + (y - cy) * by) / diag - bandPos;
      const band = 1 + 0.05 * bump(clamp(d / 0.7 + 0.5, 0, 1));
      const k =
        light * band * (1 + 0.1 * streak + 0.06 * hairline) * (1 + 0.02 * blotch(x / (50 * unit), y / (50 * unit)));
      put(img, y * width + x, base[0] * k, base[1] * k, base[2] * k);
    }
  }
  return img;
}

/** Planed wood: growth rings as long stretched arcs (distorted by noise) plus fine pores along the grain. */
export function woodFloat(width: number, height: number, seed: Seed): FloatImage {
  const rng = createRng(hashSeed('wood', seed));
  const unit = Math.min(width, height) / 128;
  const early = jitterRgb([208, 164, 114], rng, 0.04, 0.015);
  const late = jitterRgb([150, 100, 62], rng, 0.04, 0.02);
  const [c, s] = smallRotation(0.04, rng.next);
  // The pith sits far off-image, so rings show as nearly parallel lines with the odd arch.
  const a0 = rng.range(-150, 280) * unit;
  const g0 = rng.range(-300, 420) * unit;
  const spacing = 11 * unit * rng.range(0.93, 1.07);
  const warpNoise = perlinNoise2D(hashSeed('wood-warp', seed));
  const pores = valueNoise2D(hashSeed('wood-pores', seed));
  const tone = perlinNoise2D(hashSeed('wood-tone', seed));
  const img = createFloatImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const a = c * x - s * y; // across the grain
      const g = s * x + c * y; // along the grain (vertical, as in MVTec "wood")
      const da = a - a0;
      const dg = (g - g0) * 0.12;
      const d = Math.sqrt(da * da + dg * dg) + 7 * unit * fbm(warpNoise, a / (45 * unit), g / (140 * unit), { octaves: 3 });
      // Earlywood lightens, latewood darkens gradually, then a sharp boundary to the next ring.
      const t = fract(d / spacing);
      const ring = smoothstep(0.35, 0.97, t) * 0.8 + 0.2 * fbm(tone, a / (30 * unit), g / (90 * unit), { octaves: 2 });
      const m = clamp(ring, 0, 1);
      const k = (1 + 0.06 * pores(a / (0.9 * unit), g / (9 * unit))) * (1 + 0.03 * tone(x / (60 * unit), y / (60 * unit)));
      put(img, y * width + x, lerp(early[0], late[0], m) * k, lerp(early[1], late[1], m) * k, lerp(early[2], late[2], m) * k);
    }
  }
  return img;
}

/** Terrazzo-like ceramic tiles: grid with grout lines, per-tile tint, bevelled edges, speckles. */
export function tileFloat(width: number, height: number, seed: Seed): FloatImage {
  const rng = createRng(hashSeed('tile', seed));
  const unit = Math.min(width, height) / 128;
  const size = 32 * unit * rng.range(0.985, 1.015);
  const ox = rng.range(0, size);
  const oy = rng.range(0, size);
  const groutHalf = 1.6 * unit;
  const bevel = 2.5 * unit;
  const tileBase = jitterRgb([200, 197, 190], rng, 0.025, 0.01);
  const grout = jitterRgb([112, 108, 102], rng, 0.04, 0.015);
  const chipDark: [number, number, number] = [88, 84, 80];
  const chipWarm: [number, number, number] = [168, 122, 88];
  const perTile = valueNoise2D(hashSeed('tile-each', seed));
  const perTileTint = valueNoise2D(hashSeed('tile-tint', seed));
  const speck = valueNoise2D(hashSeed('tile-speck', seed));
  const speckWarm = valueNoise2D(hashSeed('tile-speck-warm', seed));
  const grain = valueNoise2D(hashSeed('tile-grain', seed));
  const light = perlinNoise2D(hashSeed('tile-light', seed));
  const img = createFloatImage(width, height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = (x + ox) / size;
      const v = (y + oy) / size;
      const ti = Math.floor(u);
      const tj = Math.floor(v);
      const px = (u - ti) * size; // position inside the tile cell, pixels
      const py = (v - tj) * size;
      const edge = Math.min(px, size - px, py, size - py); // distance to the nearest grid line
      // Value noise sampled exactly at lattice points is the lattice value: one random number per tile.
      const bright = 1 + 0.045 * perTile(ti, tj);
      const tint = 0.02 * perTileTint(ti, tj);
      let r = tileBase[0] * bright * (1 + tint);
      let gg = tileBase[1] * bright;
      let b = tileBase[2] * bright * (1 - tint);
      const sp = speck(x / (1.7 * unit), y / (1.7 * unit));
      const dark = smoothstep(0.58, 0.78, sp);
      r = lerp(r, chipDark[0], dark);
      gg = lerp(gg, chipDark[1], dark);
      b = lerp(b, chipDark[2], dark);
      const warm = smoothstep(0.68, 0.86, speckWarm(x / (2.2 * unit) + 50, y / (2.2 * unit)));
      r = lerp(r, chipWarm[0], warm);
      gg = lerp(gg, chipWarm[1], warm);
      b = lerp(b, chipWarm[2], warm);
      // Bevel lit from the top-left: top/left rims brighter, bottom/right rims darker.
      let shade = 1;
      if (edge < bevel) {
        const w = 1 - edge / bevel;
        if (edge === px || edge === py) shade += 0.1 * w;
        else shade -= 0.12 * w;
      }
      const g2 = 1 + 0.1 * grain(x / (1.2 * unit), y / (1.2 * unit));
      // Anti-aliased blend between tile surface and grout.
      const onTile = smoothstep(groutHalf - 0.5, groutHalf + 0.5, edge);
      const l = 1 + 0.035 * light(x / (70 * unit), y / (70 * unit));
      const gr = g2 * (1 - 0.08 * (1 - edge / groutHalf));
      put(
        img,
        y * width + x,
        lerp(grout[0] * gr, r * shade, onTile) * l,
        lerp(grout[1] * gr, gg * shade, onTile) * l,
        lerp(grout[2] * gr, b * shade, onTile) * l,
      );
    }
  }
  return img;
}

const FLOAT_GENERATORS: Record<TextureKind, (w: number, h: number, seed: Seed) => FloatImage> = {
  fabric: fabricFloat,
  metal: metalFloat,
  wood: woodFloat,
  tile: tileFloat,
};

/** One normal texture sample as RGB uint8. */
export function generateTexture(kind: TextureKind, options: TextureOptions): RawImage {
  const gen = FLOAT_GENERATORS[kind];
  if (!gen) throw new DanflowError('BAD_ARGUMENT', `Unknown texture "${String(kind)}"; expected one of ${TEXTURE_KINDS.join(', ')}.`);
  checkSize(`${kind} texture`, options.width, options.height);
  return quantize(gen(options.width, options.height, options.seed));
}

/** The float render of a texture (used by the DRAEM-style defect as a foreign texture source). */
export function generateTextureFloat(kind: TextureKind, width: number, height: number, seed: Seed): FloatImage {
  return FLOAT_GENERATORS[kind](width, height, seed);
}
