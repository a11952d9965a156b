/**
 * Counter-based random numbers: value i of a tensor depends only on (key, i). Used for the
 * deterministic `weights: 'random'` backbones and, identically in fixtures/scripts/make_golden.py,
 * to rebuild large reference checkpoints from a small manifest instead of committing them.
 */
export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  const bytes = new TextEncoder().encode(text);
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function mix(seed: number, i: number): number {
  let h = (Math.imul(i, 0x9e3779b1) + Math.imul(seed, 0x85ebca77)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/** Uniform values in [lo, hi), float32, for `count` elements of the tensor named `key`. */
export function hashUniform(key: string, count: number, lo: number, hi: number): Float32Array {
  const seed = fnv1a32(key);
  const out = new Float32Array(count);
  const span = hi - lo;
  for (let i = 0; i < count; i++) out[i] = lo + span * ((mix(seed, i) + 0.5) / 4294967296);
  return out;
}

/** Bytes 0..255 (e.g. a synthetic test image), same stream as hashUniform. */
export function hashBytes(key: string, count: number): Uint8Array {
  const seed = fnv1a32(key);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.floor(((mix(seed, i) + 0.5) / 4294967296) * 256);
  return out;
}

/** A seeded permutation of 0..n-1 (Fisher–Yates over the hash stream). */
export function hashPermutation(key: string, n: number): number[] {
  const perm = Array.from({ length: n }, (_, i) => i);
  const seed = fnv1a32(key);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(((mix(seed, i) + 0.5) / 4294967296) * (i + 1));
    [perm[i], perm[j]] = [perm[j], perm[i]];
  }
  return perm;
}
