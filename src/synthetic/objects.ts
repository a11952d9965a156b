/**
 * Procedural object category: a flat metal washer centred on a plain backdrop, the "object" kind of
 * MVTec category where defects must sit on the part, not on the background. Each sample jitters
 * the pose (centre shift, slight tilt = elliptic outline), size, lighting direction and finish.
 */
import type { BinaryMask, RawImage } from '../core/types.js';
import { clamp, smoothstep } from './math.js';
import { fbm, perlinNoise2D, valueNoise2D } from './noise.js';
import { checkSize, createFloatImage, jitterRgb, quantize } from './raster.js';
import { createRng, hashSeed, type Seed } from '../core/prng.js';

export interface ObjectSample {
  image: RawImage;
  /** 1 on the object (coverage ≥ ½), 0 on the backdrop: where defects may be placed. */
  foreground: BinaryMask;
}

export interface WasherOptions {
  width: number;
  height: number;
  seed: Seed;
}

export function generateWasher(options: WasherOptions): ObjectSample {
  const { width, height, seed } = options;
  checkSize('washer', width, height, 8);
  const rng = createRng(hashSeed('washer', seed));
  const unit = Math.min(width, height) / 128;
  const cx = width / 2 + rng.range(-3, 3) * unit;
  const cy = height / 2 + rng.range(-3, 3) * unit;
  const outer = 44 * unit * rng.range(0.98, 1.02);
  const inner = 18 * unit * rng.range(0.97, 1.03);
  const bevel = 3 * unit;
  // Slight tilt: squash one axis (random orientation) by up to 4 %.
  const [ex, ey] = rng.direction();
  const squash = 1 / rng.range(0.96, 1);
  // Light from the upper left, give or take.
  let [lx, ly] = rng.direction();
  lx = lx * 0.35 - 0.7;
  ly = ly * 0.35 - 0.7;
  const ln = Math.sqrt(lx * lx + ly * ly);
  lx /= ln;
  ly /= ln;
  const metal = jitterRgb([138, 141, 146], rng, 0.04, 0.01);
  const backdrop = jitterRgb([212, 214, 216], rng, 0.02, 0.005);
  const shadowOffset = 3.5 * unit;
  const brushed = valueNoise2D(hashSeed('washer-brushed', seed));
  const mottle = perlinNoise2D(hashSeed('washer-mottle', seed));
  const paper = valueNoise2D(hashSeed('washer-backdrop', seed));
  const img = createFloatImage(width, height);
  const fg = new Uint8Array(width * height);
  const ringRadius = (x: number, y: number): number => {
    const dx = x - cx;
    const dy = y - cy;
    const a = dx * ex + dy * ey;
    const b = (-dx * ey + dy * ex) * squash;
    return Math.sqrt(a * a + b * b);
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const dx = x - cx;
      const dy = y - cy;
      const r = ringRadius(x, y);
      // Backdrop: matte, faint grain, soft drop shadow cast away from the light.
      const rs = ringRadius(x + lx * shadowOffset, y + ly * shadowOffset);
      const shadow = 0.22 * (1 - smoothstep(outer - 2 * unit, outer + 6 * unit, rs)) * smoothstep(inner - 6 * unit, inner + 2 * unit, rs);
      const vignette = 1 - 0.06 * ((dx * dx + dy * dy) / (width * width * 0.5));
      const kb = (1 - shadow) * vignette * (1 + 0.012 * paper(x / (1.5 * unit), y / (1.5 * unit)));
      const bgR = backdrop[0] * kb;
      const bgG = backdrop[1] * kb;
      const bgB = backdrop[2] * kb;
      // Coverage with a one-pixel anti-aliased edge on both rims.
      const cov = clamp(outer - r + 0.5, 0, 1) * clamp(r - inner + 0.5, 0, 1);
      if (cov <= 0) {
        img.data[i * 3] = bgR;
        img.data[i * 3 + 1] = bgG;
        img.data[i * 3 + 2] = bgB;
        continue;
      }
      const rr = r > 1e-6 ? r : 1e-6;
      const nx = dx / rr;
      const ny = dy / rr;
      // Concentric machining marks: noise along the radius, barely along the circumference.
      const marks = brushed(r / (0.6 * unit), nx * 2 + ny * 3);
      // Rounded edges: the outer bevel faces outwards, the inner one inwards; lit by dot(normal, light).
      const outerBevel = 1 - smoothstep(0, bevel, outer - r);
      const innerBevel = 1 - smoothstep(0, bevel, r - inner);
      const facing = (nx * lx + ny * ly) * (outerBevel - innerBevel);
      const flatLight = 1 + 0.1 * (-(dx * lx + dy * ly) / outer);
      const k =
        flatLight * (1 + 0.45 * facing) * (1 + 0.05 * marks) * (1 + 0.04 * fbm(mottle, x / (25 * unit), y / (25 * unit), { octaves: 3 })) * (1 - 0.12 * (outerBevel + innerBevel) * (1 - Math.abs(facing)));
      img.data[i * 3] = bgR + (metal[0] * k - bgR) * cov;
      img.data[i * 3 + 1] = bgG + (metal[1] * k - bgG) * cov;
      img.data[i * 3 + 2] = bgB + (metal[2] * k - bgB) * cov;
      if (cov >= 0.5) fg[i] = 1;
    }
  }
  return { image: quantize(img), foreground: { width, height, data: fg } };
}
