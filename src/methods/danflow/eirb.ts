import * as tf from '@tensorflow/tfjs-core';
import type { FlowConfig } from './config.js';
import { batchNorm, disposeBatchStats, type BatchNormState, type BatchStats } from '../../nn/batch-norm.js';
import { depthwise3x3 } from '../../nn/depthwise.js';
import type { ParamStore } from '../../nn/params.js';
import { pointwise } from '../../nn/pointwise.js';
import { withOuterTapeRestored } from '../../core/tf-helpers.js';
import { eca, gcnet } from './attention.js';

function bnState(p: ParamStore, prefix: string): BatchNormState {
  return {
    gamma: p.get(`${prefix}.weight`),
    beta: p.get(`${prefix}.bias`),
    runningMean: p.get(`${prefix}.running_mean`),
    runningVar: p.get(`${prefix}.running_var`),
  };
}

/** What the subnet's structure depends on. */
export type SubnetConfig = Pick<FlowConfig, 'numDw' | 'attention' | 'dwKernel'>;

/**
 * The EIRB coupling subnet: pointwise expand → (depthwise ×numDw, one residual) → pointwise
 * project → optional attention. `collect` switches BatchNorm to train mode (batch statistics).
 */
export function eirb(x: tf.Tensor4D, p: ParamStore, prefix: string, cfg: SubnetConfig, collect?: BatchStats[]): tf.Tensor4D {
  let h = pointwise(x, p.get(`${prefix}.pw.0.0.weight`) as tf.Tensor2D);
  h = batchNorm(h, bnState(p, `${prefix}.pw.0.1`), collect, true);
  let d = h;
  for (let k = 0; k < cfg.numDw; k++) {
    const w = p.get(`${prefix}.dw.${k}.0.weight`) as tf.Tensor4D;
    // A 1×1 depthwise conv is a per-channel scale: a broadcast multiply has native gradients everywhere.
    d = (cfg.dwKernel ?? 3) === 1 ? (tf.mul(d, tf.reshape(w, [-1])) as tf.Tensor4D) : depthwise3x3(d, w);
    d = batchNorm(d, bnState(p, `${prefix}.dw.${k}.1`), collect, true);
  }
  h = tf.add(h, d);
  let o = pointwise(h, p.get(`${prefix}.pw_linear.0.weight`) as tf.Tensor2D);
  o = batchNorm(o, bnState(p, `${prefix}.pw_linear.1`), collect);
  const a = `${prefix}.attention_stage.0`;
  if (cfg.attention === 'eca') return eca(o, p, a);
  if (cfg.attention === 'gcnet') return gcnet(o, p, a);
  return o;
}

/**
 * Train-mode EIRB with recomputation ("gradient checkpointing"): the forward keeps only the
 * subnet's input and parameters; the backward runs the subnet forward again under its own tape and
 * back-propagates dy through it. Same kernels on the same inputs, so the same values and gradients
 * as `eirb`, but a flow step no longer holds ~12 hidden-width activations per subnet until the
 * backward pass — what let a batch-8 resnet18 step fit in wasm's 4 GB heap. Batch statistics are
 * recorded once, by the first forward.
 */
export function eirbCheckpointed(x: tf.Tensor4D, p: ParamStore, prefix: string, cfg: SubnetConfig, collect: BatchStats[]): tf.Tensor4D {
  const keys = p.keys().filter((k) => k.startsWith(`${prefix}.`) && p.isTrainable(k));
  const vars = keys.map((k) => p.get(k));
  const f = tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const inputs = args as tf.Tensor[];
    save(inputs);
    const value = eirb(inputs[0] as tf.Tensor4D, p, prefix, cfg, collect);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const scratch: BatchStats[] = [];
      try {
        const g = tf.grads((...a: tf.Tensor[]) => eirb(a[0] as tf.Tensor4D, paramView(p, keys, a.slice(1)), prefix, cfg, scratch));
        return withOuterTapeRestored(() => g(saved, dy));
      } finally {
        disposeBatchStats(scratch);
      }
    };
    return { value, gradFunc };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as (...t: tf.Tensor[]) => tf.Tensor4D;
  return f(x, ...vars);
}

/** A ParamStore look-alike whose `keys` resolve to the given tensors (the recomputation's inputs). */
function paramView(p: ParamStore, keys: string[], tensors: tf.Tensor[]): ParamStore {
  const m = new Map(keys.map((k, i) => [k, tensors[i]]));
  return { get: (k: string) => m.get(k) ?? p.get(k) } as unknown as ParamStore;
}
