/**
 * Area defects. A hole is a dark ellipse with a wobbly outline, a soft dark rim and a faint raised
 * lip; a stain is an irregular noise blob (thresholded at the quantile that gives the wanted area)
 * tinted with a stain colour that keeps the texture underneath visible, with a darker drying ring.
 */
import { samplePoint, startPainting, type Painted, type Painter } from './compose.js';
import { bump, clamp, smoothstep } from './math.js';
import { fbm, perlinNoise2D } from './noise.js';
import type { Rgb } from './raster.js';

export const paintHole: Painter<undefined> = (ctx, rng, target): Painted<undefined> => {
  const { width, height } = ctx;
  const [cx, cy] = samplePoint(ctx, rng);
  const q = rng.range(0.55, 1); // axis ratio
  const [ex, ey] = rng.direction();
  const wobble = perlinNoise2D(rng.uint32());
  const wobbleAmp = rng.range(0.06, 0.16);
  const depth = rng.range(0.1, 0.22); // brightness left at the bottom of the hole
  const lip = rng.range(0.08, 0.2);
  // Area of the ellipse ≈ π·a·b with b = q·a.
  const a = Math.sqrt(target / (Math.PI * q));
  const b = a * q;
  const rim = Math.max(1.2, 0.18 * b); // px over which the rim darkens
  const reach = a * (1 + wobbleAmp) + 2 * rim + 2;
  const painted = startPainting(ctx);
  const x0 = Math.max(0, Math.floor(cx - reach));
  const x1 = Math.min(width - 1, Math.ceil(cx + reach));
  const y0 = Math.max(0, Math.floor(cy - reach));
  const y1 = Math.min(height - 1, Math.ceil(cy + reach));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const u = (dx * ex + dy * ey) / a;
      const v = (-dx * ey + dy * ex) / b;
      const rn = Math.sqrt(u * u + v * v);
      // Outline radius varies smoothly with direction: noise sampled on the unit circle.
      const dirX = rn > 1e-9 ? u / rn : 1;
      const dirY = rn > 1e-9 ? v / rn : 0;
      const edge = 1 + wobbleAmp * wobble(dirX * 1.4 + 7.3, dirY * 1.4 + 3.1);
      const dist = (1 - rn / edge) * b; // ≈ px inside the outline (negative outside)
      const alpha = smoothstep(-0.5 * rim, rim, dist);
      const deep = depth * (1 - 0.5 * clamp(dist / b, 0, 1)); // darker toward the middle
      const lift = lip * bump(clamp(-dist / (1.6 * rim), 0, 1) * 0.5 + 0.5) * (1 - alpha);
      const i = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const val = painted[i + c];
        const lifted = val + (255 - val) * lift;
        painted[i + c] = lifted + alpha * (val * deep + 6 - lifted);
      }
    }
  }
  return { painted, meta: undefined };
};

const STAIN_COLOURS: readonly Rgb[] = [
  [62, 44, 28], // oil
  [150, 72, 36], // rust
  [70, 70, 72], // grime
  [96, 104, 58], // organic
  [52, 62, 112], // ink
  [226, 220, 200], // dried residue (light)
];

export const paintStain: Painter<undefined> = (ctx, rng, target): Painted<undefined> => {
  const { width, height } = ctx;
  const [cx, cy] = samplePoint(ctx, rng);
  const colour = rng.pick(STAIN_COLOURS).map((c) => c * rng.range(0.9, 1.1));
  const opacity = rng.range(0.45, 0.75);
  const [ex, ey] = rng.direction();
  const stretch = rng.range(1, 1.7);
  const shape = perlinNoise2D(rng.uint32());
  const inner = perlinNoise2D(rng.uint32());
  const R = Math.sqrt(target / Math.PI); // radius of a disc of the target area
  const reach = Math.ceil(2.4 * R * stretch) + 2;
  const x0 = Math.max(0, Math.floor(cx - reach));
  const x1 = Math.min(width - 1, Math.ceil(cx + reach));
  const y0 = Math.max(0, Math.floor(cy - reach));
  const y1 = Math.min(height - 1, Math.ceil(cy + reach));
  const bw = x1 - x0 + 1;
  const bh = y1 - y0 + 1;
  // Shape field: falls off with (elliptic) distance, roughened by noise at the blob's own scale.
  const field = new Float32Array(bw * bh);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const dx = x - cx;
      const dy = y - cy;
      const u = (dx * ex + dy * ey) / stretch;
      const v = -dx * ey + dy * ex;
      const rd = Math.sqrt(u * u + v * v) / R;
      const inside = ctx.region === null || ctx.region[y * width + x] !== 0;
      field[(y - y0) * bw + (x - x0)] = inside ? 1 - 0.55 * rd + 0.45 * fbm(shape, x / (0.8 * R), y / (0.8 * R), { octaves: 3 }) : -Infinity;
    }
  }
  // Threshold at the quantile that leaves `target` pixels above it.
  const sorted = Float32Array.from(field).sort();
  const k = Math.max(0, sorted.length - Math.max(1, Math.round(target)));
  const theta = sorted[k];
  const painted = startPainting(ctx);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const f = field[(y - y0) * bw + (x - x0)];
      if (!(f > theta - 0.04)) continue;
      const alpha = smoothstep(theta - 0.04, theta + 0.04, f);
      const ring = 1 - smoothstep(theta, theta + 0.1, f); // stronger deposit at the drying edge
      const op = clamp(opacity * (0.85 + 0.2 * inner(x / 6, y / 6)) + 0.25 * ring, 0, 1) * alpha;
      const i = (y * width + x) * 3;
      for (let c = 0; c < 3; c++) {
        const val = painted[i + c];
        // Half flat stain colour, half multiplicative tint, so the texture still shows through.
        const t = 0.55 * colour[c] + 0.45 * val * (colour[c] / 150);
        painted[i + c] = val + op * (t - val);
      }
    }
  }
  return { painted, meta: undefined };
};
