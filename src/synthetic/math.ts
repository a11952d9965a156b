/**
 * Small scalar helpers shared by the generators. Only exact IEEE arithmetic on purpose (see rng.ts):
 * smooth profiles use polynomials instead of sin/exp so results match across JS engines.
 */

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

export function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

/** Hermite smoothstep from edge0 to edge1 (edges may be given in either order). */
export function smoothstep(edge0: number, edge1: number, x: number): number {
  const t = clamp((x - edge0) / (edge1 - edge0), 0, 1);
  return t * t * (3 - 2 * t);
}

/** Fractional part in [0, 1) (also for negative inputs). */
export function fract(x: number): number {
  return x - Math.floor(x);
}

/** A rounded bump on [0, 1]: 0 at both ends, 1 in the middle (parabola; stands in for sin(πt)). */
export function bump(t: number): number {
  const u = 2 * t - 1;
  return u >= -1 && u <= 1 ? 1 - u * u : 0;
}

/** Smooth periodic wave with period 1 in [0, 1]: a polynomial stand-in for (1 − cos 2πt) / 2. */
export function wave(t: number): number {
  const u = fract(t);
  const x = u < 0.5 ? 2 * u : 2 - 2 * u; // triangle 0..1..0
  return x * x * (3 - 2 * x);
}
