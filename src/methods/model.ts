import * as tf from '@tensorflow/tfjs-core';
import { createBackbone } from '../backbones/registry.js';
import { BACKBONE_PREFIX, type Backbone } from '../backbones/types.js';
import type { StateDict } from '../io/state-dict.js';
import { initialTensor } from '../nn/init.js';
import type { ParamSpec, TensorSource } from '../nn/param-spec.js';
import { ParamStore } from '../nn/params.js';
import { REFERENCE_SIGMA, type DetectorConfig } from './config.js';
import { methodOf } from './registry.js';
import { gaussianBlur } from '../image/gaussian-blur.js';
import { imageScores, mapsForRule, REFERENCE_IMAGE_SCORE, type ImageScoreRule } from './image-score.js';
import type { MethodHead } from './types.js';

/** Pixel value range of NHWC image tensors: 255 (decoded 8-bit images) or 1 (the ONNX contract). */
export type PixelRange = 1 | 255;

/** Every tensor a model of this config holds: the backbone's, then the method's, in reference order. */
export function describeModel(config: DetectorConfig, backbone: Backbone = createBackbone(config.backbone)): ParamSpec[] {
  return [...backbone.specs(BACKBONE_PREFIX), ...methodOf(config.method).specs(config, backbone)];
}

/**
 * A detector's network: frozen backbone → method head, over one ParamStore keyed by the
 * reference's state_dict names. Built from a TensorSource (random init where it has no value) and,
 * when loading, the checkpoint's other tensors.
 */
export class Model {
  readonly params = new ParamStore();
  readonly backbone: Backbone;
  readonly specs: ParamSpec[];
  readonly head: MethodHead;

  constructor(
    readonly config: DetectorConfig,
    source: TensorSource,
    checkpoint?: StateDict,
  ) {
    this.backbone = createBackbone(config.backbone);
    this.specs = describeModel(config, this.backbone);
    try {
      for (const spec of this.specs) {
        const data = source(spec);
        this.params.add(spec.key, data ? tf.tensor(data, spec.shape, 'float32') : initialTensor(spec, config.seed), spec.trainable);
      }
      this.head = methodOf(config.method).create(config, this.backbone, this.params, checkpoint);
    } catch (e) {
      this.params.dispose();
      throw e;
    }
    checkpoint?.finish();
    this.backbone.prepare(this.params, BACKBONE_PREFIX);
  }

  /**
   * NHWC images at inputSize → normalised backbone input. Pixel values run 0..`range`: 255 for
   * decoded images, 1 for the ONNX graph's input (so the exported graph has no ×255 ÷255 pair).
   */
  normalise(images: tf.Tensor4D, range: PixelRange = 255): tf.Tensor4D {
    const { mean, std } = this.backbone.preprocessing;
    const unit = range === 1 ? images : tf.div(images, 255);
    return tf.div(tf.sub(unit, tf.tensor1d(mean)), tf.tensor1d(std)) as tf.Tensor4D;
  }

  /** Frozen part: backbone features per scale. Cacheable across epochs. */
  features(images: tf.Tensor4D, range: PixelRange = 255): tf.Tensor4D[] {
    return this.backbone.extract(this.normalise(images, range));
  }

  /** Raw anomaly maps [N, S, S] at the input size, no smoothing. */
  rawMaps(images: tf.Tensor4D): tf.Tensor3D {
    return tf.tidy(() => this.head.rawMaps(this.features(images)));
  }

  /** The image-score rule in force: the config's, or the reference's max while 'auto' is unresolved. */
  get imageScoreRule(): ImageScoreRule {
    const r = this.config.imageScore;
    return r === undefined || r === 'auto' ? REFERENCE_IMAGE_SCORE : r;
  }

  /** Records the rule fit chose for 'auto' (the config then describes the model as it is). */
  setImageScore(rule: ImageScoreRule): void {
    this.config.imageScore = rule;
  }

  /** The map smoothing localize uses unless told otherwise. */
  get sigma(): number {
    const s = this.config.sigma;
    return s === undefined || s === 'auto' ? REFERENCE_SIGMA : s;
  }

  /** Records the smoothing fit chose for 'auto'. */
  setSigma(sigma: number): void {
    this.config.sigma = sigma;
  }

  /**
   * Smoothed maps [N, S, S] and image scores [N] under the model's rule, from images. The maps are
   * smoothed at `sigma` unless `mapSigma` says otherwise (the ONNX contract: raw maps, scores at
   * the default sigma); `range` is the pixel range of `images` (see normalise).
   */
  mapsAndScores(images: tf.Tensor4D, sigma: number, options: { mapSigma?: number; range?: PixelRange } = {}): { maps: tf.Tensor3D; scores: tf.Tensor1D } {
    return tf.tidy(() => this.mapsAndScoresFromFeatures(this.features(images, options.range), sigma, this.imageScoreRule, options.mapSigma));
  }

  /** The same from cached backbone features (fit, calibration, validation). */
  mapsAndScoresFromFeatures(features: tf.Tensor4D[], sigma: number, rule: ImageScoreRule = this.imageScoreRule, mapSigma = sigma): { maps: tf.Tensor3D; scores: tf.Tensor1D } {
    return tf.tidy(() => {
      const { maps, likelihood } = mapsForRule(rule, this.head, features);
      const smoothed = gaussianBlur(maps, sigma);
      return { maps: mapSigma === sigma ? smoothed : gaussianBlur(maps, mapSigma), scores: imageScores(rule, smoothed, likelihood) };
    });
  }

  /**
   * Changes whenever what the network computes may have changed: a parameter write (training,
   * restoring best weights, loading), the head's own state (PatchCore's memory bank) or the image
   * score rule. Compiled copies of the model (the onnxruntime engine) are keyed by it.
   */
  get revision(): string {
    return `${this.params.version}/${this.head.revision ?? 0}/${JSON.stringify(this.imageScoreRule)}`;
  }

  /** Keys of the method's tensors (everything but the frozen backbone): what training changes. */
  headKeys(): string[] {
    return this.params.keys().filter((k) => !k.startsWith(BACKBONE_PREFIX));
  }

  trainableParameterCount(): number {
    return this.params.countTrainable();
  }

  dispose(): void {
    this.head.dispose();
    this.backbone.dispose();
    this.params.dispose();
  }
}
