import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector, loadDetector } from '../../src/index.js';
import { isDanflowError } from '../../src/core/errors.js';
import { hashBytes } from '../../src/core/prng.js';
import { augmentationTransforms, pickTransform, transformImages, type Augmentation } from '../../src/fitting/augment.js';
import { learningRateAt } from '../../src/methods/danflow/schedule.js';
import { resolveFitPlan } from '../../src/api/options.js';
import type { RawImage } from '../../src/core/types.js';
import { setBackend } from '../helpers/backend.js';
import { modelOf } from '../helpers/internals.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The training-recipe options: augmentation, learning-rate schedule, feature noise, 1×1 depthwise kernels. */

function image(k: number, size = 32): RawImage {
  const data = new Uint8Array(size * size * 3);
  const noise = hashBytes(`recipe${k}`, data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(100 + 50 * Math.sin(i / (7 + k)) + noise[i] / 8);
  return { data, width: size, height: size, channels: 3 };
}

const TINY = { backbone: 'resnet18', weights: 'random', inputSize: 32, flowSteps: 1, numDw: 1, attention: 'eca', backend: 'cpu', seed: 5 } as const;

describe('augmentations', () => {
  beforeAll(() => setBackend('cpu'));

  it.each([
    [['hflip'], 2],
    [['vflip'], 2],
    [['hflip', 'vflip'], 4],
    [['rot90'], 4],
    [['rot90', 'hflip'], 8],
    [['hflip', 'vflip', 'rot90'], 8],
    [[], 1],
  ] as [Augmentation[], number][])('%j generates %i distinct transforms, identity first', (augs, n) => {
    const ts = augmentationTransforms(augs);
    expect(ts).toHaveLength(n);
    expect(ts[0]).toEqual({ turns: 0, mirror: false });
    // Distinct transforms give distinct images of an asymmetric pattern.
    const x = tf.tensor4d(Array.from({ length: 9 }, (_, i) => i), [1, 3, 3, 1]);
    const outs = ts.map((t) => transformImages(x, t));
    const keys = new Set(outs.map((o) => o.dataSync().join(',')));
    expect(keys.size).toBe(n);
    tf.dispose([x, ...outs]);
  });

  it('hflip mirrors columns, vflip mirrors rows, rot90 is a quarter turn; none aliases its input', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const [, h] = augmentationTransforms(['hflip']);
    const [, v] = augmentationTransforms(['vflip']);
    const [, r] = augmentationTransforms(['rot90']);
    expect(Array.from(transformImages(x, h).dataSync())).toEqual([3, 2, 1, 6, 5, 4, 9, 8, 7]);
    expect(Array.from(transformImages(x, v).dataSync())).toEqual([7, 8, 9, 4, 5, 6, 1, 2, 3]);
    expect(Array.from(transformImages(x, r).dataSync())).toEqual([7, 4, 1, 8, 5, 2, 9, 6, 3]);
    const id = transformImages(x, { turns: 0, mirror: false });
    expect(id).not.toBe(x);
    id.dispose();
    expect(x.isDisposed).toBe(false);
    x.dispose();
  });

  it('the per-image pick is deterministic and uses every transform', () => {
    const ts = augmentationTransforms(['hflip', 'vflip', 'rot90']);
    const picks = Array.from({ length: 200 }, (_, i) => pickTransform(ts, 7, 3, i));
    expect(picks).toEqual(Array.from({ length: 200 }, (_, i) => pickTransform(ts, 7, 3, i)));
    const counts = new Map<string, number>();
    for (const p of picks) counts.set(JSON.stringify(p), (counts.get(JSON.stringify(p)) ?? 0) + 1);
    expect(counts.size).toBe(8);
    for (const c of counts.values()) expect(c).toBeGreaterThan(10);
  });

  it('unknown names are a BAD_ARGUMENT naming the valid ones', () => {
    expect(() => resolveFitPlan({ augment: ['flip' as Augmentation] }, 0)).toThrow(/unknown augmentation "flip".*hflip, vflip, rot90/);
  });
});

describe('learning-rate schedule', () => {
  const o = { learningRate: 1e-3, epochs: 10, warmupEpochs: 0 };

  it('constant is the reference; cosine decays from lr to ~0 through lr/2 at the midpoint', () => {
    expect(learningRateAt({ ...o, learningRateSchedule: 'constant' }, 57, 10)).toBe(1e-3);
    const c = { ...o, learningRateSchedule: 'cosine' } as const;
    expect(learningRateAt(c, 0, 10)).toBeCloseTo(1e-3, 12);
    expect(learningRateAt(c, 50, 10)).toBeCloseTo(5e-4, 12);
    expect(learningRateAt(c, 99, 10)).toBeCloseTo(1e-3 * 0.5 * (1 + Math.cos((Math.PI * 99) / 100)), 12);
    for (let t = 1; t < 100; t++) expect(learningRateAt(c, t, 10)).toBeLessThan(learningRateAt(c, t - 1, 10));
  });

  it('warm-up rises linearly to lr, then the cosine starts', () => {
    const c = { ...o, learningRateSchedule: 'cosine', warmupEpochs: 2 } as const;
    expect(learningRateAt(c, 0, 10)).toBeCloseTo(1e-3 / 20, 12);
    expect(learningRateAt(c, 9, 10)).toBeCloseTo(1e-3 / 2, 12);
    expect(learningRateAt(c, 19, 10)).toBeCloseTo(1e-3, 12);
    expect(learningRateAt(c, 20, 10)).toBeCloseTo(1e-3, 12);
    expect(learningRateAt(c, 60, 10)).toBeCloseTo(5e-4, 12);
  });

  it('rejects unknown schedules and negative noise', () => {
    expect(() => resolveFitPlan({ learningRateSchedule: 'step' as 'cosine' }, 0)).toThrow(/learningRateSchedule must be 'constant' or 'cosine'/);
    expect(() => resolveFitPlan({ featureNoise: -1 }, 0)).toThrow(/featureNoise must be a number ≥ 0/);
  });
});

describe('recipe options in fit (cpu, tiny config)', () => {
  const train = Array.from({ length: 6 }, (_, k) => image(k));
  beforeAll(() => setBackend('cpu'));
  afterAll(() => setBackend('cpu'));

  async function fitWeights(fit: Parameters<Awaited<ReturnType<typeof createDetector>>['fit']>[1], det = TINY as Parameters<typeof createDetector>[0]) {
    const d = await createDetector(det);
    const r = await d.fit(train, { epochs: 1, batchSize: 3, calibrate: false, ...fit });
    const w = Array.from(modelOf(d).params.get('nf_flows.0.module_list.0.subnet_1.pw.0.0.weight').dataSync());
    d.dispose();
    return { r, w };
  }

  it('zero noise, no augmentation and a constant schedule are exactly the reference training', async () => {
    const a = await fitWeights({});
    const b = await fitWeights({ featureNoise: 0, augment: [], learningRateSchedule: 'constant' });
    expect(b.w).toEqual(a.w);
    expect(b.r.epochLosses).toEqual(a.r.epochLosses);
  });

  it('each option changes training, deterministically, and leaks no tensors', async () => {
    const base = await fitWeights({});
    for (const opts of [{ featureNoise: 0.5 }, { augment: ['hflip', 'rot90'] as Augmentation[] }, { learningRateSchedule: 'cosine' as const }]) {
      const before = tf.memory().numTensors;
      const a = await fitWeights(opts);
      const b = await fitWeights(opts);
      expect(tf.memory().numTensors).toBe(before);
      expect(a.w).toEqual(b.w);
      expect(a.r.epochLosses.every(Number.isFinite)).toBe(true);
      expect(a.w).not.toEqual(base.w);
    }
  });

  it('cosine ends with smaller steps than constant: the last epoch moves the weights less', async () => {
    const moved = async (schedule: 'constant' | 'cosine') => {
      const d = await createDetector(TINY);
      await d.fit(train, { epochs: 1, batchSize: 3, calibrate: false, learningRateSchedule: schedule });
      const key = 'nf_flows.0.module_list.0.subnet_1.pw.0.0.weight';
      const w0 = Array.from(modelOf(d).params.get(key).dataSync());
      await d.fit(train, { epochs: 1, batchSize: 3, calibrate: false, learningRateSchedule: schedule, learningRate: 1e-3, warmupEpochs: 0 });
      const w1 = modelOf(d).params.get(key).dataSync();
      d.dispose();
      return Math.sqrt(w0.reduce((s, v, i) => s + (v - w1[i]) ** 2, 0));
    };
    // A one-epoch cosine fit takes its steps at lr·½(1+cos(πt/T)) ≤ lr.
    expect(await moved('cosine')).toBeLessThan(await moved('constant'));
  });

  it('dwKernel 1 builds 1×1 depthwise weights, trains, and survives save/load with identical maps', async () => {
    const det = await createDetector({ ...TINY, dwKernel: 1 });
    expect(modelOf(det).params.get('nf_flows.0.module_list.0.subnet_1.dw.0.0.weight').shape).toEqual([1, 1, 192, 1]);
    const ref = await createDetector(TINY);
    // Each 3×3 → 1×1 depthwise kernel drops 8 weights per hidden channel (hidden = 6·C/2 per subnet, two subnets).
    expect(det.trainableParameters).toBe(ref.trainableParameters - 8 * 6 * (64 + 128 + 256));
    ref.dispose();
    const r = await det.fit(train, { epochs: 2, batchSize: 3 });
    expect(r.epochLosses[1]).toBeLessThan(r.epochLosses[0]);
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'danflow-recipe-')), 'm');
    await det.save(dir);
    const back = await loadDetector(dir, { backend: 'cpu' });
    expect(back.config.dwKernel).toBe(1);
    const [a, b] = [await det.localize(train[0]), await back.localize(train[0])];
    expect(Array.from(b.anomalyMap.data)).toEqual(Array.from(a.anomalyMap.data));
    det.dispose();
    back.dispose();
  });

  it('a bad dwKernel is a BAD_CONFIG naming the accepted values', async () => {
    const err = await createDetector({ ...TINY, dwKernel: 5 as 3 }).catch((e) => e);
    expect(isDanflowError(err) && err.code === 'BAD_CONFIG').toBe(true);
    expect(String(err.message)).toMatch(/dwKernel must be 1 or 3/);
  });
});
