import * as tf from '@tensorflow/tfjs-core';
import { DanflowError } from '../errors.js';
import { DanflowModel } from '../model/danflow-model.js';
import { nll } from '../flow/flow.js';
import { applyBatchStats, disposeBatchStats, type BatchStats } from '../nn/batch-norm.js';
import { installWasmKernelOverrides } from '../nn/wasm-kernels.js';
import type { ProgressCallback } from '../progress.js';
import { Adam } from './adam.js';
import { seededShuffle } from './shuffle.js';
import { augmentationTransforms, type Augmentation } from './augment.js';
import type { FeatureSource } from './feature-source.js';
import { learningRateAt } from './schedule.js';

export interface FitOptions {
  /** Passes over the training images. Default 10 (the reference trains 200). */
  epochs?: number;
  /** Default 8 (the reference uses 32; smaller batches keep memory low on CPU/wasm). */
  batchSize?: number;
  /** Adam learning rate. Default 1e-3. */
  learningRate?: number;
  /** L2 penalty added to the gradient, as PyTorch Adam's weight_decay. Default 1e-5. */
  weightDecay?: number;
  onProgress?: ProgressCallback;
  /** Aborting stops after the current step with an ABORTED error; the weights trained so far stay. */
  signal?: AbortSignal;
  /** Shuffle each epoch (seeded by the detector's seed). Default true. */
  shuffle?: boolean;
  /**
   * 'constant' (the reference) or 'cosine': the rate decays as lr·½(1 + cos(π·t/T)) over the T
   * steps of all epochs, after `warmupEpochs` of linear warm-up.
   */
  learningRateSchedule?: LearningRateSchedule;
  /** Epochs of linear learning-rate warm-up (cosine schedule only). Default 0. */
  warmupEpochs?: number;
  /**
   * Standard deviation of Gaussian noise added to the normalised features during training only.
   * A small amount (0.3–0.5) keeps the flow from collapsing onto low-dimensional feature sets,
   * e.g. MobileNetV2's ReLU outputs that are exactly 0. Default 0 (the reference).
   */
  featureNoise?: number;
  /**
   * Random flips / 90° rotations of the training images, a new pick per image and epoch (the
   * backbone then runs every epoch instead of once). Default none (the reference).
   */
  augment?: Augmentation[];
}

export type LearningRateSchedule = 'constant' | 'cosine';

export interface FitResult {
  epochs: number;
  steps: number;
  /** Mean loss of each epoch. */
  epochLosses: number[];
  seconds: number;
}

export interface ResolvedFitOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  shuffle: boolean;
  learningRateSchedule: LearningRateSchedule;
  warmupEpochs: number;
  featureNoise: number;
  augment: Augmentation[];
}

export function resolveFitOptions(o: FitOptions): ResolvedFitOptions {
  const r = {
    epochs: o.epochs ?? 10,
    batchSize: o.batchSize ?? 8,
    learningRate: o.learningRate ?? 1e-3,
    weightDecay: o.weightDecay ?? 1e-5,
    shuffle: o.shuffle ?? true,
    learningRateSchedule: o.learningRateSchedule ?? 'constant',
    warmupEpochs: o.warmupEpochs ?? 0,
    featureNoise: o.featureNoise ?? 0,
    augment: o.augment ?? [],
  };
  for (const [k, v] of Object.entries({ epochs: r.epochs, batchSize: r.batchSize })) {
    if (!Number.isInteger(v) || v < 1) throw new DanflowError('BAD_ARGUMENT', `fit: ${k} must be a positive integer (got ${v}).`);
  }
  if (!(r.learningRate > 0) || !Number.isFinite(r.learningRate)) throw new DanflowError('BAD_ARGUMENT', `fit: learningRate must be a positive number (got ${r.learningRate}).`);
  if (!(r.weightDecay >= 0)) throw new DanflowError('BAD_ARGUMENT', `fit: weightDecay must be ≥ 0 (got ${r.weightDecay}).`);
  if (r.learningRateSchedule !== 'constant' && r.learningRateSchedule !== 'cosine') throw new DanflowError('BAD_ARGUMENT', `fit: learningRateSchedule must be 'constant' or 'cosine' (got ${JSON.stringify(r.learningRateSchedule)}).`);
  if (!(r.warmupEpochs >= 0) || !Number.isFinite(r.warmupEpochs)) throw new DanflowError('BAD_ARGUMENT', `fit: warmupEpochs must be a number ≥ 0 (got ${r.warmupEpochs}).`);
  if (!(r.featureNoise >= 0) || !Number.isFinite(r.featureNoise)) throw new DanflowError('BAD_ARGUMENT', `fit: featureNoise must be a number ≥ 0 (got ${r.featureNoise}).`);
  if (!Array.isArray(r.augment)) throw new DanflowError('BAD_ARGUMENT', `fit: augment must be an array such as ['hflip', 'vflip', 'rot90'] (got ${JSON.stringify(r.augment)}).`);
  augmentationTransforms(r.augment);
  return r;
}

export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new DanflowError('ABORTED', `${what} was aborted.`, { cause: signal.reason });
}

/** Lets the event loop run (progress bars, UI, abort handlers) between heavy steps. */
export const yieldToEventLoop = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

/**
 * One optimisation step on a batch of cached backbone features: train-mode forward, gradients,
 * NaN guard (before any weight changes), Adam, then the BatchNorm running-statistics update.
 */
export async function trainStep(model: DanflowModel, adam: Adam, features: tf.Tensor4D[], where: string, noise?: { std: number; seed: number }): Promise<number> {
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
        () => (scales.length === 1 ? (tf.mean(nll(...zl(model.headScale(scales[0], features[scales[0]], stats, noises?.[scales[0]])))) as tf.Scalar) : DanflowModel.loss(scales.map((s) => model.headScale(s, features[s], stats, noises?.[s])))),
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
function scaleGroups(model: DanflowModel, trainable: Map<string, tf.Variable>): { scales: number[]; vars: tf.Variable[] }[] {
  const n = model.flows.length;
  const groups = Array.from({ length: n }, (_, i) => ({ scales: [i], vars: [] as tf.Variable[] }));
  for (const [key, v] of trainable) {
    const i = groups.findIndex((_, s) => model.isScaleParam(s, key));
    if (i < 0) return [{ scales: groups.map((g) => g.scales[0]), vars: [...trainable.values()] }];
    groups[i].vars.push(v);
  }
  return groups.filter((g) => g.vars.length > 0);
}

/** Runs after each epoch (e.g. synthetic validation); may add figures to the epoch event or stop training. */
export type EpochHook = (epoch: number, loss: number) => Promise<{ stop?: boolean; validation?: Record<string, number> } | void>;

/** Epoch loop over backbone features (cached, or recomputed per epoch when augmenting). */
export async function trainOnFeatures(model: DanflowModel, features: FeatureSource, opts: FitOptions, seed: number, afterEpoch?: EpochHook): Promise<FitResult> {
  const o = resolveFitOptions(opts);
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
        throwIfAborted(opts.signal, 'fit');
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
        opts.onProgress?.({ type: 'step', epoch, epochs: o.epochs, step: step + 1, steps, loss });
        await yieldToEventLoop();
      }
      const mean = sum / n;
      epochLosses.push(mean);
      const hook = await afterEpoch?.(epoch, mean);
      opts.onProgress?.({ type: 'epoch', epoch, epochs: o.epochs, loss: mean, seconds: (Date.now() - e0) / 1000, ...(hook?.validation ? { validation: hook.validation } : {}) });
      if (hook?.stop) break;
    }
  } finally {
    adam.dispose();
  }
  return { epochs: epochLosses.length, steps: total, epochLosses, seconds: (Date.now() - t0) / 1000 };
}
