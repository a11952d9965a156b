import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector, loadDetector, type Detector } from '../../src/index.js';
import { isDanflowError } from '../../src/core/errors.js';
import { writeModel } from '../../src/io/model-store.js';
import type { RawImage } from '../../src/core/types.js';
import { hashBytes } from '../../src/core/prng.js';
import { setBackend } from '../helpers/backend.js';
import { implOf, modelOf } from '../helpers/internals.js';

/** Smooth synthetic "normal" images: a shifted sinusoid pattern plus a little noise. */
function normalImage(k: number, size = 64): RawImage {
  const data = new Uint8Array(size * size * 3);
  const noise = hashBytes(`noise${k}`, data.length);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      for (let c = 0; c < 3; c++) {
        const v = 128 + 60 * Math.sin((x + k) / 5 + c) * Math.cos((y - k) / 7) + (noise[(y * size + x) * 3 + c] - 128) / 16;
        data[(y * size + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
  return { data, width: size, height: size, channels: 3 };
}

function withDefect(img: RawImage): RawImage {
  const data = Uint8Array.from(img.data as Uint8Array);
  for (let y = 20; y < 34; y++) for (let x = 24; x < 40; x++) for (let c = 0; c < 3; c++) data[(y * img.width + x) * 3 + c] = c === 0 ? 255 : 0;
  return { ...img, data };
}

const TINY = { backbone: 'resnet18', inputSize: 64, flowSteps: 1, numDw: 1, attention: 'eca', backend: 'wasm', seed: 3 } as const;
const tmp = mkdtempSync(path.join(tmpdir(), 'danflow-det-'));

describe('detector end to end (wasm, tiny config)', () => {
  let det: Detector;
  const train = Array.from({ length: 8 }, (_, k) => normalImage(k));

  beforeAll(async () => {
    await setBackend('wasm');
    det = await createDetector(TINY);
  });
  afterAll(() => det?.dispose());

  it('reports the backend and the paper config parameter count (3,530,294)', async () => {
    expect(det.backend).toBe('wasm');
    const paper = await createDetector({ backbone: 'resnet18', weights: 'random', inputSize: 256, flowSteps: 3, numDw: 3, doubleSubnets: true, attention: 'eca', backend: 'wasm' });
    expect(paper.trainableParameters).toBe(3_530_294);
    paper.dispose();
  });

  it('fit lowers the loss, changes BN running statistics, reports progress and calibrates a threshold', async () => {
    const bnKey = 'nf_flows.0.module_list.0.subnet_1.pw.0.1.running_mean';
    const before = modelOf(det).params.get(bnKey).dataSync().slice();
    const events: string[] = [];
    const r = await det.fit(train, { epochs: 4, batchSize: 4, learningRate: 2e-3, onProgress: (e) => events.push(e.type) });
    expect(r.epochLosses).toHaveLength(4);
    expect(r.epochLosses.every(Number.isFinite)).toBe(true);
    expect(r.epochLosses[3]).toBeLessThan(r.epochLosses[0]);
    const after = modelOf(det).params.get(bnKey).dataSync();
    let changed = 0;
    for (let i = 0; i < after.length; i++) changed = Math.max(changed, Math.abs(after[i] - before[i]));
    expect(changed).toBeGreaterThan(1e-3);
    expect(events.filter((e) => e === 'step')).toHaveLength(8);
    expect(events.filter((e) => e === 'epoch')).toHaveLength(4);
    expect(events).toContain('features');
    expect(det.threshold).toBeTypeOf('number');
    expect(det.scoreStats?.count).toBe(8);
  });

  it('localize returns maps at the original size; a pasted defect scores higher than normal images', async () => {
    const normal = normalImage(42, 80);
    const results = await det.localize([normal, withDefect(normal)]);
    expect(results[0].anomalyMap.width).toBe(80);
    expect(results[0].anomalyMap.data.length).toBe(80 * 80);
    expect(results[0].mask.data.length).toBe(80 * 80);
    for (const r of results) {
      expect(r.score).toBeLessThanOrEqual(0);
      expect(r.score).toBeGreaterThanOrEqual(-1);
    }
    expect(results[1].score).toBeGreaterThan(results[0].score);
    const single = await det.localize(normal);
    expect(single.score).toBeCloseTo(results[0].score, 5);
  });

  it('save → load → localize gives identical maps, threshold and config', async () => {
    const dir = path.join(tmp, 'model');
    await det.save(dir);
    expect(readdirSync(dir).sort()).toEqual(['danflow.json', 'weights.safetensors']);
    const again = await loadDetector(dir, { backend: 'wasm' });
    const img = withDefect(normalImage(7));
    const [a, b] = [await det.localize(img), await again.localize(img)];
    expect(Array.from(b.anomalyMap.data)).toEqual(Array.from(a.anomalyMap.data));
    expect(b.threshold).toBe(a.threshold);
    expect(again.config).toEqual(det.config);
    again.dispose();
    // A single-file .danflow round trip too.
    await det.save(path.join(tmp, 'one.danflow'));
    const fromFile = await loadDetector(path.join(tmp, 'one.danflow'), { backend: 'wasm' });
    expect(Array.from((await fromFile.localize(img)).anomalyMap.data)).toEqual(Array.from(a.anomalyMap.data));
    fromFile.dispose();
  });

  it('keeps tf.memory().numTensors flat across 20 localize calls', async () => {
    const img = normalImage(1);
    await det.localize(img);
    const start = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) await det.localize(i % 2 ? img : [img, img]);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('keeps tensors flat across fit (no leaked features, gradients or optimiser state)', async () => {
    const d = await createDetector(TINY);
    const start = tf.memory().numTensors;
    await d.fit(train.slice(0, 4), { epochs: 1, batchSize: 2 });
    expect(tf.memory().numTensors).toBe(start);
    d.dispose();
  });

  it('a failed save leaves the previous model intact and no temporary files', async () => {
    const dir = path.join(tmp, 'keep');
    await det.save(dir);
    const good = readFileSync(path.join(dir, 'weights.safetensors'));
    const saved = await implOf(det).serialize();
    (saved.manifest as any).bad = 10n; // JSON.stringify throws after the weights were written
    await expect(writeModel(dir, saved)).rejects.toThrow();
    expect(readFileSync(path.join(dir, 'weights.safetensors')).equals(good)).toBe(true);
    expect(readdirSync(tmp).filter((f) => f.includes('.tmp-') || f.includes('.old-'))).toEqual([]);
    const reloaded = await loadDetector(dir, { backend: 'wasm' });
    reloaded.dispose();
  });
});

describe('clear typed errors', () => {
  beforeAll(() => setBackend('wasm'));

  it('empty training set → EMPTY_DATASET', async () => {
    const d = await createDetector(TINY);
    const e = await d.fit([]).catch((x) => x);
    expect(isDanflowError(e, 'EMPTY_DATASET')).toBe(true);
    d.dispose();
  });

  it('bad config → BAD_CONFIG naming the field', async () => {
    const e = await createDetector({ ...TINY, inputSize: 100 }).catch((x) => x);
    expect(isDanflowError(e, 'BAD_CONFIG')).toBe(true);
    expect(e.message).toContain('inputSize');
    const e2 = await createDetector({ ...TINY, attention: 'se' as never }).catch((x) => x);
    expect(e2.message).toContain('attention');
  });

  it('unknown backend and missing tensorflow backend → BACKEND_UNAVAILABLE listing the reason', async () => {
    const e = await createDetector({ ...TINY, backend: 'tensorflow' }).catch((x) => x);
    expect(isDanflowError(e, 'BACKEND_UNAVAILABLE')).toBe(true);
    expect(e.message).toContain('@tensorflow/tfjs-node');
    const e2 = await createDetector({ ...TINY, backend: 'tpu' as never }).catch((x) => x);
    expect(isDanflowError(e2, 'BAD_CONFIG')).toBe(true);
  });

  it('bad image input → BAD_IMAGE', async () => {
    const d = await createDetector(TINY);
    const e = await d.localize({ data: new Uint8Array(10), width: 4, height: 4, channels: 3 }).catch((x) => x);
    expect(isDanflowError(e, 'BAD_IMAGE')).toBe(true);
    const e2 = await d.localize(path.join(tmp, 'missing.png')).catch((x) => x);
    expect(isDanflowError(e2, 'NOT_FOUND')).toBe(true);
    d.dispose();
  });

  it('non-finite pixels → BAD_IMAGE', async () => {
    const d = await createDetector(TINY);
    const img = normalImage(0);
    const bad = { ...img, data: Float32Array.from(img.data as Uint8Array, (v, i) => (i === 100 ? NaN : v)) };
    const e = await d.fit([bad, img], { epochs: 1 }).catch((x) => x);
    expect(isDanflowError(e, 'BAD_IMAGE')).toBe(true);
    expect(e.message).toContain('index 100');
    d.dispose();
  });

  it('diverging training → NAN_LOSS, weights left as after the last good step', async () => {
    const d = await createDetector(TINY);
    const key = 'nf_flows.2.module_list.0.subnet_1.pw.0.0.weight';
    let snapshot: Float32Array | undefined;
    const e = await d
      .fit([normalImage(0), normalImage(1)], {
        epochs: 50,
        batchSize: 1,
        learningRate: 1e6,
        onProgress: (ev) => {
          if (ev.type === 'step') snapshot = modelOf(d).params.get(key).dataSync().slice() as Float32Array;
        },
      })
      .catch((x) => x);
    expect(isDanflowError(e, 'NAN_LOSS')).toBe(true);
    expect(e.message).toMatch(/learningRate/);
    expect(snapshot).toBeDefined();
    expect(Array.from(modelOf(d).params.get(key).dataSync())).toEqual(Array.from(snapshot!));
    d.dispose();
  });

  it('abort → ABORTED', async () => {
    const d = await createDetector(TINY);
    const ctl = new AbortController();
    const e = await d
      .fit([normalImage(1), normalImage(2)], { epochs: 5, batchSize: 1, signal: ctl.signal, onProgress: (ev) => ev.type === 'step' && ctl.abort() })
      .catch((x) => x);
    expect(isDanflowError(e, 'ABORTED')).toBe(true);
    d.dispose();
  });

  it('corrupt, truncated, wrong-version and missing models → typed errors', async () => {
    const d = await createDetector(TINY);
    const dir = path.join(tmp, 'victim');
    await d.save(dir);
    d.dispose();
    const manifestPath = path.join(dir, 'danflow.json');
    const weightsPath = path.join(dir, 'weights.safetensors');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    const weights = readFileSync(weightsPath);

    writeFileSync(weightsPath, weights.subarray(0, weights.length - 100));
    expect(isDanflowError(await loadDetector(dir).catch((x) => x), 'CHECKSUM')).toBe(true);

    const flipped = Buffer.from(weights);
    flipped[flipped.length - 5] ^= 0xff;
    writeFileSync(weightsPath, flipped);
    const e = await loadDetector(dir).catch((x) => x);
    expect(isDanflowError(e, 'CHECKSUM')).toBe(true);
    expect(e.message).toContain('SHA-256');
    writeFileSync(weightsPath, weights);

    writeFileSync(manifestPath, JSON.stringify({ ...manifest, formatVersion: 99, sdkVersion: '9.0.0' }));
    const v = await loadDetector(dir).catch((x) => x);
    expect(isDanflowError(v, 'MODEL_VERSION')).toBe(true);
    expect(v.message).toContain('99');

    writeFileSync(manifestPath, '{ not json');
    expect(isDanflowError(await loadDetector(dir).catch((x) => x), 'MODEL_FORMAT')).toBe(true);

    expect(isDanflowError(await loadDetector(path.join(tmp, 'nope')).catch((x) => x), 'NOT_FOUND')).toBe(true);
    expect(existsSync(weightsPath)).toBe(true);
  });
});
