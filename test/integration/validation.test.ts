import { beforeAll, describe, expect, it } from 'vitest';
import { createDetector, loadDetector } from '../../src/index.js';
import { generateSyntheticDataset } from '../../src/synthetic/index.js';
import { paintValidationImages } from '../../src/fitting/validation.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setBackend } from '../helpers/backend.js';

const TINY = { backbone: 'resnet18', inputSize: 64, flowSteps: 1, numDw: 1, attention: 'eca', backend: 'wasm', seed: 1 } as const;

describe('synthetic-anomaly validation', () => {
  const data = generateSyntheticDataset({ category: 'fabric', size: 64, trainCount: 14, testGoodCount: 0, testDefectCount: 0, seed: 5 });
  beforeAll(() => setBackend('wasm'));

  it('paints deterministic defects with exact, non-empty masks', async () => {
    const a = await paintValidationImages(data.train.slice(0, 3), 2, 7);
    const b = await paintValidationImages(data.train.slice(0, 3), 2, 7);
    expect(a.images).toHaveLength(9);
    for (let i = 0; i < a.masks.length; i++) {
      expect(Array.from(a.masks[i].data)).toEqual(Array.from(b.masks[i].data));
      const painted = a.masks[i].data.some((v) => v > 0);
      expect(painted).toBe(i % 3 !== 0); // every third is the clean original
    }
    const c = await paintValidationImages(data.train.slice(0, 3), 2, 8);
    expect(Array.from(c.masks[1].data)).not.toEqual(Array.from(a.masks[1].data));
  });

  it('reports validation metrics per epoch, keeps and restores the best weights, and the threshold survives save/load', async () => {
    const det = await createDetector(TINY);
    const seen: Record<string, number>[] = [];
    const held = data.train.slice(0, 4);
    const r = await det.fit(data.train.slice(4), {
      epochs: 4,
      batchSize: 4,
      learningRate: 3e-3,
      validation: { images: held, every: 1, copies: 2, seed: 9 },
      onProgress: (e) => e.type === 'epoch' && e.validation && seen.push(e.validation),
    });
    expect(seen).toHaveLength(r.epochs);
    for (const v of seen) {
      expect(v.pixelAuroc).toBeGreaterThan(0);
      expect(v.pixelAuroc).toBeLessThanOrEqual(1);
    }
    const best = r.validation!.best;
    expect(best.score).toBe(Math.max(...r.validation!.history.map((h) => h.score)));
    // The weights in place are the best epoch's: re-evaluating the same painted set gives its score
    // (epochs are compared at σ 4; the model's own smoothing is chosen afterwards, on these weights).
    const again0 = await det.validate(held, { copies: 2, seed: 9, sigma: 4 });
    expect(again0.score).toBeCloseTo(best.score, 6);
    expect(det.threshold).toBeTypeOf('number');
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'danflow-val-')), 'm');
    await det.save(dir);
    const again = await loadDetector(dir, { backend: 'wasm' });
    expect(again.threshold).toBe(det.threshold);
    again.dispose();
    det.dispose();
  });

  it('early stopping with patience stops before the last epoch and restores the best', async () => {
    const det = await createDetector(TINY);
    const r = await det.fit(data.train, { epochs: 30, batchSize: 4, learningRate: 5e-2, validation: { holdOut: 0.25, patience: 2 } });
    const v = r.validation!;
    expect(v.stoppedEarly).toBe(true);
    expect(r.epochs).toBe(v.best.epoch + 2);
    expect(v.restored).toBe(true);
    det.dispose();
  });

  it("imageScore 'auto' picks the rule that best separates painted from clean validation images, and the model keeps it", async () => {
    const det = await createDetector(TINY);
    expect(det.config.imageScore).toBe('auto');
    const r = await det.fit(data.train, { epochs: 2, batchSize: 4, validation: { holdOut: 0.3, copies: 2, seed: 4 } });
    const candidates = r.validation!.imageScores!;
    expect(candidates.map((c) => c.rule.rule)).toEqual(['max', 'top', 'top', 'mean', 'likelihood']);
    const best = candidates.reduce((a, c) => (c.imageAuroc > a.imageAuroc ? c : a));
    expect(det.config.imageScore).toEqual(best.rule);
    // Two thresholds: decisions on scores (held-out clean images' quantile), masks on map values (F1 on painted defects).
    expect(det.threshold).toBeTypeOf('number');
    expect(det.pixelThreshold).toBeTypeOf('number');
    const img = data.train[0];
    const before = await det.localize(img);
    expect(before.isAnomalous).toBe(before.score >= det.threshold!);
    expect(Array.from(before.mask.data).some((v, i) => v !== (before.anomalyMap.data[i] >= det.pixelThreshold! ? 1 : 0))).toBe(false);
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'danflow-val-')), 'm');
    await det.save(dir);
    const again = await loadDetector(dir, { backend: 'wasm' });
    expect(again.config.imageScore).toEqual(best.rule);
    expect([again.threshold, again.pixelThreshold]).toEqual([det.threshold, det.pixelThreshold]);
    const after = await again.localize(img);
    expect(after.score).toBe(before.score);
    again.dispose();
    det.dispose();
  });

  it("sigma 'auto' picks the map smoothing on the painted defects; thresholds, localize and the saved model use it", async () => {
    const det = await createDetector(TINY);
    expect([det.config.sigma, det.sigma]).toEqual(['auto', 4]);
    const r = await det.fit(data.train, { epochs: 2, batchSize: 4, validation: { holdOut: 0.3, copies: 2, seed: 4, sigmas: [0, 2, 8] } });
    const candidates = r.validation!.sigmas!;
    expect(candidates.map((c) => c.sigma)).toEqual([0, 2, 8]);
    // The candidates are scored on the same maps blurred differently: their scores must differ.
    expect(new Set(candidates.map((c) => c.score)).size).toBe(3);
    for (const c of candidates) expect(c.score).toBeCloseTo((c.pixelAuroc + c.aupro) / 2, 12);
    const best = candidates.reduce((a, c) => (c.score > a.score ? c : a));
    expect([det.config.sigma, det.sigma, det.scoreStats!.sigma]).toEqual([best.sigma, best.sigma, best.sigma]);
    const img = data.train[0];
    const byDefault = await det.localize(img);
    const explicit = await det.localize(img, { sigma: best.sigma });
    expect(Array.from(byDefault.anomalyMap.data)).toEqual(Array.from(explicit.anomalyMap.data));
    expect(byDefault.normalizedScore).toBeTypeOf('number');
    const other = await det.localize(img, { sigma: best.sigma === 8 ? 0 : 8 });
    expect(other.normalizedScore).toBeUndefined();
    expect(other.score).not.toBe(byDefault.score);
    const dir = path.join(mkdtempSync(path.join(tmpdir(), 'danflow-sigma-')), 'm');
    await det.save(dir);
    const again = await loadDetector(dir, { backend: 'wasm' });
    expect(again.sigma).toBe(best.sigma);
    expect((await again.localize(img)).score).toBe(byDefault.score);
    again.dispose();
    // Models saved before the field existed smooth at anomalib's 4.
    const manifestPath = path.join(dir, 'danflow.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    delete manifest.config.sigma;
    writeFileSync(manifestPath, JSON.stringify(manifest));
    const old = await loadDetector(dir, { backend: 'wasm' });
    expect(old.sigma).toBe(4);
    old.dispose();
    det.dispose();
  });

  it('a fixed sigma is kept by a validated fit; without validation auto means 4; bad values are refused', async () => {
    const fixed = await createDetector({ ...TINY, sigma: 6 });
    const r = await fixed.fit(data.train, { epochs: 1, batchSize: 4, validation: { holdOut: 0.3 } });
    expect(r.validation!.sigmas).toBeUndefined();
    expect([fixed.sigma, fixed.scoreStats!.sigma]).toEqual([6, 6]);
    fixed.dispose();
    const plain = await createDetector(TINY);
    await plain.fit(data.train, { epochs: 1, batchSize: 4 });
    expect([plain.config.sigma, plain.scoreStats!.sigma]).toEqual([4, 4]);
    plain.dispose();
    await expect(createDetector({ ...TINY, sigma: -1 })).rejects.toThrow(/sigma must be 'auto' or a number ≥ 0/);
  });

  it("imageScore 'max' keeps the reference's rule and, without validation, one threshold for scores and masks", async () => {
    const det = await createDetector({ ...TINY, imageScore: 'max' });
    await det.fit(data.train, { epochs: 1, batchSize: 4 });
    expect(det.config.imageScore).toEqual({ rule: 'max' });
    expect(det.pixelThreshold).toBe(det.threshold);
    const r = await det.localize(data.train[0]);
    expect(r.score).toBe(r.maxPixel);
    det.dispose();
    await expect(createDetector({ ...TINY, method: 'patchcore', imageScore: 'likelihood' })).rejects.toThrow(/needs a method with a likelihood/);
  });
});
