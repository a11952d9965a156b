import * as tf from '@tensorflow/tfjs-core';
import type { FlowConfig } from './config.js';
import type { BatchStats } from '../../nn/batch-norm.js';
import type { ParamStore } from '../../nn/params.js';
import { eirb, eirbCheckpointed } from './eirb.js';
import { permuteChannels } from './permute.js';
import { splitChannels, type SubnetName } from './spec.js';

export const AFFINE_CLAMP = 2.0;
const SOFTPLUS_BETA = 0.5;

export interface Permutation {
  perm: tf.Tensor1D;
  inverse: tf.Tensor1D;
}

export interface StepContext {
  params: ParamStore;
  /** e.g. `nf_flows.0.module_list.2` */
  prefix: string;
  cfg: FlowConfig;
  permutation: Permutation;
  /** Present in train mode: BatchNorm uses batch statistics and records them here. */
  collect?: BatchStats[];
}

/** Affine coupling parameters from a subnet output: s = clamp·tanh(0.1·a[:ch]), t = 0.1·a[ch:]. */
function couplingParams(a: tf.Tensor4D, ch: number): { s: tf.Tensor4D; t: tf.Tensor4D } {
  const scaled = tf.mul(a, 0.1);
  const [n, h, w] = a.shape;
  const s = tf.mul(tf.tanh(tf.slice(scaled, [0, 0, 0, 0], [n, h, w, ch])), AFFINE_CLAMP) as tf.Tensor4D;
  const t = tf.slice(scaled, [0, 0, 0, ch], [n, h, w, a.shape[3] - ch]) as tf.Tensor4D;
  return { s, t };
}

function affine(x: tf.Tensor4D, a: tf.Tensor4D): { y: tf.Tensor4D; logdet: tf.Tensor1D } {
  const { s, t } = couplingParams(a, x.shape[3]);
  return { y: tf.add(tf.mul(x, tf.exp(s)), t) as tf.Tensor4D, logdet: tf.sum(s, [1, 2, 3]) as tf.Tensor1D };
}

function affineInverse(y: tf.Tensor4D, a: tf.Tensor4D): tf.Tensor4D {
  const { s, t } = couplingParams(a, y.shape[3]);
  return tf.mul(tf.sub(y, t), tf.exp(tf.neg(s))) as tf.Tensor4D;
}

/**
 * softplus_β(v) = log(1 + e^{βv})/β. PyTorch switches to the identity above βv = 20; tfjs's
 * softplus is itself overflow-safe and differs from that by < 1e-8 there, so no branch is needed
 * (a `where` would also break gradients: tfjs has no gradient for Greater).
 */
function softplusBeta(v: tf.Tensor): tf.Tensor {
  return tf.div(tf.softplus(tf.mul(v, SOFTPLUS_BETA)), SOFTPLUS_BETA);
}

/** The global affine scale 0.1·softplus_β(g), per channel. */
export function globalScale(params: ParamStore, prefix: string): tf.Tensor1D {
  return tf.mul(softplusBeta(params.get(`${prefix}.global_scale`)), 0.1) as tf.Tensor1D;
}

function subnet(ctx: StepContext, name: SubnetName, x: tf.Tensor4D): tf.Tensor4D {
  if (ctx.collect) return eirbCheckpointed(x, ctx.params, `${ctx.prefix}.${name}`, ctx.cfg, ctx.collect);
  return eirb(x, ctx.params, `${ctx.prefix}.${name}`, ctx.cfg, ctx.collect);
}

function split(x: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D] {
  const [n, h, w, c] = x.shape;
  const [c1, c2] = splitChannels(c);
  return [tf.slice(x, [0, 0, 0, 0], [n, h, w, c1]), tf.slice(x, [0, 0, 0, c1], [n, h, w, c2])];
}

/** One flow step: coupling, then global affine, then the fixed permutation (reference order). */
export function stepForward(ctx: StepContext, x: tf.Tensor4D): { y: tf.Tensor4D; logdet: tf.Tensor1D } {
  const [x1, x2] = split(x);
  let y: tf.Tensor4D;
  let logdet: tf.Tensor1D;
  if (ctx.cfg.doubleSubnets) {
    const r2 = affine(x2, subnet(ctx, 'subnet_1', x1));
    const r1 = affine(x1, subnet(ctx, 'subnet_2', r2.y));
    y = tf.concat([r1.y, r2.y], 3);
    logdet = tf.add(r1.logdet, r2.logdet);
  } else {
    const r2 = affine(x2, subnet(ctx, 'subnet', x1));
    y = tf.concat([x1, r2.y], 3);
    logdet = r2.logdet;
  }
  const scale = globalScale(ctx.params, ctx.prefix);
  const offset = ctx.params.get(`${ctx.prefix}.global_offset`);
  y = tf.add(tf.mul(y, scale), offset) as tf.Tensor4D;
  const [, h, w] = x.shape;
  logdet = tf.add(logdet, tf.mul(tf.sum(tf.log(scale)), h * w));
  return { y: permuteChannels(y, ctx.permutation.perm, ctx.permutation.inverse), logdet };
}

/** Exact inverse of stepForward (eval-mode BatchNorm). */
export function stepInverse(ctx: StepContext, z: tf.Tensor4D): tf.Tensor4D {
  const y0 = permuteChannels(z, ctx.permutation.inverse, ctx.permutation.perm);
  const scale = globalScale(ctx.params, ctx.prefix);
  const y = tf.div(tf.sub(y0, ctx.params.get(`${ctx.prefix}.global_offset`)), scale) as tf.Tensor4D;
  const [y1, y2] = split(y);
  if (ctx.cfg.doubleSubnets) {
    const x1 = affineInverse(y1, subnet(ctx, 'subnet_2', y2));
    const x2 = affineInverse(y2, subnet(ctx, 'subnet_1', x1));
    return tf.concat([x1, x2], 3);
  }
  return tf.concat([y1, affineInverse(y2, subnet(ctx, 'subnet', y1))], 3);
}
