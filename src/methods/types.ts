import type * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '../backbones/types.js';
import type { ProgressCallback } from '../core/progress.js';
import type { CheckpointTensors } from '../io/state-dict.js';
import type { WritableTensor } from '../io/safetensors.js';
import type { ParamSpec } from '../nn/param-spec.js';
import type { ParamStore } from '../nn/params.js';
import type { DetectorConfig } from './config.js';
import type { PatchCoreConfig } from './patchcore/config.js';

/** Where training batches come from: per-scale backbone features of the chosen images. */
export interface FeatureSource {
  readonly count: number;
  /** One tensor per scale, batch in `indices` order; the caller disposes them. */
  batch(indices: number[], epoch: number): Promise<tf.Tensor4D[]>;
}

/** Training settings after defaults were applied (the API layer owns the defaults). */
export interface TrainSettings {
  epochs: number;
  batchSize: number;
  learningRate: number;
  weightDecay: number;
  shuffle: boolean;
  learningRateSchedule: 'constant' | 'cosine';
  warmupEpochs: number;
  featureNoise: number;
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
}

export interface TrainResult {
  /** Epochs run (0 for methods without epochs). */
  epochs: number;
  steps: number;
  /** Mean loss of each epoch (empty for methods without a loss). */
  epochLosses: number[];
  seconds: number;
}

/** Runs after each epoch (e.g. synthetic validation); may add figures to the epoch event or stop training. */
export type EpochHook = (epoch: number, loss: number) => Promise<{ stop?: boolean; validation?: Record<string, number> } | void>;

/**
 * A fitted (or fittable) method on top of backbone features. Its tensors live in the model's
 * ParamStore under the method's own state-dict keys, except what it reports in `extraTensors`.
 */
export interface MethodHead {
  /** Raw anomaly maps [N, S, S] at the input size, higher = more anomalous. */
  rawMaps(features: tf.Tensor4D[]): tf.Tensor3D;
  /**
   * Raw maps and the per-image negative log-likelihood per feature dimension [N] in one forward pass,
   * for methods that have a density (flows); absent otherwise.
   */
  mapsAndLikelihood?(features: tf.Tensor4D[]): { maps: tf.Tensor3D; likelihood: tf.Tensor1D };
  /** Fits on the features of normal images; `afterEpoch` runs after each epoch (once for one-pass methods). */
  fit(features: FeatureSource, settings: TrainSettings, afterEpoch?: EpochHook): Promise<TrainResult>;
  /**
   * Bumped whenever the head's state outside the ParamStore changes (PatchCore's memory bank), so
   * compiled copies of the model notice; absent for heads that keep everything in the store.
   */
  readonly revision?: number;
  /** Tensors saved beside the ParamStore's (PyTorch layout), e.g. permutation matrices or a memory bank. */
  extraTensors(): Promise<Record<string, WritableTensor>>;
  /** The fixed channel permutations per scale, per step (flows), or [] — recorded in the manifest. */
  permutations(): Promise<number[][][]>;
  dispose(): void;
}

/** A row of the method table: everything the SDK needs to build, load and validate a method. */
export interface MethodDefinition {
  /** Whether fit runs epochs of gradient steps (true) or one pass over the features (false). */
  readonly iterative: boolean;
  /** Whether its heads have a density (`mapsAndLikelihood`), so `imageScore: 'likelihood'` works. */
  readonly hasLikelihood: boolean;
  /** One line for people, given the backbone's own description, e.g. "resnet18 @256, 3 flow steps, …". */
  summary(config: DetectorConfig, backbone: string): string;
  /** Label/value rows describing the method's settings (reports). */
  facts(config: DetectorConfig): [string, string][];
  /** The method's own fields of the resolved config (with defaults) from the user's options. */
  resolve(options: { patchcore?: Partial<PatchCoreConfig> }): Partial<DetectorConfig>;
  /** Throws BAD_CONFIG naming the field when the settings cannot build a model. */
  validate(config: DetectorConfig, backbone: Backbone): void;
  /** Every tensor the method keeps in the ParamStore, in reference state-dict order. */
  specs(config: DetectorConfig, backbone: Backbone): ParamSpec[];
  /**
   * Builds the head over the store (which already holds the specs' values). `checkpoint` is the
   * file being loaded, if any, for tensors outside the specs.
   */
  create(config: DetectorConfig, backbone: Backbone, params: ParamStore, checkpoint?: CheckpointTensors): MethodHead;
}
