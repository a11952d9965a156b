import * as tf from '@tensorflow/tfjs-core';
import type { FlowConfig } from './config.js';
import type { BatchStats } from '../../nn/batch-norm.js';
import type { ParamStore } from '../../nn/params.js';
import { installWasmKernelOverrides } from '../../nn/wasm-kernels.js';
import { stepForward, stepInverse, type Permutation, type StepContext } from './step.js';

/** The normalizing flow of one feature scale: `flowSteps` steps with their permutations. */
export interface ScaleFlow {
  /** e.g. `nf_flows.1` */
  prefix: string;
  channels: number;
  permutations: Permutation[];
}

function contexts(flow: ScaleFlow, params: ParamStore, cfg: FlowConfig, collect?: BatchStats[]): StepContext[] {
  return flow.permutations.map((permutation, k) => ({ params, prefix: `${flow.prefix}.module_list.${k}`, cfg, permutation, collect }));
}

export function flowForward(flow: ScaleFlow, params: ParamStore, cfg: FlowConfig, x: tf.Tensor4D, collect?: BatchStats[]): { z: tf.Tensor4D; logdet: tf.Tensor1D } {
  let z = x;
  let logdet: tf.Tensor1D = tf.zeros([x.shape[0]]);
  installWasmKernelOverrides();
  for (const ctx of contexts(flow, params, cfg, collect)) {
    // One scope per step frees its intermediates at once (backprop keeps what it needs by itself):
    // without it a batch-8 localize held every activation of every step and overflowed wasm's 4 GB.
    const prevZ = z;
    const prevLogdet = logdet;
    const r = tf.tidy(() => {
      const o = stepForward(ctx, prevZ);
      return { y: o.y, logdet: tf.add(prevLogdet, o.logdet) as tf.Tensor1D };
    });
    if (prevZ !== x) prevZ.dispose();
    prevLogdet.dispose();
    z = r.y;
    logdet = r.logdet;
  }
  return { z, logdet };
}

export function flowInverse(flow: ScaleFlow, params: ParamStore, cfg: FlowConfig, z: tf.Tensor4D): tf.Tensor4D {
  installWasmKernelOverrides();
  let x = z;
  for (const ctx of contexts(flow, params, cfg).reverse()) {
    const prev = x;
    x = tf.tidy(() => stepInverse(ctx, prev));
    if (prev !== z) prev.dispose();
  }
  return x;
}

export function makePermutation(perm: number[]): Permutation {
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => (inverse[p] = i));
  return { perm: tf.tensor1d(perm, 'int32'), inverse: tf.tensor1d(inverse, 'int32') };
}

/** Per-sample negative log-likelihood term 0.5·Σz² − logdet (the reference's loss before the batch mean). */
export function nll(z: tf.Tensor4D, logdet: tf.Tensor1D): tf.Tensor1D {
  return tf.sub(tf.mul(tf.sum(tf.square(z), [1, 2, 3]), 0.5), logdet) as tf.Tensor1D;
}
