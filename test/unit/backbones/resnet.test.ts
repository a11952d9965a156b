import { maxRelDiff } from '../../helpers/golden.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { RESNET_ARCHS, ResNetBackbone } from '../../../src/backbones/resnet.js';
import { backboneSourceFromCheckpoint } from '../../../src/backbones/weights.js';
import { resolveConfig } from '../../../src/api/config.js';
import { writeSafetensors, type WritableTensor } from '../../../src/io/safetensors.js';
import { describeModel, Model } from '../../../src/methods/model.js';
import { fromTorchLayout } from '../../../src/nn/param-spec.js';
import { hashBytes, hashUniform } from '../../../src/core/prng.js';
import { ParamStore } from '../../../src/nn/params.js';
import { setBackend } from '../../helpers/backend.js';
import { FIXTURES } from '../../helpers/paths.js';

// Parity of the ResNet trunks with torchvision (fixtures/golden/backbone-*.json, made by
// fixtures/scripts/make_golden.py with the same hash-PRNG weights): layer1..3 at input 64.

const GOLDEN = path.join(FIXTURES, 'golden');
const TOL = 1e-3;

interface ManifestTensor {
  key: string;
  shape: number[];
  init: { kind: 'uniform'; lo: number; hi: number } | { kind: 'int'; value: number } | { kind: 'const'; value: number };
}
interface BackboneGolden {
  config: { backbone: string; inputSize: number };
  tensors: ManifestTensor[];
  image: { key: string; shape: [number, number, number] };
  expected: Record<string, { file: string; shape: number[] }>;
  stats: { absMax: number }[];
}

const prod = (s: number[]) => s.reduce((a, b) => a * b, 1);

function readJson(name: string): BackboneGolden {
  return JSON.parse(readFileSync(path.join(GOLDEN, name), 'utf8')) as BackboneGolden;
}

function readF32(name: string): Float32Array {
  const b = readFileSync(path.join(GOLDEN, name));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** PyTorch-layout values of a manifest tensor (seed key = its key). */
function materialise(t: ManifestTensor): Float32Array {
  const n = prod(t.shape);
  if (t.init.kind === 'uniform') return hashUniform(t.key, n, t.init.lo, t.init.hi);
  return new Float32Array(n).fill(t.init.value);
}

function nchwToNhwc(data: Float32Array, [n, c, h, w]: number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++)
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[((b * h + y) * w + x) * c + ch] = data[((b * c + ch) * h + y) * w + x];
  return out;
}

function goldenImage(g: BackboneGolden): tf.Tensor4D {
  const [h, w, c] = g.image.shape;
  return tf.tensor4d(Float32Array.from(hashBytes(g.image.key, h * w * c)), [1, h, w, c]);
}

function imagenet(x: tf.Tensor4D): tf.Tensor4D {
  return tf.div(tf.sub(tf.div(x, 255), tf.tensor1d([0.485, 0.456, 0.406])), tf.tensor1d([0.229, 0.224, 0.225])) as tf.Tensor4D;
}

beforeAll(async () => {
  await setBackend('cpu');
});

describe.each(['resnet18', 'wide_resnet50_2'])('%s trunk vs torchvision', (name) => {
  const g = readJson(`backbone-${name}.json`);

  it('lists exactly the torchvision state_dict tensors up to layer3 (names, order, shapes)', () => {
    const specs = new ResNetBackbone(RESNET_ARCHS[name]).specs('');
    const expected = g.tensors.filter((t) => !t.key.endsWith('num_batches_tracked'));
    expect(specs.map((s) => s.key)).toEqual(expected.map((t) => t.key));
    specs.forEach((s, i) => expect(s.torchShape).toEqual(expected[i].shape));
  });

  it('feature maps match within 1e-3 of the feature scale', () => {
    const backbone = new ResNetBackbone(RESNET_ARCHS[name]);
    const params = new ParamStore();
    const byKey = new Map(g.tensors.map((t) => [t.key, t]));
    for (const spec of backbone.specs('')) {
      params.add(spec.key, tf.tensor(fromTorchLayout(spec, materialise(byKey.get(spec.key)!)), spec.shape), false);
    }
    backbone.prepare(params, '');
    const feats = tf.tidy(() => backbone.extract(imagenet(goldenImage(g))));
    const diffs = ['layer1', 'layer2', 'layer3'].map((layer, i) => {
      const exp = g.expected[layer];
      const [, c, h, w] = exp.shape;
      expect(feats[i].shape).toEqual([1, h, w, c]);
      return maxRelDiff(feats[i].dataSync(), nchwToNhwc(readF32(exp.file), exp.shape));
    });
    console.log(`${name} parity (max abs diff / max |ref|): ${diffs.map((d) => d.toExponential(2)).join(', ')}`);
    for (const d of diffs) expect(d).toBeLessThanOrEqual(TOL);
    tf.dispose(feats);
    backbone.dispose();
    params.dispose();
  });
});

describe('resnet18 through the checkpoint loader and the model', () => {
  it('loads a torchvision-style safetensors (classifier ignored) and reproduces the reference features', () => {
    const g = readJson('backbone-resnet18.json');
    const file: Record<string, WritableTensor> = {};
    for (const t of g.tensors) {
      file[t.key] = t.init.kind === 'int' ? { dtype: 'I64', shape: t.shape, data: [t.init.value] } : { dtype: 'F32', shape: t.shape, data: materialise(t) };
    }
    file['fc.weight'] = { dtype: 'F32', shape: [1000, 512], data: new Float32Array(512_000) };
    file['fc.bias'] = { dtype: 'F32', shape: [1000], data: new Float32Array(1000) };
    const config = resolveConfig({ backbone: 'resnet18', inputSize: 64, flowSteps: 1, numDw: 1 });
    const source = backboneSourceFromCheckpoint(config, writeSafetensors(file));
    const model = new Model(config, source);
    const feats = tf.tidy(() => model.features(goldenImage(g)));
    ['layer1', 'layer2', 'layer3'].forEach((layer, i) => {
      const exp = g.expected[layer];
      expect(maxRelDiff(feats[i].dataSync(), nchwToNhwc(readF32(exp.file), exp.shape))).toBeLessThanOrEqual(TOL);
    });
    tf.dispose(feats);
    model.dispose();
  });

  it('names the missing tensor when a checkpoint is incomplete', () => {
    const g = readJson('backbone-resnet18.json');
    const file: Record<string, WritableTensor> = {};
    for (const t of g.tensors.filter((t) => !t.key.startsWith('layer3.1.'))) {
      if (t.init.kind !== 'int') file[t.key] = { dtype: 'F32', shape: t.shape, data: materialise(t) };
    }
    const config = resolveConfig({ backbone: 'resnet18', inputSize: 64 });
    expect(() => backboneSourceFromCheckpoint(config, writeSafetensors(file))).toThrow(/layer3\.1\.conv1\.weight/);
  });
});
