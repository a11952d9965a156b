import type * as tf from '@tensorflow/tfjs-core';
import type { ParamSpec } from '../nn/param-spec.js';
import type { ParamStore } from '../nn/params.js';

/** State-dict prefix of every backbone tensor (the reference's `feature_extractor` module). */
export const BACKBONE_PREFIX = 'feature_extractor.';

export interface FeatureScale {
  channels: number;
  /** Downsampling factor relative to the input. */
  stride: number;
}

/** How raw 0..255 RGB is normalised before the backbone. */
export interface Preprocessing {
  mean: [number, number, number];
  std: [number, number, number];
}

export const IMAGENET: Preprocessing = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

/** A frozen feature extractor. Its tensors live in the detector's ParamStore under `prefix`. */
export interface Backbone {
  readonly name: string;
  readonly scales: FeatureScale[];
  readonly preprocessing: Preprocessing;
  /** Whether each scale gets a trainable LayerNorm (the CNN backbones) or not (ViTs). */
  readonly trainableNorms: boolean;
  specs(prefix: string): ParamSpec[];
  /** Called once the store holds the weights (e.g. to fold BatchNorm into convolutions). */
  prepare(params: ParamStore, prefix: string): void;
  /** Normalised NHWC input → one feature map per scale. */
  extract(x: tf.Tensor4D): tf.Tensor4D[];
  dispose(): void;
}
