import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashBytes, hashUniform } from '../../src/core/prng.js';
import { writeSafetensors, type WritableTensor } from '../../src/io/safetensors.js';
import { FIXTURES } from './paths.js';

export const GOLDEN_DIR = path.join(FIXTURES, 'golden');

export function readGoldenJson<T = any>(name: string): T {
  return JSON.parse(readFileSync(path.join(GOLDEN_DIR, name), 'utf8')) as T;
}

export function readGoldenF32(name: string): Float32Array {
  const b = readFileSync(path.join(GOLDEN_DIR, name));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

export interface ManifestTensor {
  key: string;
  shape: number[];
  init: { kind: 'uniform'; lo: number; hi: number } | { kind: 'const'; value: number } | { kind: 'perm' | 'perm_inv'; perm: number[] } | { kind: 'int'; value: number };
  seedKey?: string;
}

const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Rebuild a tensor of a golden manifest from the shared hash PRNG (PyTorch layout). */
export function materialise(t: ManifestTensor): Float32Array {
  const n = numel(t.shape);
  const init = t.init;
  switch (init.kind) {
    case 'uniform':
      return hashUniform(t.seedKey ?? t.key, n, init.lo, init.hi);
    case 'const':
      return new Float32Array(n).fill(init.value);
    case 'int':
      return new Float32Array(n).fill(init.value);
    case 'perm':
    case 'perm_inv': {
      const c = init.perm.length;
      const w = new Float32Array(c * c);
      init.perm.forEach((j, i) => {
        if (init.kind === 'perm') w[i * c + j] = 1;
        else w[j * c + i] = 1;
      });
      return w;
    }
  }
}

/** A manifest's whole state_dict as the safetensors file a reference user would export. */
export function manifestToSafetensors(tensors: ManifestTensor[], skip: (key: string) => boolean = () => false): Uint8Array {
  const out: Record<string, WritableTensor> = {};
  for (const t of tensors) {
    if (skip(t.key)) continue;
    out[t.key] = t.init.kind === 'int' ? { dtype: 'I64', shape: t.shape, data: [t.init.value] } : { dtype: 'F32', shape: t.shape, data: materialise(t) };
  }
  return writeSafetensors(out);
}

export function goldenImage(shape: [number, number, number]): { data: Uint8Array; width: number; height: number; channels: number } {
  return { data: hashBytes('input.image', numel(shape)), height: shape[0], width: shape[1], channels: shape[2] };
}

/** NCHW float data → NHWC. */
export function nchwToNhwc(data: Float32Array, [n, c, h, w]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) out[((b * h + y) * w + x) * c + ch] = data[((b * c + ch) * h + y) * w + x];
  return out;
}

/** max |a − b| / max(1, |b|) elementwise — absolute for small values, relative for large ones. */
export function maxScaledDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i])));
  return m;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** max |a − b| / max |b|: the error relative to the feature scale. */
export function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    m = Math.max(m, Math.abs(b[i]));
  }
  return d / m;
}
