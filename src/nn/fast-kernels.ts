import { env } from '../core/env.js';
import type { FastKernel } from './kernels/names.js';
import type { FastOps } from './kernels/ops.js';

/**
 * danflow's own training kernels (kernels/): train-mode BatchNorm with a fused ReLU6 and its
 * backward, the depthwise 3×3 and 1×1 weight gradients, and the channel permutation. They do only
 * the arithmetic a step needs, where tfjs's generic path took a third of a wasm training step in
 * one "huge-kernel" depthwise conv and most of the rest in ones-row matMuls and bool tensors.
 *
 * This module is what the layers consult (small, loaded up front); the implementations are a chunk
 * loaded by loadFastKernels() — by training (ensureGradients) and by createDetector/loadDetector.
 * A kernel is used when it is registered for the active backend (wasm and cpu) and
 * env.trainingKernels is 'danflow' (the default); 'tfjs' selects tfjs's generic ops instead (the
 * golden tests run both ways).
 */
let loading: Promise<void> | undefined;
let ops: FastOps | undefined;

export type { FastKernel } from './kernels/names.js';

/** Registers the kernels (once; later calls return the same promise). */
export function loadFastKernels(): Promise<void> {
  loading ??= Promise.all([import('./kernels/register.js'), import('./kernels/ops.js')]).then(([r, o]) => {
    r.registerTrainingKernels();
    ops = o.FAST_OPS;
  });
  return loading;
}

/** Whether layer code should take the fast path for `k` on the active backend. */
export function fastKernel(k: FastKernel): boolean {
  return ops !== undefined && env.trainingKernels !== 'tfjs' && ops.registered(k);
}

/** The ops over the kernels; only after fastKernel() said yes (they are loaded by then). */
export function fastOps(): FastOps {
  if (!ops) throw new Error('danflow training kernels used before loadFastKernels()');
  return ops;
}
