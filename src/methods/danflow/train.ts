import * as tf from '@tensorflow/tfjs-core';
import { DanflowError } from '../../core/errors.js';
import { throwIfAborted, yieldToEventLoop } from '../../core/abort.js';
import { FlowHead } from './model.js';
import { nll } from './flow.js';
import { applyBatchStats, disposeBatchStats, type BatchStats } from '../../nn/batch-norm.js';
import { installWasmKernelOverrides } from '../../nn/wasm-kernels.js';
import { Adam } from './adam.js';
import { seededShuffle } from '../../core/prng.js';
import type { EpochHook, FeatureSource, TrainResult, TrainSettings } from '../types.js';
import { learningRateAt } from './schedule.js';

/**
 * One optimisation step on a batch of cached backbone features: train-mode forward, gradients,
 * NaN guard (before any weight changes), Adam, then the BatchNorm running-statistics update.
 */
export async function trainStep(model: FlowHead, adam: Adam, features: tf.Tensor4D[], where: string, noise?: { std: number; seed: number }): Promise<number> {
  installWasmKernelOverrides();
  const trainable = model.params.trainable();
  const byName = new Map<string, string>();
  for (const [key, v] of trainable) byName.set(v.name, key);
  // The loss is a sum over scales whose parameters are disjoint, so each scale's gradients can be
  // taken on its own: identical gradients, but only one scale's activations alive at a time.
  const groups = scaleGroups(model, trainable);
  const stats: BatchStats[] = [];
  const keyed: Record<string, tf.Tensor> = {};
  const noises = noise && noise.std > 0
    ? features.map((f, s) => tf.randomNormal(f.shape, 0, noise.std, 'float32', (noise.seed * 31 + s) >>> 0) as tf.Tensor4D)
    : undefined;
  try {
    let loss = 0;
    for (const { scales, vars } of groups) {
      const { value, grads } = tf.variableGrads(
        () => (scales.length === 1 ? (tf.mean(nll(...zl(model.forwardScale(scales[0], features[scales[0]], stats, noises?.[scales[0]])))) as tf.Scalar) : FlowHead.loss(scales.map((s) => model.forwardScale(s, features[s], stats, noises?.[s])))),
        vars,
      );
      for (const [name, g] of Object.entries(grads)) keyed[byName.get(name)!] = g;
      loss += (await value.data())[0];
      value.dispose();
    }
    if (!Number.isFinite(loss)) {
      throw new DanflowError(
        'NAN_LOSS',
        `The training loss became ${loss} at ${where}; no update was applied, so the weights are those of the previous step. ` +
          'Lower learningRate (e.g. 1e-4), check that the images are not constant or corrupt, or reduce flowSteps.',
      );
    }
    adam.apply(trainable, keyed);
    applyBatchStats(stats);
    return loss;
  } catch (e) {
    disposeBatchStats(stats);
    throw e;
  } finally {
    for (const g of Object.values(keyed)) g.dispose();
    if (noises) tf.dispose(noises);
  }
}

const zl = (o: { z: tf.Tensor4D; logdet: tf.Tensor1D }): [tf.Tensor4D, tf.Tensor1D] => [o.z, o.logdet];

/** Trainable variables grouped by scale; one joint group if some parameter belongs to no single scale. */
function scaleGroups(model: FlowHead, trainable: Map<string, tf.Variable>): { scales: number[]; vars: tf.Variable[] }[] {
  const n = model.flows.length;
  const groups = Array.from({ length: n }, (_, i) => ({ scales: [i], vars: [] as tf.Variable[] }));
  for (const [key, v] of trainable) {
    const i = groups.findIndex((_, s) => model.isScaleParam(s, key));
    if (i < 0) return [{ scales: groups.map((g) => g.scales[0]), vars: [...trainable.values()] }];
    groups[i].vars.push(v);
  }
  return groups.filter((g) => g.vars.length > 0);
}

/** Epoch loop over backbone features (cached, or recomputed per epoch when augmenting). */
export async function trainOnFeatures(model: FlowHead, features: FeatureSource, o: TrainSettings, seed: number, afterEpoch?: EpochHook): Promise<TrainResult> {
  const n = features.count;
  const adam = new Adam({ learningRate: o.learningRate, weightDecay: o.weightDecay });
  const steps = Math.ceil(n / o.batchSize);
  const epochLosses: number[] = [];
  const t0 = Date.now();
  let total = 0;
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const e0 = Date.now();
      const order = o.shuffle ? seededShuffle(n, seed * 1000003 + epoch) : Array.from({ length: n }, (_, i) => i);
      let sum = 0;
      for (let step = 0; step < steps; step++) {
        throwIfAborted(o.signal, 'fit');
        const idx = order.slice(step * o.batchSize, (step + 1) * o.batchSize);
        adam.learningRate = learningRateAt(o, total, steps);
        const batch = await features.batch(idx, epoch);
        let loss: number;
        try {
          const noise = o.featureNoise > 0 ? { std: o.featureNoise, seed: seed * 7919 + total } : undefined;
          loss = await trainStep(model, adam, batch, `epoch ${epoch}, step ${step + 1}`, noise);
        } finally {
          tf.dispose(batch);
        }
        sum += loss * idx.length;
        total++;
        o.onProgress?.({ type: 'step', epoch, epochs: o.epochs, step: step + 1, steps, loss });
        await yieldToEventLoop();
      }
      const mean = sum / n;
      epochLosses.push(mean);
      const hook = await afterEpoch?.(epoch, mean);
      o.onProgress?.({ type: 'epoch', epoch, epochs: o.epochs, loss: mean, seconds: (Date.now() - e0) / 1000, ...(hook?.validation ? { validation: hook.validation } : {}) });
      if (hook?.stop) break;
    }
  } finally {
    adam.dispose();
  }
  return { epochs: epochLosses.length, steps: total, epochLosses, seconds: (Date.now() - t0) / 1000 };
}
