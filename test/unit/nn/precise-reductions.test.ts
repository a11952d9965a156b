import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { hashUniform } from '../../../src/core/prng.js';
import { layerNorm } from '../../../src/nn/layer-norm.js';
import { blockCount, preciseMoments } from '../../../src/nn/precise-reductions.js';
import { setBackend } from '../../helpers/backend.js';

/**
 * LayerNorm statistics over a resnet18 scale-0 map (64·64·64 = 262 144 terms per sample) against
 * float64 sums. wasm's own Mean adds into one float32 accumulator and is 1e-5 (mean) / 2e-4
 * (variance) off here; the blocked form must stay at float32 rounding on every backend.
 */
const SHAPE = [2, 64, 64, 64];

function input(): Float32Array {
  // Offset and spread like real features: a variance sum far above float32's exact range.
  return hashUniform('precise-reductions', SHAPE.reduce((a, b) => a * b, 1), 0.5, 4.5);
}

function float64Moments(x: Float32Array, n: number): { mean: number[]; variance: number[] } {
  const m = x.length / n;
  const mean: number[] = [];
  const variance: number[] = [];
  for (let s = 0; s < n; s++) {
    let sum = 0;
    for (let i = 0; i < m; i++) sum += x[s * m + i];
    const mu = sum / m;
    let sq = 0;
    for (let i = 0; i < m; i++) sq += (x[s * m + i] - mu) ** 2;
    mean.push(mu);
    variance.push(sq / m);
  }
  return { mean, variance };
}

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe.each(['cpu', 'wasm'] as const)('blocked LayerNorm moments on %s', (backend) => {
  afterAll(() => setBackend('cpu'));

  it('mean and variance of 262 144 terms per sample are within 1e-6 of float64', async () => {
    await setBackend(backend);
    const data = input();
    const ref = float64Moments(data, SHAPE[0]);
    const x = tf.tensor4d(data, SHAPE as [number, number, number, number]);
    const { mean, variance } = preciseMoments(x);
    const mu = await mean.data();
    const v = await variance.data();
    for (let s = 0; s < SHAPE[0]; s++) {
      expect(rel(mu[s], ref.mean[s])).toBeLessThan(1e-6);
      expect(rel(v[s], ref.variance[s])).toBeLessThan(1e-6);
    }
    tf.dispose([x, mean, variance]);
  });

  it('layerNorm output is within 2e-6 of float64 and leaks no tensor', async () => {
    await setBackend(backend);
    const data = input();
    const ref = float64Moments(data, SHAPE[0]);
    const x = tf.tensor4d(data, SHAPE as [number, number, number, number]);
    const w = tf.ones(SHAPE.slice(1));
    const b = tf.zeros(SHAPE.slice(1));
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => layerNorm(x, w, b, 1e-5));
    expect(tf.memory().numTensors).toBe(before + 1);
    const out = await y.data();
    const m = data.length / SHAPE[0];
    let worst = 0;
    for (let i = 0; i < data.length; i++) {
      const s = Math.floor(i / m);
      const expected = (data[i] - ref.mean[s]) / Math.sqrt(ref.variance[s] + 1e-5);
      worst = Math.max(worst, Math.abs(out[i] - expected));
    }
    expect(worst).toBeLessThan(2e-6);
    tf.dispose([x, w, b, y]);
  });
});

describe('blockCount', () => {
  it('is the largest divisor not above √m, 1 for primes', () => {
    expect(blockCount(262_144)).toBe(512);
    expect(blockCount(12)).toBe(3);
    expect(blockCount(13)).toBe(1);
  });
});
