import { maxRelDiff } from '../../helpers/golden.js';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { MobileNetV2Backbone, describeMobileNetV2, makeDivisible, mobileNetV2Layer } from '../../../src/backbones/mobilenetv2.js';
import { createBackbone } from '../../../src/backbones/registry.js';
import { parseTfjsModelJson, readTfjsWeights, resolveShardLocation, type TfjsModelJson } from '../../../src/backbones/tfjs-model.js';
import { backboneSourceFromCheckpoint, backboneSourceFromTfjs, loadBackboneSource } from '../../../src/backbones/weights.js';
import { resolveConfig, type DetectorConfig } from '../../../src/api/config.js';
import type { TfjsBackboneConfig } from '../../../src/backbones/config.js';
import { validateConfig } from '../../../src/api/validate-config.js';
import { createDetector, loadDetector } from '../../../src/index.js';
import { floatToHalf } from '../../../src/io/safetensors.js';
import { describeModel, Model } from '../../../src/methods/model.js';
import { hashBytes } from '../../../src/core/prng.js';
import { setBackend } from '../../helpers/backend.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const WEIGHTS_DIR = path.resolve(REPO_ROOT, '../shared/weights/mobilenetv2-035-tm');
const HAVE_WEIGHTS = existsSync(path.join(WEIGHTS_DIR, 'model.json')) && existsSync(path.join(WEIGHTS_DIR, 'weights.bin'));
if (!HAVE_WEIGHTS) console.warn(`[backbones-mobilenetv2] skipping the real-weights tests: ${WEIGHTS_DIR}/model.json + weights.bin not found.`);

const PRESET_LAYERS = ['block_3_expand_relu', 'block_6_expand_relu', 'block_13_expand_relu'];

beforeAll(async () => {
  await setBackend('cpu');
});

/** Two different 0..255 RGB images: a smooth gradient with a disc, and hash noise. */
function images(s: number): [tf.Tensor4D, tf.Tensor4D] {
  const a = new Float32Array(s * s * 3);
  for (let y = 0; y < s; y++)
    for (let x = 0; x < s; x++) {
      const inDisc = (x - s * 0.6) ** 2 + (y - s * 0.4) ** 2 < (s * 0.2) ** 2;
      a.set(inDisc ? [220, 40, 30] : [(255 * x) / s, (255 * y) / s, 128], (y * s + x) * 3);
    }
  return [tf.tensor4d(a, [1, s, s, 3]), tf.tensor4d(Float32Array.from(hashBytes('mnv2.image', s * s * 3)), [1, s, s, 3])];
}

describe('MobileNetV2 architecture (no weights needed)', () => {
  it('follows Keras channel rounding for α = 0.35 and α = 1', () => {
    expect(makeDivisible(32 * 0.35)).toBe(16);
    expect(makeDivisible(Math.trunc(32 * 0.35))).toBe(16);
    const l = describeMobileNetV2(0.35).layers;
    expect(PRESET_LAYERS.map((n) => [l.get(n)!.channels, l.get(n)!.stride])).toEqual([[48, 4], [96, 8], [192, 16]]);
    expect([l.get('block_16_project_BN')!.channels, l.get('out_relu')!.channels, l.get('out_relu')!.stride]).toEqual([112, 1280, 32]);
    const l1 = describeMobileNetV2(1).layers;
    expect(PRESET_LAYERS.map((n) => l1.get(n)!.channels)).toEqual([144, 192, 576]);
    expect(l1.has('block_2_add') && !l1.has('block_3_add') && !l1.has('block_10_add') && !l1.has('expanded_conv_add')).toBe(true);
  });

  it('the preset: 3 scales, trainable norms, TF preprocessing, input 224', () => {
    const b = createBackbone('mobilenetv2') as MobileNetV2Backbone;
    expect(b.scales).toEqual([{ channels: 48, stride: 4 }, { channels: 96, stride: 8 }, { channels: 192, stride: 16 }]);
    expect(b.trainableNorms).toBe(true);
    expect(b.preprocessing).toEqual({ mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] });
    // Only what the features need: nothing past block_13_expand.
    const keys = b.specs('').map((s) => s.key);
    expect(keys).toContain('block_13_expand_BN.moving_variance');
    expect(keys.some((k) => k.startsWith('block_13_depthwise'))).toBe(false);
    const config = resolveConfig({ backbone: 'mobilenetv2' });
    expect(config.inputSize).toBe(224);
    validateConfig(config);
    expect(describeModel(config).find((s) => s.key === 'norms.0.weight')!.shape).toEqual([56, 56, 48]);
  });

  it('custom { type: "tfjs" } layers: any named activation, validated', () => {
    const custom: TfjsBackboneConfig = { type: 'tfjs', model: 'x/model.json', layers: ['block_2_add', 'block_5_add', 'block_12_add', 'out_relu'] };
    const config = resolveConfig({ backbone: custom });
    expect(config.weights).toBe('x/model.json');
    expect(config.inputSize).toBe(224);
    expect(createBackbone(config.backbone).scales).toEqual([{ channels: 8, stride: 4 }, { channels: 16, stride: 8 }, { channels: 32, stride: 16 }, { channels: 1280, stride: 32 }]);
    validateConfig(config);
    expect(() => validateConfig({ ...config, inputSize: 240 })).toThrow(/multiple of 32/);
    expect(() => mobileNetV2Layer(0.35, 'conv_pw_13_relu')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    expect(() => validateConfig(resolveConfig({ backbone: { ...custom, layers: ['Conv1'] } }))).toThrow(/bn_Conv1/);
    expect(() => validateConfig(resolveConfig({ backbone: { ...custom, layers: [] } }))).toThrow(expect.objectContaining({ code: 'BAD_CONFIG' }));
    expect(() => validateConfig(resolveConfig({ backbone: { ...custom, preprocess: 'caffe' as 'tf' } }))).toThrow(/preprocess/);
    expect(resolveConfig({ backbone: { ...custom, preprocess: 'imagenet', inputSize: 256 } }).inputSize).toBe(256);
    expect(() => validateConfig(resolveConfig({ backbone: { ...custom, inputSize: 256 }, inputSize: 224 }))).toThrow(/disagree/);
  });
});

describe('TF.js weights manifests', () => {
  it('reads float32, int32, uint8-quantised and float16 weights across shards', () => {
    const model = parseTfjsModelJson(
      JSON.stringify({
        modelTopology: {},
        weightsManifest: [
          {
            paths: ['a.bin', 'b.bin'],
            weights: [
              { name: 'm/l/kernel', shape: [2], dtype: 'float32' },
              { name: 'i', shape: [1], dtype: 'int32' },
              { name: 'q', shape: [3], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.5, min: -1 } },
              { name: 'h', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
            ],
          },
        ],
      }),
    );
    const buf = new ArrayBuffer(4 * 2 + 4 + 3 + 2 * 2);
    const v = new DataView(buf);
    v.setFloat32(0, 1.5, true);
    v.setFloat32(4, -2, true);
    v.setInt32(8, 7, true);
    [0, 2, 4].forEach((q, i) => v.setUint8(12 + i, q));
    v.setUint16(15, floatToHalf(0.25), true);
    v.setUint16(17, floatToHalf(-3), true);
    const bytes = new Uint8Array(buf);
    const t = readTfjsWeights(model, [[bytes.slice(0, 10), bytes.slice(10)]]);
    expect(Array.from(t.get('m/l/kernel')!.data)).toEqual([1.5, -2]);
    expect(Array.from(t.get('i')!.data)).toEqual([7]);
    expect(Array.from(t.get('q')!.data)).toEqual([-1, 0, 1]);
    expect(Array.from(t.get('h')!.data)).toEqual([0.25, -3]);
    expect(() => readTfjsWeights(model, [[bytes.slice(0, 10)]])).toThrow(/shard/);
    expect(() => readTfjsWeights(model, [[bytes.slice(0, 10), bytes.slice(10, 15)]])).toThrow(/truncated/);
  });

  it('resolves shard paths next to the model.json', () => {
    expect(resolveShardLocation('/a/b/model.json', 'weights.bin')).toBe('/a/b/weights.bin');
    expect(resolveShardLocation('model.json', './w.bin')).toBe('w.bin');
    expect(resolveShardLocation('C:\\m\\model.json', 'w.bin')).toBe('C:\\m\\w.bin');
    expect(resolveShardLocation('https://x.org/m/model.json?v=1', 'group1-shard1of2.bin')).toBe('https://x.org/m/group1-shard1of2.bin');
    expect(resolveShardLocation('hf:me/repo/tm/model.json', 'weights.bin')).toBe('hf:me/repo/tm/weights.bin');
  });

  it('rejects GraphModels and non-MobileNetV2 layers models as UNSUPPORTED', () => {
    const config = resolveConfig({ backbone: 'mobilenetv2' });
    const graph = { format: 'graph-model', modelTopology: { node: [] }, weightsManifest: [] } as TfjsModelJson;
    expect(() => backboneSourceFromTfjs(config, graph, [])).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
    const other: TfjsModelJson = {
      modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'Dense', config: {} }] } },
      weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'dense/kernel', shape: [2, 2], dtype: 'float32' }] }],
    };
    expect(() => backboneSourceFromTfjs(config, other, [[new Uint8Array(16)]])).toThrow(/not a Keras MobileNetV2.*Dense/s);
    expect(() => backboneSourceFromCheckpoint(config, new TextEncoder().encode('{"weightsManifest": []}'))).toThrow(/model\.json path/);
  });
});

// ---------------------------------------------------------------------------------------------
// A float64 interpreter of the Keras layers topology in model.json (naive loops), independent of
// the SDK's hand-written MobileNetV2 graph: it follows the JSON's own layers, paddings and wiring.

interface KLayer {
  class_name: string;
  name?: string;
  config: Record<string, any>;
  inbound_nodes: [string, number, number, object][][];
}
interface Act {
  h: number;
  w: number;
  c: number;
  d: Float64Array;
}

function findFunctional(node: any): { layers: KLayer[] } | undefined {
  if (!node || typeof node !== 'object') return undefined;
  if ((node.class_name === 'Model' || node.class_name === 'Functional') && node.config?.layers) return node.config;
  const layers = Array.isArray(node.config) ? node.config : node.config?.layers;
  if (Array.isArray(layers)) for (const l of layers) {
    const f = findFunctional(l);
    if (f) return f;
  }
  return undefined;
}

function samePad(size: number, k: number, s: number): [number, number, number] {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2), out];
}

function kerasForward(topology: unknown, weights: Map<string, { shape: number[]; data: Float32Array }>, input: Act, outputs: string[]): Map<string, Act> {
  const f = findFunctional(topology);
  if (!f) throw new Error('no functional model in the topology');
  const byName = new Map(f.layers.map((l) => [l.config.name as string, l]));
  const memo = new Map<string, Act>();
  const W = (layer: string, w: string) => {
    const t = weights.get(`${layer}/${w}`);
    if (!t) throw new Error(`missing ${layer}/${w}`);
    return t.data;
  };
  const run = (name: string): Act => {
    const hit = memo.get(name);
    if (hit) return hit;
    const L = byName.get(name)!;
    const cfg = L.config;
    const ins = (L.inbound_nodes[0] ?? []).map((n) => run(n[0]));
    const x = ins[0];
    let out: Act;
    switch (L.class_name) {
      case 'InputLayer':
        out = input;
        break;
      case 'ZeroPadding2D': {
        const [[t, b], [l, r]] = cfg.padding as [[number, number], [number, number]];
        const h = x.h + t + b;
        const w = x.w + l + r;
        const d = new Float64Array(h * w * x.c);
        for (let y = 0; y < x.h; y++) for (let xx = 0; xx < x.w; xx++) for (let c = 0; c < x.c; c++) d[((y + t) * w + xx + l) * x.c + c] = x.d[(y * x.w + xx) * x.c + c];
        out = { h, w, c: x.c, d };
        break;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D': {
        const depthwise = L.class_name === 'DepthwiseConv2D';
        const [kh, kw] = cfg.kernel_size;
        const [sh, sw] = cfg.strides;
        const kernel = W(name, depthwise ? 'depthwise_kernel' : 'kernel');
        const cout = depthwise ? x.c : cfg.filters;
        let [pt, , oh] = [0, 0, Math.floor((x.h - kh) / sh) + 1];
        let [pl, , ow] = [0, 0, Math.floor((x.w - kw) / sw) + 1];
        if (cfg.padding === 'same') {
          [pt, , oh] = samePad(x.h, kh, sh);
          [pl, , ow] = samePad(x.w, kw, sw);
        }
        const bias = cfg.use_bias ? W(name, 'bias') : undefined;
        const d = new Float64Array(oh * ow * cout);
        for (let oy = 0; oy < oh; oy++)
          for (let ox = 0; ox < ow; ox++)
            for (let o = 0; o < cout; o++) {
              let acc = bias ? bias[o] : 0;
              for (let ky = 0; ky < kh; ky++)
                for (let kx = 0; kx < kw; kx++) {
                  const iy = oy * sh + ky - pt;
                  const ix = ox * sw + kx - pl;
                  if (iy < 0 || ix < 0 || iy >= x.h || ix >= x.w) continue;
                  if (depthwise) acc += x.d[(iy * x.w + ix) * x.c + o] * kernel[(ky * kw + kx) * x.c + o];
                  else for (let i = 0; i < x.c; i++) acc += x.d[(iy * x.w + ix) * x.c + i] * kernel[((ky * kw + kx) * x.c + i) * cout + o];
                }
              d[(oy * ow + ox) * cout + o] = acc;
            }
        out = { h: oh, w: ow, c: cout, d };
        break;
      }
      case 'BatchNormalization': {
        const [g, b, m, v] = ['gamma', 'beta', 'moving_mean', 'moving_variance'].map((k) => W(name, k));
        out = { ...x, d: x.d.map((val, i) => ((val - m[i % x.c]) / Math.sqrt(v[i % x.c] + cfg.epsilon)) * g[i % x.c] + b[i % x.c]) };
        break;
      }
      case 'ReLU':
        out = { ...x, d: x.d.map((val) => Math.min(Math.max(val, 0), cfg.max_value ?? Infinity)) };
        break;
      case 'Add':
        out = { ...x, d: x.d.map((val, i) => ins.reduce((a, t) => a + t.d[i], 0)) };
        break;
      default:
        throw new Error(`layer class ${L.class_name} not in this test interpreter`);
    }
    memo.set(name, out);
    return out;
  };
  return new Map(outputs.map((o) => [o, run(o)]));
}

describe.skipIf(!HAVE_WEIGHTS)('MobileNetV2 α = 0.35 from ../shared/weights (real ImageNet weights)', () => {
  const modelJsonPath = path.join(WEIGHTS_DIR, 'model.json');
  const preset = () => resolveConfig({ backbone: 'mobilenetv2', weights: WEIGHTS_DIR, flowSteps: 1, numDw: 1 });

  it('loads from the directory and gives the three documented feature maps at 224', async () => {
    const config = preset();
    const source = await loadBackboneSource(config, undefined);
    const model = new Model(config, source);
    const [a, b] = images(224);
    const fa = tf.tidy(() => model.features(a));
    const fb = tf.tidy(() => model.features(b));
    expect(fa.map((f) => f.shape)).toEqual([[1, 56, 56, 48], [1, 28, 28, 96], [1, 14, 14, 192]]);
    fa.forEach((f, i) => {
      const v = f.dataSync();
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      let sq = 0;
      let nonzero = 0;
      for (const x of v) {
        expect(Number.isFinite(x)).toBe(true);
        min = Math.min(min, x);
        max = Math.max(max, x);
        sum += x;
        sq += x * x;
        if (x !== 0) nonzero++;
      }
      const mean = sum / v.length;
      const std = Math.sqrt(sq / v.length - mean * mean);
      console.log(`mobilenetv2 ${['block_3', 'block_6', 'block_13'][i]}_expand_relu: min ${min.toFixed(3)} max ${max.toFixed(3)} mean ${mean.toFixed(3)} std ${std.toFixed(3)} nonzero ${(nonzero / v.length).toFixed(3)}`);
      // ReLU6 outputs, clearly not constant.
      expect(min).toBeGreaterThanOrEqual(0);
      expect(max).toBeLessThanOrEqual(6);
      expect(std).toBeGreaterThan(0.05);
      expect(nonzero / v.length).toBeGreaterThan(0.1);
      // Two different images give clearly different features: ‖a − b‖ / ‖a‖.
      const other = fb[i].dataSync();
      let dd = 0;
      for (let k = 0; k < v.length; k++) dd += (v[k] - other[k]) ** 2;
      const d = Math.sqrt(dd / sq);
      console.log(`  image A vs B: ‖fA − fB‖ / ‖fA‖ = ${d.toFixed(3)}`);
      expect(d).toBeGreaterThan(0.2);
    });
    tf.dispose([...fa, ...fb, a, b]);
    model.dispose();
  });

  it('matches a float64 interpretation of the model.json topology (every stage up to out_relu)', async () => {
    const layers = ['Conv1_relu', 'expanded_conv_project_BN', 'block_2_add', 'block_3_expand_relu', 'block_6_expand_relu', 'block_9_add', 'block_13_expand_relu', 'block_16_project_BN', 'out_relu'];
    const config: DetectorConfig = resolveConfig({ backbone: { type: 'tfjs', model: modelJsonPath, layers, inputSize: 32 }, flowSteps: 1, numDw: 1 });
    validateConfig(config);
    const backbone = createBackbone(config.backbone) as MobileNetV2Backbone;
    const json = JSON.parse(readFileSync(modelJsonPath, 'utf8'));
    const shard = new Uint8Array(readFileSync(path.join(WEIGHTS_DIR, 'weights.bin')));
    const source = backboneSourceFromTfjs(config, parseTfjsModelJson(JSON.stringify(json)), [[shard]]);
    const model = new Model(config, source);
    const [, img] = images(32);
    const x = tf.tidy(() => model.normalise(img));
    const ours = tf.tidy(() => (model.backbone as MobileNetV2Backbone).extract(x));
    const ref = kerasForward(json.modelTopology, readTfjsWeights(json, [[shard]]), { h: 32, w: 32, c: 3, d: Float64Array.from(x.dataSync()) }, layers);
    const diffs = layers.map((l, i) => {
      const r = ref.get(l)!;
      expect(ours[i].shape).toEqual([1, r.h, r.w, r.c]);
      expect([r.c, 32 / r.h]).toEqual([backbone.scales[i].channels, backbone.scales[i].stride]);
      return maxRelDiff(ours[i].dataSync(), r.d);
    });
    console.log(`mobilenetv2 vs float64 Keras-topology interpreter (max abs diff / max |ref|): ${layers.map((l, i) => `${l} ${diffs[i].toExponential(2)}`).join(', ')}`);
    for (const d of diffs) expect(d).toBeLessThanOrEqual(1e-3);
    tf.dispose([...ours, x, img]);
    model.dispose();
  });

  it('end to end: a { type: "tfjs" } detector fits, saves without the backbone and reloads it from config.weights', async () => {
    const det = await createDetector({ backbone: { type: 'tfjs', model: WEIGHTS_DIR, layers: ['block_2_add', 'block_5_add'] }, inputSize: 64, flowSteps: 1, numDw: 1, backend: 'cpu' });
    expect(det.config.weights).toBe(WEIGHTS_DIR);
    const [a, b] = images(64);
    const raw = (t: tf.Tensor4D) => ({ data: t.dataSync() as Float32Array, width: 64, height: 64, channels: 3 });
    await det.fit([raw(a), raw(b)], { epochs: 1, batchSize: 2, calibrate: false });
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'danflow-mnv2-'));
    try {
      await det.save(tmp, { includeBackbone: false });
      const again = await loadDetector(tmp, { backend: 'cpu' });
      expect(again.config).toEqual(det.config);
      const [r1, r2] = [await det.localize(raw(b)), await again.localize(raw(b))];
      expect(Array.from(r2.anomalyMap.data)).toEqual(Array.from(r1.anomalyMap.data));
      again.dispose();
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      det.dispose();
      tf.dispose([a, b]);
    }
  });

  it('explains a width mismatch and rejects model.json bytes without their shards', async () => {
    const wrong = resolveConfig({ backbone: { type: 'tfjs', model: modelJsonPath, layers: PRESET_LAYERS, alpha: 1 } });
    await expect(loadBackboneSource(wrong, undefined)).rejects.toThrow(/α = 0\.35 weights; use backbone \{ type: 'tfjs', model, alpha: 0\.35/);
    await expect(loadBackboneSource(preset(), new Uint8Array(readFileSync(modelJsonPath)))).rejects.toThrow(expect.objectContaining({ code: 'BAD_ARGUMENT' }));
  });
});
