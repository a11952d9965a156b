import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDetector } from '../../src/index.js';
import { openDataset } from '../../src/data/index.js';
import { auroc } from '../../src/metrics/auroc.js';
import { aupro } from '../../src/metrics/aupro.js';
import type { BinaryMask, ScoreMap } from '../../src/core/types.js';
import { setBackend } from '../helpers/backend.js';
import { operatingPoint } from '../../src/report/evaluate.js';
import { SHARED } from '../helpers/paths.js';

const DATA = path.join(SHARED, 'data/mvtec3d');
const WEIGHTS = path.join(SHARED, 'weights/mobilenetv2-035-tm/model.json');
const available = existsSync(path.join(DATA, 'tire')) && existsSync(WEIGHTS);
if (!available) console.log(`skipping real-data tests: ${SHARED} (MVTec 3D-AD tire + MobileNetV2 weights) is not present`);

/**
 * Real defects, real pretrained features: MVTec 3D-AD `tire` (400×300, defects < 1% of pixels) with
 * the ImageNet MobileNetV2 α0.35. To fit CI time, PatchCore is fitted on every third training image
 * (70 of 210); the floor is set below what that measured (pixel AUROC 0.97x, see README) so only a
 * real regression fails it. The full-data figures are in the README.
 */
describe.skipIf(!available)('real data: MVTec 3D-AD tire with MobileNetV2 features', () => {
  beforeAll(() => setBackend('wasm'));

  it('PatchCore localises real defects: pixel AUROC ≥ 0.95, AUPRO ≥ 0.80', async () => {
    const ds = await openDataset({ format: 'mvtec', root: DATA, category: 'tire' });
    const train: string[] = [];
    for await (const s of ds.train()) train.push(s.path);
    const det = await createDetector({ method: 'patchcore', backbone: 'mobilenetv2', weights: WEIGHTS, inputSize: 224, backend: 'wasm' });
    await det.fit(train.filter((_, i) => i % 3 === 0));
    const maps: ScoreMap[] = [];
    const masks: BinaryMask[] = [];
    for await (const s of ds.test()) {
      maps.push((await det.localize(s.path)).anomalyMap);
      masks.push((await s.mask())!);
    }
    const pix = auroc(maps, masks);
    const pro = aupro(maps, masks);
    console.log(`tire, PatchCore on 70 train images: pixel AUROC ${pix.toFixed(4)}, AUPRO ${pro.toFixed(4)} over ${maps.length} test images`);
    expect(pix).toBeGreaterThanOrEqual(0.95);
    expect(pro).toBeGreaterThanOrEqual(0.8);
    det.dispose();
  });

  it("OK/NG at the model's own threshold (issue 18): validation-calibrated PatchCore rejects ≤ 5 % of good test images", async () => {
    const ds = await openDataset({ format: 'mvtec', root: DATA, category: 'tire' });
    const train: string[] = [];
    for await (const s of ds.train()) train.push(s.path);
    const det = await createDetector({ method: 'patchcore', backbone: 'mobilenetv2', weights: WEIGHTS, inputSize: 224, backend: 'wasm' });
    const fit = await det.fit(train, { validation: { holdOut: 0.15 } });
    // The rule was chosen on painted defects only; it is the best of the candidates there.
    const candidates = fit.validation!.imageScores!;
    expect(candidates.find((c) => JSON.stringify(c.rule) === JSON.stringify(det.config.imageScore))!.imageAuroc).toBe(Math.max(...candidates.map((c) => c.imageAuroc)));
    const scores: number[] = [];
    const labels: (0 | 1)[] = [];
    for await (const s of ds.test()) {
      scores.push((await det.localize(s.path)).score);
      labels.push(s.label);
    }
    const op = operatingPoint(scores, labels, det.threshold!);
    console.log(`tire, PatchCore (${JSON.stringify(det.config.imageScore)}): image AUROC ${auroc(scores, labels).toFixed(3)}; at the model's threshold: false rejects ${op.confusion.falsePositive}/${op.confusion.falsePositive + op.confusion.trueNegative}, misses ${op.confusion.falseNegative}/${op.confusion.falseNegative + op.confusion.truePositive}`);
    expect(op.falseRejectRate!).toBeLessThanOrEqual(0.05);
    det.dispose();
  }, 600_000);
});
