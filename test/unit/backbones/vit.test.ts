import { maxRelDiff } from '../../helpers/golden.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createBackbone } from '../../../src/backbones/registry.js';
import { VIT_ARCHS, VitBackbone, vitArch, type VitArch } from '../../../src/backbones/vit.js';
import { backboneSourceFromCheckpoint } from '../../../src/backbones/weights.js';
import { resolveConfig } from '../../../src/api/config.js';
import { validateConfig } from '../../../src/api/validate-config.js';
import { writeSafetensors, type WritableTensor } from '../../../src/io/safetensors.js';
import { describeModel, Model } from '../../../src/methods/model.js';
import { fromTorchLayout, numel, type ParamSpec } from '../../../src/nn/param-spec.js';
import { hashBytes, hashUniform } from '../../../src/core/prng.js';
import { ParamStore } from '../../../src/nn/params.js';
import { setBackend } from '../../helpers/backend.js';
import { FIXTURES } from '../../helpers/paths.js';

const GOLDEN = path.join(FIXTURES, 'golden');
const TOL = 1e-3;

interface ManifestTensor {
  key: string;
  shape: number[];
  init: { kind: 'uniform'; lo: number; hi: number };
}

const readJson = (name: string) => JSON.parse(readFileSync(path.join(GOLDEN, name), 'utf8'));
function readF32(name: string): Float32Array {
  const b = readFileSync(path.join(GOLDEN, name));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

function imagenet(x: tf.Tensor4D): tf.Tensor4D {
  return tf.div(tf.sub(tf.div(x, 255), tf.tensor1d([0.485, 0.456, 0.406])), tf.tensor1d([0.229, 0.224, 0.225])) as tf.Tensor4D;
}

/** A backbone whose tensors come from `value(spec)` (PyTorch layout), prepared on a fresh store. */
function build(arch: VitArch, value: (spec: ParamSpec) => Float32Array): { backbone: VitBackbone; params: ParamStore } {
  const backbone = new VitBackbone(arch);
  const params = new ParamStore();
  for (const spec of backbone.specs('')) params.add(spec.key, tf.tensor(fromTorchLayout(spec, value(spec)), spec.shape), false);
  backbone.prepare(params, '');
  return { backbone, params };
}

/** PRNG values for any spec: PyTorch layout, seed key = the tensor's key. */
const prngValue =
  (salt = '') =>
  (spec: ParamSpec): Float32Array => {
    const n = numel(spec.torchShape);
    if (spec.key.endsWith('norm1.weight') || spec.key.endsWith('norm2.weight') || spec.key === 'norm.weight') return hashUniform(salt + spec.key, n, 0.8, 1.2);
    const bound = spec.layout === 'linear' ? Math.sqrt(3 / spec.torchShape[1]) : spec.key.startsWith('blocks') ? 0.1 : 0.3;
    return hashUniform(salt + spec.key, n, -bound, bound);
  };

beforeAll(async () => {
  await setBackend('cpu');
});

describe('DeiT feature path vs a PyTorch ViT with timm names (deit-tiny golden)', () => {
  const g = readJson('deit-tiny.json');
  const c = g.config;
  const arch = vitArch('deit', { embedDim: c.embedDim, heads: c.heads, depthUsed: c.depth, patchSize: c.patchSize, imageSize: c.inputSize, mlpRatio: c.mlpRatio });

  it('lists the timm tensors in state_dict order with their shapes', () => {
    const specs = new VitBackbone(arch).specs('');
    expect(specs.map((s) => s.key)).toEqual(g.tensors.map((t: ManifestTensor) => t.key));
    specs.forEach((s, i) => expect(s.torchShape).toEqual(g.tensors[i].shape));
  });

  it('features match within 1e-3 of the feature scale', () => {
    const byKey = new Map<string, ManifestTensor>(g.tensors.map((t: ManifestTensor) => [t.key, t]));
    const { backbone, params } = build(arch, (spec) => {
      const t = byKey.get(spec.key)!;
      return hashUniform(t.key, numel(t.shape), t.init.lo, t.init.hi);
    });
    const [h, w, ch] = g.image.shape;
    const img = tf.tensor4d(Float32Array.from(hashBytes(g.image.key, h * w * ch)), [1, h, w, ch]);
    const [feat] = tf.tidy(() => backbone.extract(imagenet(img)));
    const exp = g.expected.features;
    const [, d, gh, gw] = exp.shape;
    expect(feat.shape).toEqual([1, gh, gw, d]);
    // Reference is NCHW: channel-major over the grid.
    const ref = readF32(exp.file);
    const nhwc = new Float32Array(ref.length);
    for (let k = 0; k < d; k++) for (let p = 0; p < gh * gw; p++) nhwc[p * d + k] = ref[k * gh * gw + p];
    const diff = maxRelDiff(feat.dataSync(), nhwc);
    console.log(`deit-tiny parity (max abs diff / max |ref|): ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(TOL);
    tf.dispose([feat, img]);
    params.dispose();
  });

  it('the real deit_base_distilled_patch16_384: first 4 blocks + norm, 24×24×768, no trainable norms', () => {
    const b = createBackbone('deit_base_distilled_patch16_384') as VitBackbone;
    expect(b.trainableNorms).toBe(false);
    expect(b.scales).toEqual([{ channels: 768, stride: 16 }]);
    const specs = b.specs('');
    const keys = specs.map((s) => s.key);
    expect(keys.slice(0, 5)).toEqual(['cls_token', 'dist_token', 'pos_embed', 'patch_embed.proj.weight', 'patch_embed.proj.bias']);
    expect(keys.filter((k) => k.startsWith('blocks.')).map((k) => k.split('.')[1])).toEqual(expect.arrayContaining(['0', '1', '2', '3']));
    expect(keys.some((k) => k.startsWith('blocks.4.'))).toBe(false);
    expect(keys.slice(-2)).toEqual(['norm.weight', 'norm.bias']);
    expect(specs.find((s) => s.key === 'pos_embed')!.torchShape).toEqual([1, 578, 768]);
    // 590 592 patch embed + 2·768 tokens + 578·768 pos + 4 · 7 087 872 per block + 1 536 norm.
    expect(specs.reduce((a, s) => a + numel(s.shape), 0)).toBe(590_592 + 1_536 + 443_904 + 4 * 7_087_872 + 1_536);
    const config = resolveConfig({ backbone: 'deit_base_distilled_patch16_384' });
    expect(config.inputSize).toBe(384);
    expect(() => validateConfig(config)).not.toThrow();
    expect(() => validateConfig({ ...config, inputSize: 256 })).toThrow(/inputSize 384/);
    const desc = describeModel(config);
    // One flow of 3 steps on the 768-channel token map, no LayerNorms (ViT features are normalised).
    expect([...new Set(desc.filter((s) => s.key.startsWith('nf_flows.')).map((s) => s.key.split('.').slice(0, 4).join('.')))]).toEqual(['nf_flows.0.module_list.0', 'nf_flows.0.module_list.1', 'nf_flows.0.module_list.2']);
    expect(desc.find((s) => s.key === 'nf_flows.0.module_list.0.global_scale')!.shape).toEqual([768]);
    expect(desc.some((s) => s.key.startsWith('norms.'))).toBe(false);
  });

  it('reads a timm checkpoint, ignoring head, head_dist and blocks 4…11; checks pos_embed', () => {
    const config = resolveConfig({ backbone: 'deit_base_distilled_patch16_384' });
    const specs = createBackbone(config.backbone).specs('');
    const file: Record<string, WritableTensor> = {};
    // Tiny distinct values per tensor: the first element encodes the index.
    specs.forEach((s, i) => {
      const data = new Float32Array(numel(s.torchShape));
      data[0] = i + 1;
      file[s.key] = { dtype: 'F32', shape: s.torchShape, data };
    });
    file['head.weight'] = { dtype: 'F32', shape: [1000, 768], data: new Float32Array(768_000) };
    file['head_dist.bias'] = { dtype: 'F32', shape: [1000], data: new Float32Array(1000) };
    file['blocks.11.norm1.weight'] = { dtype: 'F32', shape: [768], data: new Float32Array(768) };
    const source = backboneSourceFromCheckpoint(config, writeSafetensors(file));
    const prefixed = describeModel(config);
    const qkv = prefixed.find((s) => s.key === 'feature_extractor.blocks.2.attn.qkv.weight')!;
    const v = source(qkv)!;
    expect(v.length).toBe(768 * 2304);
    // Linear (O, I) → [I, O]: element (o=0, i=0) stays first.
    expect(v[0]).toBe(specs.findIndex((s) => s.key === 'blocks.2.attn.qkv.weight') + 1);
    expect(source(prefixed.find((s) => s.key.startsWith('nf_flows.'))!)).toBeUndefined();

    file.pos_embed = { dtype: 'F32', shape: [1, 198, 768], data: new Float32Array(198 * 768) };
    expect(() => backboneSourceFromCheckpoint(config, writeSafetensors(file))).toThrow(/pos_embed.*\[1, 198, 768\].*\[1, 578, 768\]/s);
  });
});

// ---------------------------------------------------------------------------------------------
// CaiT: no PyTorch fixture, so a float64 reference written from timm's definitions
// (LayerScaleBlock + TalkingHeadAttn), plus invariants.

type Get = (key: string) => Float64Array;

function lnRows(x: Float64Array, rows: number, d: number, w: Float64Array, b: Float64Array, eps: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let k = 0; k < d; k++) m += x[r * d + k];
    m /= d;
    let v = 0;
    for (let k = 0; k < d; k++) v += (x[r * d + k] - m) ** 2;
    v /= d;
    for (let k = 0; k < d; k++) out[r * d + k] = ((x[r * d + k] - m) / Math.sqrt(v + eps)) * w[k] + b[k];
  }
  return out;
}

/** torch Linear: weight (O, I) row-major. */
function linearRows(x: Float64Array, rows: number, inF: number, w: Float64Array, b: Float64Array | undefined, outF: number): Float64Array {
  const out = new Float64Array(rows * outF);
  for (let r = 0; r < rows; r++)
    for (let o = 0; o < outF; o++) {
      let s = b ? b[o] : 0;
      for (let i = 0; i < inF; i++) s += x[r * inF + i] * w[o * inF + i];
      out[r * outF + o] = s;
    }
  return out;
}

function erf(x: number): number {
  // Abramowitz–Stegun 7.1.26 is too coarse for a reference; use a series / continued fraction.
  const t = Math.abs(x);
  if (t < 3) {
    let sum = t;
    let term = t;
    for (let n = 1; n < 100; n++) {
      term *= (-t * t) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  return Math.sign(x) * (1 - Math.exp(-t * t) / (t * Math.sqrt(Math.PI)) * (1 - 1 / (2 * t * t) + 3 / (4 * t ** 4)));
}

/** timm Cait feature path: patch_embed → + pos_embed → blocks → norm (tokens, row-major over the grid). */
function caitReference(a: VitArch, get: Get, img: Float64Array /* HWC normalised */): Float64Array {
  const { embedDim: d, heads: H, patchSize: p, imageSize: s } = a;
  const g = s / p;
  const T = g * g;
  const hd = d / H;
  const hidden = d * a.mlpRatio;
  // Patch embed: conv weight (D, 3, p, p).
  const pw = get('patch_embed.proj.weight');
  const pb = get('patch_embed.proj.bias');
  const pos = get('pos_embed');
  let x = new Float64Array(T * d);
  for (let gy = 0; gy < g; gy++)
    for (let gx = 0; gx < g; gx++)
      for (let o = 0; o < d; o++) {
        let acc = pb[o];
        for (let c = 0; c < 3; c++) for (let ky = 0; ky < p; ky++) for (let kx = 0; kx < p; kx++) acc += pw[((o * 3 + c) * p + ky) * p + kx] * img[((gy * p + ky) * s + gx * p + kx) * 3 + c];
        x[(gy * g + gx) * d + o] = acc + pos[(gy * g + gx) * d + o];
      }
  for (let i = 0; i < a.depthUsed; i++) {
    const b = (k: string) => get(`blocks.${i}.${k}`);
    const n1 = lnRows(x, T, d, b('norm1.weight'), b('norm1.bias'), a.eps);
    const qkv = linearRows(n1, T, d, b('attn.qkv.weight'), b('attn.qkv.bias'), 3 * d);
    const at = (which: number, t: number, h: number, e: number) => qkv[t * 3 * d + which * d + h * hd + e];
    // attn[h][i][j] = scale·q·k
    const attn = new Float64Array(H * T * T);
    for (let h = 0; h < H; h++)
      for (let ti = 0; ti < T; ti++)
        for (let tj = 0; tj < T; tj++) {
          let sdot = 0;
          for (let e = 0; e < hd; e++) sdot += at(0, ti, h, e) * hd ** -0.5 * at(1, tj, h, e);
          attn[(h * T + ti) * T + tj] = sdot;
        }
    const mix = (m: Float64Array, wk: string, bk: string) => {
      const W = b(wk);
      const B = b(bk);
      const out = new Float64Array(m.length);
      for (let h2 = 0; h2 < H; h2++)
        for (let q = 0; q < T * T; q++) {
          let acc = B[h2];
          for (let h = 0; h < H; h++) acc += W[h2 * H + h] * m[h * T * T + q];
          out[h2 * T * T + q] = acc;
        }
      return out;
    };
    let A = mix(attn, 'attn.proj_l.weight', 'attn.proj_l.bias');
    for (let r = 0; r < H * T; r++) {
      let mx = -Infinity;
      for (let j = 0; j < T; j++) mx = Math.max(mx, A[r * T + j]);
      let z = 0;
      for (let j = 0; j < T; j++) z += Math.exp(A[r * T + j] - mx);
      for (let j = 0; j < T; j++) A[r * T + j] = Math.exp(A[r * T + j] - mx) / z;
    }
    A = mix(A, 'attn.proj_w.weight', 'attn.proj_w.bias');
    const ctx = new Float64Array(T * d);
    for (let h = 0; h < H; h++)
      for (let ti = 0; ti < T; ti++)
        for (let e = 0; e < hd; e++) {
          let acc = 0;
          for (let tj = 0; tj < T; tj++) acc += A[(h * T + ti) * T + tj] * at(2, tj, h, e);
          ctx[ti * d + h * hd + e] = acc;
        }
    const attnOut = linearRows(ctx, T, d, b('attn.proj.weight'), b('attn.proj.bias'), d);
    const g1 = b('gamma_1');
    const x1 = x.map((v, k) => v + g1[k % d] * attnOut[k]);
    const n2 = lnRows(x1, T, d, b('norm2.weight'), b('norm2.bias'), a.eps);
    const f1 = linearRows(n2, T, d, b('mlp.fc1.weight'), b('mlp.fc1.bias'), hidden).map((v) => 0.5 * v * (1 + erf(v / Math.SQRT2)));
    const f2 = linearRows(f1, T, hidden, b('mlp.fc2.weight'), b('mlp.fc2.bias'), d);
    const g2 = b('gamma_2');
    x = x1.map((v, k) => v + g2[k % d] * f2[k]);
  }
  return lnRows(x, T, d, get('norm.weight'), get('norm.bias'), a.eps);
}

describe('CaiT feature path (LayerScale + talking-heads attention)', () => {
  const tiny = vitArch('cait', { embedDim: 16, heads: 4, depthUsed: 2, patchSize: 16, imageSize: 48, mlpRatio: 2 });

  function tinyImage(key: string, s: number): tf.Tensor4D {
    return imagenet(tf.tensor4d(Float32Array.from(hashBytes(key, s * s * 3)), [1, s, s, 3]));
  }

  it('matches a float64 reference of timm’s Cait blocks', () => {
    const value = (spec: ParamSpec) => {
      if (spec.key.endsWith('gamma_1') || spec.key.endsWith('gamma_2')) return hashUniform(spec.key, numel(spec.torchShape), 0.2, 0.6);
      return prngValue('cait/')(spec);
    };
    const { backbone, params } = build(tiny, value);
    const specs = new Map(backbone.specs('').map((s) => [s.key, s]));
    const get: Get = (key) => Float64Array.from(value(specs.get(key)!));
    const x = tinyImage('cait.image', tiny.imageSize);
    const [feat] = tf.tidy(() => backbone.extract(x));
    expect(feat.shape).toEqual([1, 3, 3, 16]);
    const ref = caitReference(tiny, get, Float64Array.from(x.dataSync()));
    const diff = maxRelDiff(feat.dataSync(), ref);
    console.log(`tiny CaiT vs float64 reference (max abs diff / max |ref|): ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(TOL);
    tf.dispose([feat, x]);
    params.dispose();
  });

  it('with layer scale 0 every block is the identity: features = norm(patch_embed + pos_embed)', () => {
    const value = (spec: ParamSpec) => (spec.key.includes('gamma_') ? new Float32Array(numel(spec.shape)) : prngValue('cait0/')(spec));
    const { backbone, params } = build(tiny, value);
    const x = tinyImage('cait.image2', tiny.imageSize);
    const [feat] = tf.tidy(() => backbone.extract(x));
    const noBlocks = build({ ...tiny, depthUsed: 0 }, value);
    const [direct] = tf.tidy(() => noBlocks.backbone.extract(x));
    expect(maxRelDiff(feat.dataSync(), direct.dataSync())).toBeLessThan(1e-6);
    tf.dispose([feat, direct, x]);
    params.dispose();
    noBlocks.params.dispose();
  });

  it('talking heads that only permute the heads (and permute back after the softmax) equal plain multi-head attention', () => {
    const perm = [2, 0, 3, 1];
    const value = (spec: ParamSpec) => {
      const n = numel(spec.torchShape);
      if (spec.key.includes('proj_l.weight') || spec.key.includes('proj_w.weight')) {
        const w = new Float32Array(n);
        // proj_l: out head h takes in head perm[h]; proj_w: the inverse.
        perm.forEach((j, i) => (spec.key.includes('proj_l') ? (w[i * 4 + j] = 1) : (w[j * 4 + i] = 1)));
        return w;
      }
      if (spec.key.includes('proj_l.bias') || spec.key.includes('proj_w.bias')) return new Float32Array(n);
      if (spec.key.includes('gamma_')) return hashUniform(spec.key, n, 0.5, 1.5);
      return prngValue('th/')(spec);
    };
    const cait = build(tiny, value);
    // A DeiT-style block stack without prefix tokens, with the same qkv/proj/mlp weights, then the LayerScale by hand:
    // identical when gamma = 1, so use gamma = 1 for the comparison.
    const ones = (spec: ParamSpec) => (spec.key.includes('gamma_') ? new Float32Array(numel(spec.shape)).fill(1) : value(spec));
    const caitOnes = build(tiny, ones);
    const plain = build({ ...tiny, talkingHeads: false, layerScaleInit: undefined, prefixTokens: [] }, ones);
    const x = tinyImage('th.image', tiny.imageSize);
    const [a] = tf.tidy(() => caitOnes.backbone.extract(x));
    const [b] = tf.tidy(() => plain.backbone.extract(x));
    expect(maxRelDiff(a.dataSync(), b.dataSync())).toBeLessThan(1e-5);
    // And a non-trivial gamma changes the result (the layer scale is really applied).
    const [c] = tf.tidy(() => cait.backbone.extract(x));
    expect(maxRelDiff(c.dataSync(), b.dataSync())).toBeGreaterThan(1e-3);
    tf.dispose([a, b, c, x]);
    for (const m of [cait, caitOnes, plain]) m.params.dispose();
  });

  it('works on a batch (each image independent of the others)', () => {
    const { backbone, params } = build(tiny, prngValue('batch/'));
    const x1 = tinyImage('b1', tiny.imageSize);
    const x2 = tinyImage('b2', tiny.imageSize);
    const [both] = tf.tidy(() => backbone.extract(tf.concat([x1, x2]) as tf.Tensor4D));
    const [one] = tf.tidy(() => backbone.extract(x2));
    expect(both.shape).toEqual([2, 3, 3, 16]);
    expect(maxRelDiff(tf.slice(both, [1, 0, 0, 0], [1, -1, -1, -1]).dataSync(), one.dataSync())).toBeLessThan(1e-5);
    tf.dispose([both, one, x1, x2]);
    params.dispose();
  });

  it('cait_m48_448: blocks 0..40 + norm, 291 882 272 parameters, 28×28×768 (specs only, nothing allocated)', () => {
    const before = tf.memory().numTensors;
    const b = createBackbone('cait_m48_448') as VitBackbone;
    const specs = b.specs('');
    const count = specs.reduce((a, s) => a + numel(s.shape), 0);
    // patch_embed.proj 768·3·16·16 + 768 = 590 592; pos_embed 784·768 = 602 112 (no class tokens:
    // CaiT adds its cls token only in the class-attention blocks, unused here); per LayerScaleBlock
    // norm1 1 536 + qkv 768·2304 + 2304 = 1 771 776 + proj 590 592 + proj_l 16·16 + 16 = 272 + proj_w 272
    // + norm2 1 536 + fc1 768·3072 + 3072 = 2 362 368 + fc2 3072·768 + 768 = 2 360 064 + gamma_1/gamma_2 1 536
    // = 7 089 952; 41 blocks = 290 688 032; final norm 1 536.
    expect(count).toBe(590_592 + 602_112 + 41 * 7_089_952 + 1_536);
    expect(count).toBe(291_882_272);
    expect(specs.length).toBe(3 + 41 * 18 + 2);
    expect(specs.some((s) => s.key === 'cls_token' || s.key.startsWith('blocks.41.') || s.key.startsWith('blocks_token_only'))).toBe(false);
    expect(specs.find((s) => s.key === 'blocks.40.attn.proj_l.weight')!.torchShape).toEqual([16, 16]);
    expect(b.scales).toEqual([{ channels: 768, stride: 16 }]);
    expect(b.trainableNorms).toBe(false);
    const config = resolveConfig({ backbone: 'cait_m48_448' });
    expect(config.inputSize).toBe(448);
    validateConfig(config);
    expect(describeModel(config).find((s) => s.key === 'nf_flows.0.module_list.0.global_scale')!.shape).toEqual([768]);
    expect(VIT_ARCHS.cait_m48_448.heads).toBe(16);
    expect(tf.memory().numTensors).toBe(before);
  });
});
