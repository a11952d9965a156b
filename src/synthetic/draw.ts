/**
 * Anti-aliased rasterisation of strokes (polylines with varying width) into a coverage map, and the
 * curve sampling the scratch uses. Pixel (x, y) is the sample at coordinates (x, y).
 */

export type Point = readonly [number, number];

/** `steps + 1` points along the cubic Bézier p0→p3 with control points p1, p2. */
export function cubicBezier(p0: Point, p1: Point, p2: Point, p3: Point, steps: number): Point[] {
  const pts: Point[] = [];
  for (let k = 0; k <= steps; k++) {
    const t = k / steps;
    const m = 1 - t;
    const a = m * m * m;
    const b = 3 * m * m * t;
    const c = 3 * m * t * t;
    const d = t * t * t;
    pts.push([a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]]);
  }
  return pts;
}

/**
 * Adds a stroke along `points` to `coverage` (width×height, values 0..1, max-combined so strokes
 * can overlap): a pixel at distance d from the centre line is covered `clamp(hw + ½ − d, 0, 1)`,
 * where the half width hw is interpolated between the vertices' `halfWidths`.
 */
export function strokeInto(
  coverage: Float32Array,
  width: number,
  height: number,
  points: readonly Point[],
  halfWidths: ArrayLike<number>,
): void {
  for (let k = 0; k + 1 < points.length; k++) {
    const [ax, ay] = points[k];
    const [bx, by] = points[k + 1];
    const ha = halfWidths[k];
    const hb = halfWidths[k + 1];
    const reach = Math.max(ha, hb) + 1;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - reach));
    const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx) + reach));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - reach));
    const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by) + reach));
    if (x0 > x1 || y0 > y1) continue;
    const ex = bx - ax;
    const ey = by - ay;
    const len2 = ex * ex + ey * ey;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const px = x - ax;
        const py = y - ay;
        let t = len2 > 0 ? (px * ex + py * ey) / len2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        const dx = px - t * ex;
        const dy = py - t * ey;
        const d = Math.sqrt(dx * dx + dy * dy);
        const cov = ha + t * (hb - ha) + 0.5 - d;
        if (cov <= 0) continue;
        const i = y * width + x;
        const c = cov > 1 ? 1 : cov;
        if (c > coverage[i]) coverage[i] = c;
      }
    }
  }
}
