/**
 * DRAEM-style anomaly (Zavrtanik et al., ICCV 2021): a Perlin-noise field, thresholded, selects an
 * irregular region where a foreign texture A is blended in with opacity β:
 *   I' = (1 − βM) ⊙ I + βM ⊙ A.
 * Differences from the paper, on purpose: the field is pulled down away from a random centre and
 * thresholded at the quantile that gives the requested area (DRAEM's fixed 0.5 over the whole
 * image gives uncontrolled, often huge regions), and the mask is the changed-by-more-than-ε
 * set like every defect here — at small β, pixels where A happens to resemble I are not labelled.
 */
import { DanflowError } from '../core/errors.js';
import type { RawImage } from '../core/types.js';
import { samplePoint, startPainting, type Painted, type Painter } from './compose.js';
import { fbm, perlinNoise2D } from './noise.js';
import { foreignTexture } from './foreign.js';
import type { FloatImage } from './raster.js';

export interface DraemSettings {
  beta: readonly [number, number];
  /** Optional foreign texture (same size as the image); synthesised when absent. */
  texture: RawImage | null;
}

export function makeDraemPainter(settings: DraemSettings): Painter<{ beta: number }> {
  return (ctx, rng, target): Painted<{ beta: number }> => {
    const { width, height } = ctx;
    // Independent feature sizes per axis (as DRAEM's 2^k scales), relative to the defect's own
    // radius, under a random rotation.
    const R = Math.sqrt(target / Math.PI);
    const sx = rng.pick([0.5, 1, 2]) * R;
    const sy = rng.pick([0.5, 1, 2]) * R;
    const [rc, rs] = rng.direction();
    const noise = perlinNoise2D(rng.uint32());
    const [cx, cy] = samplePoint(ctx, rng);
    const beta = rng.range(settings.beta[0], settings.beta[1]);
    let tex: FloatImage;
    if (settings.texture) {
      const t = settings.texture;
      if (t.width !== width || t.height !== height) {
        throw new DanflowError('BAD_ARGUMENT', `perlinTexture: texture is ${t.width}×${t.height}, the image ${width}×${height}; they must match.`);
      }
      tex = { width, height, data: Float32Array.from(t.data) };
    } else {
      tex = foreignTexture(width, height, rng);
    }
    const n = width * height;
    const field = new Float32Array(n);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        const u = (rc * x - rs * y) / sx;
        const v = (rs * x + rc * y) / sy;
        // A quadratic falloff around the centre gathers the thresholded region in one place;
        // thresholding the bare field at a 1–3 % quantile would scatter dozens of specks.
        const dx = (x - cx) / (2 * R);
        const dy = (y - cy) / (2 * R);
        const inside = ctx.region === null || ctx.region[i] !== 0;
        field[i] = inside ? fbm(noise, u, v, { octaves: 2 }) - (dx * dx + dy * dy) : -Infinity;
      }
    }
    const sorted = Float32Array.from(field).sort();
    const theta = sorted[Math.max(0, n - Math.max(1, Math.round(target)))];
    const painted = startPainting(ctx);
    for (let i = 0; i < n; i++) {
      if (!(field[i] >= theta)) continue;
      for (let c = 0; c < 3; c++) {
        const o = i * 3 + c;
        painted[o] = painted[o] * (1 - beta) + beta * tex.data[o];
      }
    }
    return { painted, meta: { beta } };
  };
}
