import * as tf from '@tensorflow/tfjs-core';
import { createBackbone } from '../backbones/registry.js';
import type { Backbone } from '../backbones/types.js';
import type { DetectorConfig } from '../config.js';
import { flowForward, flowInverse, makePermutation, nll, type ScaleFlow } from '../flow/flow.js';
import { flowSpecs } from '../flow/spec.js';
import type { BatchStats } from '../nn/batch-norm.js';
import { hashPermutation } from '../nn/hash-random.js';
import { layerNorm } from '../nn/layer-norm.js';
import { ParamStore } from '../nn/params.js';
import { initialTensor } from './init.js';
import type { ParamSpec } from './param-spec.js';

export const BACKBONE_PREFIX = 'feature_extractor.';
const NORM_EPS = 1e-5;

/** Source of tensor values by reference key, in internal layout (undefined → random init). */
export type TensorSource = (spec: ParamSpec) => Float32Array | undefined;

export interface ModelDescription {
  specs: ParamSpec[];
  flows: { prefix: string; channels: number; steps: number }[];
}

export interface ScaleOutput {
  z: tf.Tensor4D;
  logdet: tf.Tensor1D;
}

/**
 * The DANFlow network: frozen backbone → per-scale LayerNorm → per-scale flow. Owns every tensor
 * (one ParamStore keyed by the reference's state_dict names) and the fixed permutations.
 */
export class DanflowModel {
  readonly params = new ParamStore();
  readonly backbone: Backbone;
  readonly flows: ScaleFlow[];
  readonly specs: ParamSpec[];

  constructor(
    readonly config: DetectorConfig,
    permutations: number[][][] | undefined,
    source: TensorSource,
  ) {
    this.backbone = createBackbone(config.backbone);
    this.specs = DanflowModel.describe(config, this.backbone).specs;
    for (const spec of this.specs) {
      const data = source(spec);
      const t = data ? tf.tensor(data, spec.shape, 'float32') : initialTensor(spec, config.seed);
      this.params.add(spec.key, t, spec.trainable);
    }
    // PatchCore uses the backbone alone; its memory bank lives outside the ParamStore.
    this.flows = config.method === 'patchcore' ? [] : this.backbone.scales.map((s, i) => ({
      prefix: `nf_flows.${i}`,
      channels: s.channels,
      permutations: Array.from({ length: config.flowSteps }, (_, k) =>
        makePermutation(permutations?.[i]?.[k] ?? hashPermutation(`${config.seed}/perm/${i}/${k}`, s.channels)),
      ),
    }));
    this.backbone.prepare(this.params, BACKBONE_PREFIX);
  }

  /** Every tensor the model holds (backbone, norms, flows, in reference order) and the flows' shapes. */
  static describe(config: DetectorConfig, backbone: Backbone = createBackbone(config.backbone)): ModelDescription {
    const specs: ParamSpec[] = [...backbone.specs(BACKBONE_PREFIX)];
    if (config.method === 'patchcore') return { specs, flows: [] };
    if (backbone.trainableNorms) {
      backbone.scales.forEach((s, i) => {
        const hw = Math.floor(config.inputSize / s.stride);
        const shape = [hw, hw, s.channels];
        const torchShape = [s.channels, hw, hw];
        specs.push(
          { key: `norms.${i}.weight`, shape, torchShape, layout: 'chw', trainable: true, init: { kind: 'const', value: 1 } },
          { key: `norms.${i}.bias`, shape, torchShape, layout: 'chw', trainable: true, init: { kind: 'const', value: 0 } },
        );
      });
    }
    backbone.scales.forEach((s, i) => specs.push(...flowSpecs(`nf_flows.${i}`, s.channels, config)));
    const flows = backbone.scales.map((s, i) => ({ prefix: `nf_flows.${i}`, channels: s.channels, steps: config.flowSteps }));
    return { specs, flows };
  }

  featureSize(scale: number): number {
    return Math.floor(this.config.inputSize / this.backbone.scales[scale].stride);
  }

  async permutationArrays(): Promise<number[][][]> {
    return Promise.all(this.flows.map((f) => Promise.all(f.permutations.map(async (p) => Array.from(await p.perm.data())))));
  }

  /** uint8-range NHWC images at inputSize → normalised backbone input. */
  normalise(images: tf.Tensor4D): tf.Tensor4D {
    const { mean, std } = this.backbone.preprocessing;
    return tf.div(tf.sub(tf.div(images, 255), tf.tensor1d(mean)), tf.tensor1d(std)) as tf.Tensor4D;
  }

  /** Frozen part: backbone features (no LayerNorm). Cacheable across epochs. */
  backboneFeatures(images: tf.Tensor4D): tf.Tensor4D[] {
    return this.backbone.extract(this.normalise(images));
  }

  /** Trainable part: LayerNorm (if any) then the flow, per scale. `collect` selects BN train mode. */
  head(features: tf.Tensor4D[], collect?: BatchStats[]): ScaleOutput[] {
    return features.map((f, i) => this.headScale(i, f, collect));
  }

  /**
   * The trainable part of one scale (its LayerNorm and flow); scales share no parameters. `noise`
   * (training only) is added to the normalised features.
   */
  headScale(i: number, f: tf.Tensor4D, collect?: BatchStats[], noise?: tf.Tensor4D): ScaleOutput {
    return tf.tidy(() => {
      const normed = this.backbone.trainableNorms
        ? (layerNorm(f, this.params.get(`norms.${i}.weight`), this.params.get(`norms.${i}.bias`), NORM_EPS) as tf.Tensor4D)
        : f;
      const x = noise ? (tf.add(normed, noise) as tf.Tensor4D) : normed;
      return flowForward(this.flows[i], this.params, this.config, x, collect);
    });
  }

  /** Whether a parameter key belongs to scale i (its LayerNorm or its flow). */
  isScaleParam(i: number, key: string): boolean {
    return key.startsWith(`norms.${i}.`) || key.startsWith(`${this.flows[i].prefix}.`);
  }

  inverse(scale: number, z: tf.Tensor4D): tf.Tensor4D {
    return flowInverse(this.flows[scale], this.params, this.config, z);
  }

  /** Σ_scales mean_batch(0.5·Σz² − logdet). */
  static loss(outputs: ScaleOutput[]): tf.Scalar {
    return tf.addN(outputs.map((o) => tf.mean(nll(o.z, o.logdet)))) as tf.Scalar;
  }

  /**
   * Reference anomaly map at inputSize: per scale −exp(−0.5·mean_C z²), bilinearly upsampled with
   * half-pixel centres, averaged over scales. [N, S, S], values in [−1, 0].
   */
  anomalyMap(outputs: ScaleOutput[]): tf.Tensor3D {
    const s = this.config.inputSize;
    const maps = outputs.map((o) => {
      const p = tf.exp(tf.mul(tf.mean(tf.square(o.z), 3, true), -0.5)) as tf.Tensor4D;
      return tf.image.resizeBilinear(tf.neg(p) as tf.Tensor4D, [s, s], false, true);
    });
    return tf.squeeze(tf.div(tf.addN(maps), maps.length), [3]) as tf.Tensor3D;
  }

  trainableParameterCount(): number {
    return this.params.countTrainable();
  }

  dispose(): void {
    this.backbone.dispose();
    for (const f of this.flows) for (const p of f.permutations) {
      p.perm.dispose();
      p.inverse.dispose();
    }
    this.params.dispose();
  }
}
