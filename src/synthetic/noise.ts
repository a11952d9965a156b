/**
 * Deterministic 2-D coherent noise: Perlin gradient noise, value noise and their fractal (fBm)
 * sums. Lattice tables come from a seeded shuffle, so the same seed gives the same field anywhere.
 */
import { createRng, hashSeed, type Seed } from '../core/prng.js';

/** A noise function of the plane, roughly in [−1, 1], with features about one unit apart. */
export type Noise2D = (x: number, y: number) => number;

/** Quintic fade (6t⁵ − 15t⁴ + 10t³): zero first and second derivatives at lattice points. */
function fade(t: number): number {
  return t * t * t * (t * (t * 6 - 15) + 10);
}

function permutation(seed: Seed, tag: string): { perm: Uint8Array; rng: ReturnType<typeof createRng> } {
  const rng = createRng(hashSeed(tag, seed));
  const p = new Uint8Array(256);
  for (let i = 0; i < 256; i++) p[i] = i;
  for (let i = 255; i > 0; i--) {
    const j = rng.int(0, i + 1);
    const t = p[i];
    p[i] = p[j];
    p[j] = t;
  }
  // Doubled so perm[perm[X] + Y + 1] never needs a modulo.
  const perm = new Uint8Array(512);
  perm.set(p, 0);
  perm.set(p, 256);
  return { perm, rng };
}

/** Perlin gradient noise with 256 random unit gradients (period 256 in both axes). */
export function perlinNoise2D(seed: Seed): Noise2D {
  const { perm, rng } = permutation(seed, 'perlin');
  const gx = new Float64Array(256);
  const gy = new Float64Array(256);
  for (let i = 0; i < 256; i++) [gx[i], gy[i]] = rng.direction();
  return (x, y) => {
    const xf = Math.floor(x);
    const yf = Math.floor(y);
    const X = xf & 255;
    const Y = yf & 255;
    const dx = x - xf;
    const dy = y - yf;
    const a = perm[X] + Y;
    const b = perm[X + 1] + Y;
    const h00 = perm[a];
    const h01 = perm[a + 1];
    const h10 = perm[b];
    const h11 = perm[b + 1];
    const n00 = gx[h00] * dx + gy[h00] * dy;
    const n10 = gx[h10] * (dx - 1) + gy[h10] * dy;
    const n01 = gx[h01] * dx + gy[h01] * (dy - 1);
    const n11 = gx[h11] * (dx - 1) + gy[h11] * (dy - 1);
    const u = fade(dx);
    const v = fade(dy);
    const nx0 = n00 + u * (n10 - n00);
    const nx1 = n01 + u * (n11 - n01);
    // The raw range of 2-D Perlin noise is ±√½; scale to roughly ±1.
    return (nx0 + v * (nx1 - nx0)) * Math.SQRT2;
  };
}

/** Value noise: random values at lattice points, smoothly interpolated (blobbier than Perlin). */
export function valueNoise2D(seed: Seed): Noise2D {
  const { perm, rng } = permutation(seed, 'value');
  const values = new Float64Array(256);
  for (let i = 0; i < 256; i++) values[i] = rng.range(-1, 1);
  return (x, y) => {
    const xf = Math.floor(x);
    const yf = Math.floor(y);
    const X = xf & 255;
    const Y = yf & 255;
    const u = fade(x - xf);
    const v = fade(y - yf);
    const a = perm[X] + Y;
    const b = perm[X + 1] + Y;
    const v00 = values[perm[a]];
    const v01 = values[perm[a + 1]];
    const v10 = values[perm[b]];
    const v11 = values[perm[b + 1]];
    const top = v00 + u * (v10 - v00);
    const bottom = v01 + u * (v11 - v01);
    return top + v * (bottom - top);
  };
}

export interface FbmOptions {
  /** Number of octaves summed (default 4). */
  octaves?: number;
  /** Frequency factor between octaves (default 2). */
  lacunarity?: number;
  /** Amplitude factor between octaves (default 0.5). */
  gain?: number;
}

/**
 * Fractal Brownian motion: octaves of `noise` at rising frequency and falling amplitude, divided
 * by the total amplitude so the result stays roughly in [−1, 1]. Each octave is shifted by an
 * irrational-ish offset so the octaves' lattices (and their zeros at integer points) don't line up.
 */
export function fbm(noise: Noise2D, x: number, y: number, options: FbmOptions = {}): number {
  const octaves = options.octaves ?? 4;
  const lacunarity = options.lacunarity ?? 2;
  const gain = options.gain ?? 0.5;
  let sum = 0;
  let norm = 0;
  let amp = 1;
  let freq = 1;
  for (let o = 0; o < octaves; o++) {
    sum += amp * noise(x * freq + o * 19.19, y * freq + o * 7.73);
    norm += amp;
    amp *= gain;
    freq *= lacunarity;
  }
  return sum / norm;
}

export interface NoiseFieldOptions extends FbmOptions {
  seed: Seed;
  /** Feature size in pixels along x (and y unless scaleY is given). */
  scale: number;
  /** Feature size in pixels along y; differing from scale makes anisotropic (streaky) noise. */
  scaleY?: number;
  /** Base noise (default 'perlin'). */
  kind?: 'perlin' | 'value';
}

/** A width×height field (row-major) of fBm noise sampled at pixel positions. */
export function noiseField(width: number, height: number, options: NoiseFieldOptions): Float32Array {
  const noise = options.kind === 'value' ? valueNoise2D(options.seed) : perlinNoise2D(options.seed);
  const sx = 1 / options.scale;
  const sy = 1 / (options.scaleY ?? options.scale);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out[y * width + x] = fbm(noise, x * sx, y * sy, options);
  }
  return out;
}
