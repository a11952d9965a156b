/**
 * The SDK's one source of seeded randomness. Two kinds of stream are derived from the same
 * integer-only primitives (Math.imul, shifts, xor: bit-identical in every JavaScript engine):
 *
 * - counter-based (`hashUniform`, `hashBytes`, `hashPermutation`): value i depends only on
 *   (key, i). Used for `weights: 'random'`, flow initialisation and the fixed channel
 *   permutations; fixtures/scripts/make_golden.py implements the same function, so large reference
 *   checkpoints are rebuilt on both sides from a small manifest instead of being committed.
 * - sequential (`createRng`, `seededShuffle`): a mulberry32 generator, for code that draws an
 *   unknown number of values (synthetic defects, the training shuffle, coresets).
 */
import { DanflowError } from './errors.js';

/** A seed: any finite number (its integer part's low 53 bits are used) or a string. */
export type Seed = number | string;

/** murmur3's 32-bit finaliser: spreads every input bit over the output so nearby inputs decorrelate. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const TWO_POW_32 = 4294967296;

// ---------------------------------------------------------------------------------------------
// Counter-based streams
// ---------------------------------------------------------------------------------------------

/** FNV-1a over the UTF-8 bytes of `text`: the key → seed step of the counter-based streams. */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Element i of the counter-based stream with this seed, as a uniform value in (0, 1). */
function counterUniform(seed: number, i: number): number {
  return (fmix32((Math.imul(i, 0x9e3779b1) + Math.imul(seed, 0x85ebca77)) >>> 0) + 0.5) / TWO_POW_32;
}

/** Uniform values in [lo, hi), float32, for `count` elements of the tensor named `key`. */
export function hashUniform(key: string, count: number, lo: number, hi: number): Float32Array {
  const seed = fnv1a32(key);
  const out = new Float32Array(count);
  const span = hi - lo;
  for (let i = 0; i < count; i++) out[i] = lo + span * counterUniform(seed, i);
  return out;
}

/** Bytes 0..255 (e.g. a synthetic test image), same stream as hashUniform. */
export function hashBytes(key: string, count: number): Uint8Array {
  const seed = fnv1a32(key);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.floor(counterUniform(seed, i) * 256);
  return out;
}

/** A seeded permutation of 0..n-1 (Fisher–Yates, draw i taken from stream element i). */
export function hashPermutation(key: string, n: number): number[] {
  const seed = fnv1a32(key);
  return fisherYates(n, (i) => counterUniform(seed, i));
}

// ---------------------------------------------------------------------------------------------
// Sequential streams
// ---------------------------------------------------------------------------------------------

/** mulberry32 from a raw 32-bit state: uniform 32-bit unsigned integers. */
function mulberry32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

function fisherYates(n: number, draw: (i: number) => number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(draw(i) * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx;
}

/**
 * A seeded shuffle of 0..n-1 drawn from mulberry32 started at `seed` itself (not hashed): the
 * training order and the PatchCore coreset have used this stream since the first release, so
 * fits stay reproducible across versions.
 */
export function seededShuffle(n: number, seed: number): number[] {
  const next = mulberry32(seed >>> 0);
  return fisherYates(n, () => next() / TWO_POW_32);
}

/**
 * Combines seeds and tags into one 32-bit seed, e.g. `hashSeed(seed, 'train', 7)`, so every image
 * and every sub-step draws from its own independent stream instead of sharing (and shifting) one.
 */
export function hashSeed(...parts: readonly Seed[]): number {
  let h = 0x811c9dc5;
  const mix = (v: number): void => {
    h = fmix32(Math.imul(h ^ v, 0x01000193) + 0x9e3779b9);
  };
  for (const part of parts) {
    if (typeof part === 'number') {
      if (!Number.isFinite(part)) throw new DanflowError('BAD_ARGUMENT', `Seed ${part} is not a finite number.`);
      const n = Math.trunc(part);
      mix(0x6e756d00); // type tag: 1 and '1' must not collide
      mix(n >>> 0); // low 32 bits (ToUint32 is exact modular arithmetic)
      mix(Math.floor(n / TWO_POW_32) >>> 0);
    } else if (typeof part === 'string') {
      mix(0x73747200);
      for (let i = 0; i < part.length; i++) mix(part.charCodeAt(i));
      mix(part.length);
    } else {
      throw new DanflowError('BAD_ARGUMENT', `Seed must be a number or a string, got ${typeof part}.`);
    }
  }
  return h;
}

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform 32-bit unsigned integer. */
  uint32(): number;
  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number;
  /** Uniform integer in [lo, hi) — hi exclusive. */
  int(lo: number, hi: number): number;
  /** true with probability p. */
  chance(p: number): boolean;
  /** Approximately standard normal (sum of 6 uniforms: no log/cos, so engine-independent). */
  normal(): number;
  /** A uniformly chosen element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** A unit vector with uniformly distributed direction (rejection sampling, no trigonometry). */
  direction(): [number, number];
}

/** A sequential generator; the seed is hashed first so seeds 0, 1, 2, … give unrelated streams. */
export function createRng(seed: Seed): Rng {
  const uint32 = mulberry32(hashSeed(seed));
  const next = (): number => uint32() / TWO_POW_32;
  return {
    next,
    uint32,
    range: (lo, hi) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor((hi - lo) * next()),
    chance: (p) => next() < p,
    normal: () => {
      let s = 0;
      for (let i = 0; i < 6; i++) s += next();
      return (s - 3) * Math.SQRT2; // variance of 6 uniforms is 6/12 = 1/2
    },
    pick: (items) => {
      if (items.length === 0) throw new DanflowError('BAD_ARGUMENT', 'Cannot pick from an empty list.');
      return items[Math.floor(items.length * next())];
    },
    direction: () => {
      for (;;) {
        const x = 2 * next() - 1;
        const y = 2 * next() - 1;
        const r2 = x * x + y * y;
        if (r2 > 1e-6 && r2 <= 1) {
          const r = Math.sqrt(r2);
          return [x / r, y / r];
        }
      }
    },
  };
}

/** Accepts either a ready generator or a seed, so callers can thread one stream or just pass a number. */
export function toRng(rngOrSeed: Rng | Seed): Rng {
  return typeof rngOrSeed === 'number' || typeof rngOrSeed === 'string' ? createRng(rngOrSeed) : rngOrSeed;
}
