/**
 * Line-like defects. A scratch is a smooth Bézier groove (bright where it catches the light, dark
 * where it doesn't); a crack is a jagged random walk with side branches, always dark. Their size is
 * set through length: area ≈ length × width, with extra parallel strokes when one stroke crossing
 * the image would not be enough.
 */
import { samplePoint, startPainting, type PaintContext, type Painted, type Painter } from './compose.js';
import { cubicBezier, strokeInto, type Point } from './draw.js';
import { createRng, type Rng } from '../core/prng.js';

const MAX_STROKES = 4;

/** Half widths along a stroke of n+1 vertices: full in the middle, tapering to `endFrac` at the tips. */
function taper(count: number, half: number, endFrac: number): Float32Array {
  const hw = new Float32Array(count);
  for (let k = 0; k < count; k++) {
    const t = count > 1 ? k / (count - 1) : 0.5;
    const ramp = Math.min(1, 12 * t * (1 - t)); // reaches 1 within the first/last ~10 %
    hw[k] = half * (endFrac + (1 - endFrac) * ramp);
  }
  return hw;
}

/** Pulls pixels toward a bright highlight or a dark groove, weighted by stroke coverage. */
function shadeStroke(painted: Float32Array, coverage: Float32Array, bright: boolean, strength: number): void {
  for (let i = 0; i < coverage.length; i++) {
    const a = coverage[i];
    if (a <= 0) continue;
    for (let c = 0; c < 3; c++) {
      const v = painted[i * 3 + c];
      const t = bright ? v + (250 - v) * strength : v * (1 - 0.85 * strength);
      painted[i * 3 + c] = v + a * (t - v);
    }
  }
}

export const paintScratch: Painter<undefined> = (ctx, rng, target): Painted<undefined> => {
  const { width, height } = ctx;
  const size = Math.min(width, height);
  const w0 = rng.range(1, 3); // full width, px
  const [cx, cy] = samplePoint(ctx, rng);
  const [dx, dy] = rng.direction();
  const bends = [rng.range(-0.3, 0.3), rng.range(-0.3, 0.3)];
  const bright = rng.chance(0.5);
  const strength = rng.range(0.6, 0.85);
  const spacing = rng.range(3, 7) * (size / 128);
  const maxLen = 0.8 * size;
  // Widen (up to 3 px) before adding parallel strokes; a tapered stroke averages ~0.9 of its width.
  const width0 = Math.min(3, Math.max(w0, target / (0.9 * maxLen)));
  const total = target / (0.9 * width0);
  const strokes = Math.min(MAX_STROKES, Math.max(1, Math.ceil(total / maxLen)));
  const len = total / strokes;
  const nx = -dy;
  const ny = dx;
  const coverage = new Float32Array(width * height);
  for (let s = 0; s < strokes; s++) {
    const off = (s - (strokes - 1) / 2) * spacing;
    const ox = cx + nx * off;
    const oy = cy + ny * off;
    const p0: Point = [ox - dx * len * 0.5, oy - dy * len * 0.5];
    const p3: Point = [ox + dx * len * 0.5, oy + dy * len * 0.5];
    const p1: Point = [ox - dx * len * 0.17 + nx * bends[0] * len, oy - dy * len * 0.17 + ny * bends[0] * len];
    const p2: Point = [ox + dx * len * 0.17 + nx * bends[1] * len, oy + dy * len * 0.17 + ny * bends[1] * len];
    const steps = Math.max(4, Math.ceil(len / 1.5));
    const pts = cubicBezier(p0, p1, p2, p3, steps);
    strokeInto(coverage, width, height, pts, taper(pts.length, width0 / 2, 0.35));
  }
  const painted = startPainting(ctx);
  shadeStroke(painted, coverage, bright, strength);
  return { painted, meta: undefined };
};

function normalize(x: number, y: number): [number, number] {
  const l = Math.sqrt(x * x + y * y);
  return l > 0 ? [x / l, y / l] : [1, 0];
}

/** A jagged walk of total length `len` from `start`, wandering around the main heading (hx, hy). */
function jaggedWalk(rng: Rng, start: Point, hx: number, hy: number, len: number, unit: number): Point[] {
  const pts: Point[] = [start];
  let [x, y] = start;
  let [dx, dy] = [hx, hy];
  let walked = 0;
  while (walked < len) {
    const step = Math.min(len - walked, rng.range(1.5, 4) * unit);
    const kink = rng.range(-1.3, 1.3);
    // Kink sideways, then pull back toward the main heading so the crack keeps its course.
    [dx, dy] = normalize(dx - dy * kink, dy + dx * kink);
    [dx, dy] = normalize(dx * 0.6 + hx * 0.4, dy * 0.6 + hy * 0.4);
    x += dx * step;
    y += dy * step;
    walked += step;
    pts.push([x, y]);
  }
  return pts;
}

const MAX_BRANCHES = 6;

export const paintCrack: Painter<undefined> = (ctx, rng, target): Painted<undefined> => {
  const { width, height } = ctx;
  const size = Math.min(width, height);
  const unit = size / 128;
  const w0 = rng.range(1, 2);
  const [cx, cy] = samplePoint(ctx, rng);
  const [hx, hy] = rng.direction();
  const strength = rng.range(0.75, 0.95);
  // Independent sub-streams: the walks' lengths change with the requested size, and must not
  // shift the draws of anything else. All branch specs are drawn even if fewer are used.
  const fwd = createRng(rng.uint32());
  const bwd = createRng(rng.uint32());
  const branchSpecs = Array.from({ length: MAX_BRANCHES }, () => ({
    at: rng.range(0.15, 0.85),
    side: rng.chance(0.5) ? 1 : -1,
    angle: rng.range(0.5, 1.4),
    rng: createRng(rng.uint32()),
  }));
  // Big cracks get longer and branchier, not thicker: a crack stays a hairline.
  const mainMax = 1.2 * size;
  const branchMax = 0.35 * size;
  const capacity = 0.85 * (mainMax + MAX_BRANCHES * branchMax * 0.8);
  const width0 = Math.min(3, Math.max(w0, target / capacity));
  const total = target / (0.85 * width0);
  const mainLen = Math.min(total * 0.7, mainMax);
  const rest = total - mainLen;
  const branches = Math.min(MAX_BRANCHES, Math.max(1, Math.ceil(rest / branchMax)));
  const branchLen = rest / branches;
  const half1 = jaggedWalk(fwd, [cx, cy], hx, hy, mainLen / 2, unit);
  const half2 = jaggedWalk(bwd, [cx, cy], -hx, -hy, mainLen / 2, unit);
  const main = [...half2.reverse(), ...half1.slice(1)];
  const coverage = new Float32Array(width * height);
  strokeInto(coverage, width, height, main, taper(main.length, width0 / 2, 0.3));
  for (const b of branchSpecs.slice(0, branches)) {
    const from = main[Math.min(main.length - 1, Math.floor(b.at * main.length))];
    const [bx, by] = normalize(hx - hy * b.side * b.angle, hy + hx * b.side * b.angle);
    const pts = jaggedWalk(b.rng, from, bx, by, branchLen, unit);
    // A branch leaves the main crack at its width and thins out toward its tip.
    const hw = Float32Array.from(pts, (_, k) => width0 * 0.4 * (1 - (0.7 * k) / Math.max(1, pts.length - 1)));
    strokeInto(coverage, width, height, pts, hw);
  }
  const painted = startPainting(ctx);
  shadeStroke(painted, coverage, false, strength);
  return { painted, meta: undefined };
};
