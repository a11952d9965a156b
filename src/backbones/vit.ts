import * as tf from '@tensorflow/tfjs-core';
import type { ParamSpec } from '../nn/param-spec.js';
import type { ParamStore } from '../nn/params.js';
import { IMAGENET, type Backbone, type FeatureScale } from './types.js';

/**
 * Vision-transformer feature paths with timm's parameter names (spec §2):
 *
 * - DeiT (`VisionTransformerDistilled`): `patch_embed.proj` → prepend `cls_token`, `dist_token`
 *   → + `pos_embed` → the first `depthUsed` pre-norm blocks (`x + attn(norm1 x)`,
 *   `x + fc2(gelu(fc1(norm2 x)))`) → `norm` → drop the prefix tokens → (N, H/16, W/16, D).
 * - CaiT (`Cait`): `patch_embed.proj` → + `pos_embed` (patch tokens only; the class token joins
 *   later, in the class-attention blocks, which the feature path does not use) → `LayerScaleBlock`s
 *   0..depthUsed−1 (`x + gamma_1·attn(norm1 x)`, `x + gamma_2·mlp(norm2 x)`, talking-heads attention
 *   with `proj_l` before and `proj_w` after the softmax) → `norm` → (N, H/16, W/16, D).
 *
 * LayerNorm eps 1e-6, exact (erf) GELU, attention scale head_dim^−½, fused `qkv` laid out as
 * (3, heads, head_dim) along the output features. Checkpoint tensors the path never uses
 * (classifier heads, later blocks, CaiT's class-attention blocks and cls token) are not listed in
 * the specs, so loaders ignore them.
 */
export interface VitArch {
  name: string;
  kind: 'deit' | 'cait';
  embedDim: number;
  heads: number;
  /** Blocks run (and stored): blocks.0 … blocks.depthUsed−1. */
  depthUsed: number;
  patchSize: number;
  /** The input side the position embeddings were trained for (fixed). */
  imageSize: number;
  /** Prefix tokens, in order (DeiT distilled: cls_token, dist_token; CaiT: none). */
  prefixTokens: string[];
  mlpRatio: number;
  qkvBias: boolean;
  /** LayerScale init for random weights (CaiT); undefined → no gamma_1/gamma_2. */
  layerScaleInit?: number;
  talkingHeads: boolean;
  eps: number;
}

export const VIT_ARCHS: Record<string, VitArch> = {
  deit_base_distilled_patch16_384: {
    name: 'deit_base_distilled_patch16_384',
    kind: 'deit',
    embedDim: 768,
    heads: 12,
    depthUsed: 4,
    patchSize: 16,
    imageSize: 384,
    prefixTokens: ['cls_token', 'dist_token'],
    mlpRatio: 4,
    qkvBias: true,
    talkingHeads: false,
    eps: 1e-6,
  },
  cait_m48_448: {
    name: 'cait_m48_448',
    kind: 'cait',
    embedDim: 768,
    heads: 16,
    depthUsed: 41,
    patchSize: 16,
    imageSize: 448,
    prefixTokens: [],
    mlpRatio: 4,
    qkvBias: true,
    layerScaleInit: 1e-6,
    talkingHeads: true,
    eps: 1e-6,
  },
};

/** A DeiT-style (kind 'deit') or CaiT-style (kind 'cait') architecture with other sizes, e.g. for tests. */
export function vitArch(base: 'deit' | 'cait', overrides: Partial<VitArch>): VitArch {
  const b = base === 'deit' ? VIT_ARCHS.deit_base_distilled_patch16_384 : VIT_ARCHS.cait_m48_448;
  return { ...b, name: `${b.name}-custom`, ...overrides };
}

export class VitBackbone implements Backbone {
  readonly name: string;
  readonly scales: FeatureScale[];
  readonly preprocessing = IMAGENET;
  readonly trainableNorms = false;
  readonly grid: number;
  private params: ParamStore | undefined;
  private prefix = '';

  constructor(readonly arch: VitArch) {
    if (arch.embedDim % arch.heads !== 0) throw new Error(`embedDim ${arch.embedDim} is not divisible by heads ${arch.heads}`);
    if (arch.imageSize % arch.patchSize !== 0) throw new Error(`imageSize ${arch.imageSize} is not a multiple of patchSize ${arch.patchSize}`);
    this.name = arch.name;
    this.grid = arch.imageSize / arch.patchSize;
    this.scales = [{ channels: arch.embedDim, stride: arch.patchSize }];
  }

  get tokens(): number {
    return this.grid * this.grid + this.arch.prefixTokens.length;
  }

  specs(prefix: string): ParamSpec[] {
    const a = this.arch;
    const d = a.embedDim;
    const hidden = Math.round(d * a.mlpRatio);
    const out: ParamSpec[] = [];
    const same = (key: string, shape: number[], init: ParamSpec['init']): ParamSpec => ({ key: prefix + key, shape, torchShape: shape, layout: 'same', trainable: false, init });
    const linear = (key: string, inF: number, outF: number, bias: boolean) => {
      out.push({ key: `${prefix}${key}.weight`, shape: [inF, outF], torchShape: [outF, inF], layout: 'linear', trainable: false, init: { kind: 'uniform', bound: Math.sqrt(6 / (inF + outF)) } });
      if (bias) out.push(same(`${key}.bias`, [outF], { kind: 'const', value: 0 }));
    };
    const norm = (key: string) => out.push(same(`${key}.weight`, [d], { kind: 'const', value: 1 }), same(`${key}.bias`, [d], { kind: 'const', value: 0 }));
    // trunc_normal(std 0.02) in timm; a uniform of the same std here.
    const small: ParamSpec['init'] = { kind: 'uniform', bound: 0.02 * Math.sqrt(3) };
    for (const t of a.prefixTokens) out.push(same(t, [1, 1, d], small));
    out.push(same('pos_embed', [1, this.tokens, d], small));
    const p = a.patchSize;
    out.push({ key: `${prefix}patch_embed.proj.weight`, shape: [p, p, 3, d], torchShape: [d, 3, p, p], layout: 'conv', trainable: false, init: { kind: 'uniform', bound: Math.sqrt(6 / (3 * p * p)) } });
    out.push(same('patch_embed.proj.bias', [d], { kind: 'const', value: 0 }));
    for (let i = 0; i < a.depthUsed; i++) {
      const b = `blocks.${i}`;
      norm(`${b}.norm1`);
      linear(`${b}.attn.qkv`, d, 3 * d, a.qkvBias);
      if (a.talkingHeads) {
        linear(`${b}.attn.proj_l`, a.heads, a.heads, true);
        linear(`${b}.attn.proj_w`, a.heads, a.heads, true);
      }
      linear(`${b}.attn.proj`, d, d, true);
      norm(`${b}.norm2`);
      linear(`${b}.mlp.fc1`, d, hidden, true);
      linear(`${b}.mlp.fc2`, hidden, d, true);
      if (a.layerScaleInit !== undefined) {
        out.push(same(`${b}.gamma_1`, [d], { kind: 'const', value: a.layerScaleInit }));
        out.push(same(`${b}.gamma_2`, [d], { kind: 'const', value: a.layerScaleInit }));
      }
    }
    norm('norm');
    return out;
  }

  /** Weights are used as stored (no folding); the backbone only remembers where they are. */
  prepare(params: ParamStore, prefix: string): void {
    this.params = params;
    this.prefix = prefix;
  }

  private p(key: string): tf.Tensor {
    if (!this.params) throw new Error('backbone used before prepare()');
    return this.params.get(this.prefix + key);
  }

  /** [M, in] · weight [in, out] + bias. */
  private linear(x: tf.Tensor2D, key: string, bias = true): tf.Tensor2D {
    const y = tf.matMul(x, this.p(`${key}.weight`) as tf.Tensor2D);
    return (bias ? tf.add(y, this.p(`${key}.bias`)) : y) as tf.Tensor2D;
  }

  /** LayerNorm over the last axis (biased variance). */
  private norm(x: tf.Tensor2D, key: string): tf.Tensor2D {
    const { mean, variance } = tf.moments(x, -1, true);
    const n = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.arch.eps)));
    return tf.add(tf.mul(n, this.p(`${key}.weight`)), this.p(`${key}.bias`)) as tf.Tensor2D;
  }

  /** Multi-head self-attention on tokens flattened to [N·T, D]. */
  private attention(x: tf.Tensor2D, n: number, t: number, block: string): tf.Tensor2D {
    const { embedDim: d, heads: h } = this.arch;
    const hd = d / h;
    const qkv = this.linear(x, `${block}.attn.qkv`, this.arch.qkvBias);
    // (N, T, 3, H, hd) → (3, N, H, T, hd)
    const parts = tf.transpose(tf.reshape(qkv, [n, t, 3, h, hd]), [2, 0, 3, 1, 4]);
    const [q, k, v] = tf.unstack(parts, 0).map((z) => tf.reshape(z, [n * h, t, hd]) as tf.Tensor3D);
    let attn: tf.Tensor3D = tf.matMul(tf.mul(q, hd ** -0.5) as tf.Tensor3D, k, false, true);
    if (this.arch.talkingHeads) {
      attn = this.mixHeads(attn, n, t, `${block}.attn.proj_l`);
      attn = tf.softmax(attn, -1) as tf.Tensor3D;
      attn = this.mixHeads(attn, n, t, `${block}.attn.proj_w`);
    } else {
      attn = tf.softmax(attn, -1) as tf.Tensor3D;
    }
    const o = tf.matMul(attn, v); // (N·H, T, hd)
    const merged = tf.reshape(tf.transpose(tf.reshape(o, [n, h, t, hd]), [0, 2, 1, 3]), [n * t, d]) as tf.Tensor2D;
    return this.linear(merged, `${block}.attn.proj`);
  }

  /** Talking heads: a Linear(heads → heads) across the head axis of the (N·H, T, T) attention maps. */
  private mixHeads(attn: tf.Tensor3D, n: number, t: number, key: string): tf.Tensor3D {
    const h = this.arch.heads;
    const byHead = tf.transpose(tf.reshape(attn, [n, h, t * t]), [0, 2, 1]); // (N, T·T, H)
    const mixed = this.linear(tf.reshape(byHead, [n * t * t, h]) as tf.Tensor2D, key);
    return tf.reshape(tf.transpose(tf.reshape(mixed, [n, t * t, h]), [0, 2, 1]), [n * h, t, t]) as tf.Tensor3D;
  }

  private mlp(x: tf.Tensor2D, block: string): tf.Tensor2D {
    const hid = this.linear(x, `${block}.mlp.fc1`);
    const gelu = tf.mul(tf.mul(hid, 0.5), tf.add(1, tf.erf(tf.mul(hid, Math.SQRT1_2)))) as tf.Tensor2D;
    return this.linear(gelu, `${block}.mlp.fc2`);
  }

  private block(x: tf.Tensor2D, n: number, t: number, i: number): tf.Tensor2D {
    const b = `blocks.${i}`;
    const scaled = (y: tf.Tensor2D, gamma: string) => (this.arch.layerScaleInit !== undefined ? (tf.mul(y, this.p(`${b}.${gamma}`)) as tf.Tensor2D) : y);
    const h = tf.add(x, scaled(this.attention(this.norm(x, `${b}.norm1`), n, t, b), 'gamma_1')) as tf.Tensor2D;
    return tf.add(h, scaled(this.mlp(this.norm(h, `${b}.norm2`), b), 'gamma_2')) as tf.Tensor2D;
  }

  /** Normalised NHWC input (imageSize²) → tokens after the norm, prefix tokens dropped: [N, grid, grid, D]. */
  extract(x: tf.Tensor4D): tf.Tensor4D[] {
    const a = this.arch;
    const [n, hIn, wIn] = x.shape;
    if (hIn !== a.imageSize || wIn !== a.imageSize) {
      throw new Error(`${a.name} expects ${a.imageSize}×${a.imageSize} inputs (its position embeddings are fixed), got ${hIn}×${wIn}`);
    }
    const d = a.embedDim;
    const g = this.grid;
    const patches = tf.add(tf.conv2d(x, this.p('patch_embed.proj.weight') as tf.Tensor4D, a.patchSize, 'valid'), this.p('patch_embed.proj.bias'));
    let tokens: tf.Tensor3D = tf.reshape(patches, [n, g * g, d]);
    if (a.prefixTokens.length > 0) {
      const prefix = a.prefixTokens.map((k) => tf.tile(this.p(k), [n, 1, 1]) as tf.Tensor3D);
      tokens = tf.concat([...prefix, tokens], 1);
    }
    tokens = tf.add(tokens, this.p('pos_embed'));
    const t = this.tokens;
    let h = tf.reshape(tokens, [n * t, d]) as tf.Tensor2D;
    for (let i = 0; i < a.depthUsed; i++) {
      const next = tf.tidy(() => this.block(h, n, t, i));
      if (i > 0) h.dispose();
      h = next;
    }
    const normed = this.norm(h, 'norm');
    const grid = tf.slice(tf.reshape(normed, [n, t, d]), [0, a.prefixTokens.length, 0], [n, g * g, d]);
    return [tf.reshape(grid, [n, g, g, d]) as tf.Tensor4D];
  }

  dispose(): void {
    this.params = undefined;
  }
}
