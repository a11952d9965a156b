/**
 * Seeded randomness for the synthetic data generators.
 *
 * mulberry32 keeps 32 bits of state and uses only integer operations (Math.imul, shifts, xor), so a
 * seed yields the same stream in every JavaScript engine. Everything built on it in this folder
 * also sticks to + − × ÷ and √ (correctly rounded in IEEE 754) instead of Math.sin/exp/pow, whose
 * last bits differ between engines — that is what makes the images byte-identical in Node and in
 * any browser.
 */
import { DanflowError } from '../errors.js';

/** A seed: any finite number (its integer part's low 53 bits are used) or a string. */
export type Seed = number | string;

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

/** murmur3's 32-bit finaliser: spreads every input bit over the output so nearby seeds decorrelate. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
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
      const lo = n >>> 0; // low 32 bits (ToUint32 is exact modular arithmetic)
      const hi = Math.floor(n / 4294967296) >>> 0;
      mix(0x6e756d00); // type tag: 1 and '1' must not collide
      mix(lo);
      mix(hi);
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

/** A mulberry32 generator; the seed is hashed first so seeds 0, 1, 2, … give unrelated streams. */
export function createRng(seed: Seed): Rng {
  let state = hashSeed(seed) | 0;
  const uint32 = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
  const next = (): number => uint32() / 4294967296;
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
