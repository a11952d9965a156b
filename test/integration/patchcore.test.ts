import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { createDetector, loadDetector } from '../../src/index.js';
import { auroc } from '../../src/metrics/auroc.js';
import { MemoryBank, randomCoreset } from '../../src/methods/patchcore/memory-bank.js';
import { generateSyntheticDataset } from '../../src/synthetic/index.js';
import { setBackend } from '../helpers/backend.js';

beforeAll(() => setBackend('wasm'));

describe('PatchCore memory bank', () => {
  it('nearest distances equal brute force, across chunk boundaries', () => {
    const bank = tf.tensor2d([0, 0, 3, 4, -1, 2], [3, 2]);
    const mb = new MemoryBank(bank);
    const q = tf.tensor2d([0, 1, 3, 3, 10, 0, -1, 2.5], [4, 2]);
    const d = mb.nearest(q, 3).arraySync() as number[];
    const brute = [[0, 1], [3, 3], [10, 0], [-1, 2.5]].map(([x, y]) => Math.min(...[[0, 0], [3, 4], [-1, 2]].map(([a, b]) => Math.hypot(x - a, y - b))));
    d.forEach((v, i) => expect(v).toBeCloseTo(brute[i], 4));
    mb.dispose();
    q.dispose();
  });

  it('random coreset is deterministic, sized and unique', () => {
    const a = randomCoreset(1000, 0.1, 3);
    expect(a).toEqual(randomCoreset(1000, 0.1, 3));
    expect(a).toHaveLength(100);
    expect(new Set(a).size).toBe(100);
    expect(a).not.toEqual(randomCoreset(1000, 0.1, 4));
  });
});

describe("createDetector({ method: 'patchcore' })", () => {
  it('finds painted defects (pixel AUROC), and save → load reproduces the maps', async () => {
    const data = generateSyntheticDataset({ category: 'tile', size: 128, trainCount: 12, testGoodCount: 2, testDefectCount: 6, seed: 2 });
    const det = await createDetector({ method: 'patchcore', backbone: 'resnet18', inputSize: 128, backend: 'wasm', patchcore: { coresetRatio: 0.25, scales: [0, 1] } });
    expect(det.trainableParameters).toBe(0);
    const r = await det.fit(data.train);
    expect(r.epochs).toBe(0);
    expect(det.threshold).toBeTypeOf('number');
    const results = await det.localize(data.test.map((t) => t.image));
    const defective = data.test.map((t, i) => [t, results[i]] as const).filter(([t]) => t.label === 1);
    const pix = auroc(
      defective.map(([, r]) => r.anomalyMap),
      defective.map(([t]) => t.mask),
    );
    console.log(`patchcore on random resnet18 features, synthetic tile: pixel AUROC ${pix.toFixed(3)}`);
    expect(pix).toBeGreaterThan(0.7);
    for (const res of results) expect(res.score).toBeGreaterThanOrEqual(0);

    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'danflow-pc-')), 'pc');
    await det.save(dir);
    const warnings: string[] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => void warnings.push(a.join(' ')));
    const again = await loadDetector(dir, { backend: 'wasm' });
    warn.mockRestore();
    // The memory bank is the method's own tensor: loading it is not "ignoring" it.
    expect(warnings.filter((w) => w.includes('[danflow]'))).toEqual([]);
    expect(again.method).toBe('patchcore');
    const r2 = await again.localize(data.test[0].image);
    expect(Array.from(r2.anomalyMap.data)).toEqual(Array.from(results[0].anomalyMap.data));
    again.dispose();
    det.dispose();
  });

  it('localize before fit is a clear error', async () => {
    const det = await createDetector({ method: 'patchcore', backbone: 'resnet18', inputSize: 64, backend: 'wasm' });
    await expect(det.localize(generateSyntheticDataset({ category: 'tile', size: 64, trainCount: 1, testGoodCount: 0, testDefectCount: 0, seed: 1 }).train[0])).rejects.toThrow(/call fit\(\)/);
    det.dispose();
  });
});
