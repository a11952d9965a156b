/**
 * The onnxruntime engine through the public API: engine selection, the same LocalizeResult as
 * tfjs, never a stale session (after fit, calibrate, a new memory bank, env.numThreads), the
 * typed error when the package is missing (the loader's resolver rooted where it is not
 * installed), 'auto' falling back to tfjs for a network the exporter cannot trace, exportOnnx and
 * its metadata, and no leaked tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector, DEFAULTS, env, isDanflowError, loadDetector, type Detector, type LocalizeResult, type RawImage } from '../../src/index.js';
import { hashBytes } from '../../src/core/prng.js';
import { decodeModel } from '../../src/engine/onnx/schema.js';
import { nodePackageLoader, setPackageLoader } from '../../src/engine/ort/load.js';
import { setBackend } from '../helpers/backend.js';
import { implOf, modelOf } from '../helpers/internals.js';
import { decodeBatch } from '../../src/image/batch.js';
import { contractInput, maxAbs, runOrt } from '../helpers/onnx.js';

const TINY = { backbone: 'resnet18', inputSize: 32, flowSteps: 1, numDw: 1, attention: 'eca', backend: 'cpu', seed: 5 } as const;
const tmp = mkdtempSync(path.join(tmpdir(), 'danflow-ort-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function image(key: string, width: number, height: number): RawImage {
  return { data: hashBytes(key, width * height * 3), width, height, channels: 3 };
}

const train = Array.from({ length: 6 }, (_, i) => image(`train/${i}`, 40, 36));
// Odd sizes: maps are resized back to each image's own size by the shared post-processing.
const test = [image('test/0', 50, 40), image('test/1', 32, 32), image('test/2', 23, 61)];

function expectSameResults(a: LocalizeResult[], b: LocalizeResult[], tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  a.forEach((r, i) => {
    const q = b[i];
    expect([r.anomalyMap.width, r.anomalyMap.height]).toEqual([q.anomalyMap.width, q.anomalyMap.height]);
    expect(maxAbs(r.anomalyMap.data.map((v, k) => v - q.anomalyMap.data[k]))).toBeLessThanOrEqual(tol);
    expect(Math.abs(r.score - q.score)).toBeLessThanOrEqual(tol);
    expect(Math.abs(r.maxPixel - q.maxPixel)).toBeLessThanOrEqual(tol);
    if (q.normalizedScore === undefined) expect(r.normalizedScore).toBeUndefined(); // sigma ≠ the calibration's
    else expect(Math.abs(r.normalizedScore! - q.normalizedScore)).toBeLessThanOrEqual(tol);
    expect(r.isAnomalous).toBe(q.isAnomalous);
    expect([r.threshold, r.pixelThreshold]).toEqual([q.threshold, q.pixelThreshold]);
    // Masks agree except where a map value lies within the tolerance of the pixel threshold.
    const t = r.pixelThreshold!;
    r.mask.data.forEach((m, k) => {
      if (Math.abs(q.anomalyMap.data[k] - t) > tol) expect(m).toBe(q.mask.data[k]);
    });
  });
}

/** What tfjs computes for the detector's current weights: maps [S, S] at `sigma` and the score, decoded as localize decodes. */
async function tfjsNow(det: Detector, img: RawImage, sigma: number): Promise<{ maps: Float32Array; score: number }> {
  const { batch } = await decodeBatch([img], det.config.inputSize);
  const r = tf.tidy(() => {
    const { maps, scores } = modelOf(det).mapsAndScores(batch, sigma);
    return { maps: maps.dataSync() as Float32Array, score: scores.dataSync()[0] };
  });
  batch.dispose();
  return r;
}

describe('engine selection', () => {
  beforeAll(() => setBackend('cpu'));

  it("'auto' (the default) picks onnxruntime where onnxruntime-node is installed; 'tfjs' keeps tfjs", async () => {
    expect(DEFAULTS.detector.engine).toBe('auto');
    const auto = await createDetector(TINY);
    const tfjs = await createDetector({ ...TINY, engine: 'tfjs' });
    expect(auto.engine).toBe('onnxruntime');
    expect(tfjs.engine).toBe('tfjs');
    auto.dispose();
    tfjs.dispose();
  });

  it('rejects an unknown engine, naming the choices', async () => {
    const err = await createDetector({ ...TINY, engine: 'tensorrt' as never }).catch((e: unknown) => e);
    expect(isDanflowError(err, 'BAD_CONFIG')).toBe(true);
    expect((err as Error).message).toMatch(/auto, tfjs, onnxruntime/);
  });

  describe('without the package (the loader resolves from a folder where it is not installed)', () => {
    beforeAll(() => setPackageLoader(nodePackageLoader(path.join(tmp, 'nowhere.js'))));
    afterAll(() => setPackageLoader(undefined));

    it("engine 'onnxruntime' is an ENGINE_UNAVAILABLE error with the install command", async () => {
      for (const attempt of [() => createDetector({ ...TINY, engine: 'onnxruntime' }), () => loadDetector(path.join(tmp, 'missing'), { engine: 'onnxruntime' })]) {
        const err = await attempt().catch((e: unknown) => e);
        if (isDanflowError(err, 'NOT_FOUND')) continue; // loadDetector reads the model first
        expect(isDanflowError(err, 'ENGINE_UNAVAILABLE'), String(err)).toBe(true);
        expect((err as Error).message).toContain('ONNXRUNTIME_NODE_INSTALL_CUDA=skip npm install onnxruntime-node');
        expect((err as Error).message).toMatch(/Cannot find module 'onnxruntime-node'/);
      }
    });

    it("'auto' falls back to tfjs", async () => {
      const det = await createDetector(TINY);
      expect(det.engine).toBe('tfjs');
      expect((await det.localize(test[0], { threshold: 0 })).anomalyMap.width).toBe(50);
      det.dispose();
    });
  });
});

describe('onnxruntime localize = tfjs localize', () => {
  let reference: Detector;
  let dir: string;
  beforeAll(async () => {
    await setBackend('cpu');
    reference = await createDetector({ ...TINY, engine: 'tfjs' });
    await reference.fit(train, { epochs: 2, batchSize: 3 });
    dir = path.join(tmp, 'fitted');
    await reference.save(dir);
  });
  afterAll(() => reference?.dispose());

  it.each([4, 0, 1.5])('the same LocalizeResult (maps at image size, masks, decisions, normalised score) at sigma %s', async (sigma) => {
    const ort = await loadDetector(dir, { backend: 'cpu', engine: 'onnxruntime' });
    expect(ort.engine).toBe('onnxruntime');
    expect(ort.threshold).toBeDefined();
    // batchSize 2 over 3 images: batches of 2 and 1 through one session (the batch is dynamic).
    expectSameResults(await ort.localize(test, { sigma, batchSize: 2 }), await reference.localize(test, { sigma, batchSize: 2 }));
    expect(await implOf(ort).engineSessionsCreated()).toBe(1);
    ort.dispose();
  });

  it('threshold overrides per call apply to both engines alike', async () => {
    const ort = await loadDetector(dir, { backend: 'cpu', engine: 'onnxruntime' });
    const r = await ort.localize(test[0]);
    const o = { threshold: r.score - 1e-3, pixelThreshold: r.maxPixel - 1e-3 };
    expectSameResults(await ort.localize([test[0]], o), await reference.localize([test[0]], o));
    ort.dispose();
  });

  it('leaks no tensors: localize and exportOnnx', async () => {
    const ort = await loadDetector(dir, { backend: 'cpu', engine: 'onnxruntime' });
    await ort.localize(test); // builds the session
    const before = tf.memory().numTensors;
    await ort.localize(test, { batchSize: 2 });
    await ort.exportOnnx();
    expect(tf.memory().numTensors).toBe(before);
    ort.dispose();
  });
});

describe('never stale', () => {
  beforeAll(() => setBackend('cpu'));

  it('the session is rebuilt after fit (flow), and localize follows the new weights', async () => {
    const det = await createDetector({ ...TINY, engine: 'onnxruntime' });
    const before = await det.localize(test[1], { threshold: 0 });
    await det.fit(train, { epochs: 1, batchSize: 3 });
    const after = await det.localize(test[1], { sigma: 4 });
    expect(await implOf(det).engineSessionsCreated()).toBe(2);
    const ref = await tfjsNow(det, test[1], 4); // 32 × 32: maps at input size
    expect(maxAbs(after.anomalyMap.data.map((v, i) => v - ref.maps[i]))).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(after.score - ref.score)).toBeLessThanOrEqual(1e-5);
    expect(maxAbs(after.anomalyMap.data.map((v, i) => v - before.anomalyMap.data[i]))).toBeGreaterThan(1e-3);
    det.dispose();
  });

  it('after calibrate, and after env.numThreads changes', async () => {
    const det = await createDetector({ ...TINY, engine: 'onnxruntime' });
    await det.localize(test[0], { threshold: 0 });
    expect(await implOf(det).engineSessionsCreated()).toBe(1);
    await det.calibrate(train); // its own localize runs on session 1, then the session is dropped
    await det.localize(test[0]);
    expect(await implOf(det).engineSessionsCreated()).toBe(2);
    const threads = env.numThreads;
    // A count different from the current one (the test set-up runs with 1).
    env.numThreads = (threads ?? 1) + 1;
    try {
      await det.localize(test[0]);
      expect(await implOf(det).engineSessionsCreated()).toBe(3);
    } finally {
      env.numThreads = threads;
    }
    det.dispose();
  });

  it('after a new PatchCore memory bank', async () => {
    const det = await createDetector({ ...TINY, method: 'patchcore', engine: 'onnxruntime', patchcore: { coresetRatio: 0.5 } });
    await det.fit(train.slice(0, 3));
    const first = await det.localize(test[2]);
    await det.fit(train.slice(3));
    const second = await det.localize(test[2]);
    const ref = await tfjsNow(det, test[2], 4);
    // PatchCore's relative bound (see test/unit/engine/export-parity.test.ts).
    expect(Math.abs(second.score - ref.score)).toBeLessThanOrEqual(1e-4 * Math.max(1, ref.score));
    expect(Math.abs(second.score - first.score)).toBeGreaterThan(1e-3);
    expect(await implOf(det).engineSessionsCreated()).toBe(2);
    det.dispose();
  });
});

describe("'auto' and a network the exporter cannot trace", () => {
  beforeAll(() => setBackend('cpu'));

  it("'auto' runs it on tfjs (with a warning); 'onnxruntime' reports ONNX_EXPORT", async () => {
    for (const engine of ['auto', 'onnxruntime'] as const) {
      const det = await createDetector({ ...TINY, engine });
      const head = modelOf(det).head;
      const rawMaps = head.rawMaps.bind(head);
      // An op without an ONNX recording in the head (as a custom backbone could have).
      head.rawMaps = (f) => tf.tidy(() => tf.cumsum(rawMaps(f), 2)) as tf.Tensor3D;
      const run = det.localize(test[1], { threshold: 0 });
      if (engine === 'auto') {
        const r = await run;
        expect(det.engine).toBe('tfjs');
        expect(r.anomalyMap.data.length).toBe(32 * 32);
      } else {
        const err = await run.catch((e: unknown) => e);
        expect(isDanflowError(err, 'ONNX_EXPORT')).toBe(true);
        expect((err as Error).message).toContain('Cumsum');
        expect(det.engine).toBe('onnxruntime');
      }
      det.dispose();
    }
  });
});

describe('exportOnnx', () => {
  beforeAll(() => setBackend('cpu'));

  it('writes the file in Node, and the metadata carries thresholds, config, version, score rule and sigma', async () => {
    const det = await createDetector({ ...TINY, engine: 'tfjs', imageScore: 'mean' });
    await det.fit(train, { epochs: 1, batchSize: 3 });
    const file = path.join(tmp, 'model.onnx');
    const bytes = await det.exportOnnx(file);
    expect(Buffer.compare(readFileSync(file), Buffer.from(bytes))).toBe(0);
    const m = decodeModel(bytes);
    const meta = Object.fromEntries((m.metadataProps ?? []).map((p) => [p.key, p.value]));
    expect(Number(meta['danflow.threshold'])).toBe(det.threshold);
    expect(Number(meta['danflow.pixel_threshold'])).toBe(det.pixelThreshold);
    expect(JSON.parse(meta['danflow.config'])).toEqual(det.config);
    expect(JSON.parse(meta['danflow.image_score'])).toEqual({ rule: 'mean' });
    expect(meta['danflow.score_sigma']).toBe(String(DEFAULTS.localize.sigma));
    expect(meta['danflow.map_sigma']).toBe('0');
    expect(meta['danflow.sdk_version']).toBeTruthy();
    expect(JSON.parse(meta['danflow.score_stats']).count).toBeGreaterThan(0);
    expect(m.graph.input.map((i) => i.name)).toEqual(['image']);
    expect(m.graph.output.map((o) => o.name)).toEqual(['anomaly_map', 'score']);
    expect(m.graph.input[0].type.tensorType.shape.dim).toEqual([{ dimParam: 'N' }, { dimValue: 3 }, { dimValue: 32 }, { dimValue: 32 }]);
    // The contract: anomaly_map = localize(img, { sigma: 0 }) at input size, score = localize(img).score.
    const img = test[1]; // already at input size
    const u8 = Uint8Array.from(img.data as Uint8Array);
    const out = await runOrt(bytes, 32, contractInput(u8, 1, 32), 1);
    const raw = await det.localize(img, { sigma: 0 });
    const smoothed = await det.localize(img);
    expect(maxAbs(out.maps.map((v, i) => v - raw.anomalyMap.data[i]))).toBeLessThanOrEqual(1e-5);
    expect(Math.abs(out.scores[0] - smoothed.score)).toBeLessThanOrEqual(1e-5);
    det.dispose();
  });

  it('is refused after dispose', async () => {
    const det = await createDetector({ ...TINY, engine: 'tfjs' });
    det.dispose();
    const err = await det.exportOnnx().catch((e: unknown) => e);
    expect(isDanflowError(err, 'DISPOSED')).toBe(true);
  });
});
