import * as tf from '@tensorflow/tfjs-core';
import type { Attention } from '../config.js';
import { batchNorm, type BatchNormState, type BatchStats } from '../nn/batch-norm.js';
import { depthwise3x3 } from '../nn/depthwise.js';
import type { ParamStore } from '../nn/params.js';
import { pointwise } from '../nn/pointwise.js';
import { eca, gcnet } from './attention.js';

function bnState(p: ParamStore, prefix: string): BatchNormState {
  return {
    gamma: p.get(`${prefix}.weight`),
    beta: p.get(`${prefix}.bias`),
    runningMean: p.get(`${prefix}.running_mean`),
    runningVar: p.get(`${prefix}.running_var`),
  };
}

/**
 * The EIRB coupling subnet: pointwise expand → (depthwise ×numDw, one residual) → pointwise
 * project → optional attention. `collect` switches BatchNorm to train mode (batch statistics).
 */
export function eirb(x: tf.Tensor4D, p: ParamStore, prefix: string, numDw: number, attention: Attention, collect?: BatchStats[]): tf.Tensor4D {
  let h = pointwise(x, p.get(`${prefix}.pw.0.0.weight`) as tf.Tensor2D);
  h = tf.relu6(batchNorm(h, bnState(p, `${prefix}.pw.0.1`), collect));
  let d = h;
  for (let k = 0; k < numDw; k++) {
    d = depthwise3x3(d, p.get(`${prefix}.dw.${k}.0.weight`) as tf.Tensor4D);
    d = tf.relu6(batchNorm(d, bnState(p, `${prefix}.dw.${k}.1`), collect));
  }
  h = tf.add(h, d);
  let o = pointwise(h, p.get(`${prefix}.pw_linear.0.weight`) as tf.Tensor2D);
  o = batchNorm(o, bnState(p, `${prefix}.pw_linear.1`), collect);
  const a = `${prefix}.attention_stage.0`;
  if (attention === 'eca') return eca(o, p, a);
  if (attention === 'gcnet') return gcnet(o, p, a);
  return o;
}
