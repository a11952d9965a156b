import * as tf from '@tensorflow/tfjs-core';
import type { FeatureScale } from '../../backbones/types.js';
import { hashPermutation } from '../../core/prng.js';
import type { BatchStats } from '../../nn/batch-norm.js';
import { layerNorm } from '../../nn/layer-norm.js';
import type { ParamSpec } from '../../nn/param-spec.js';
import type { ParamStore } from '../../nn/params.js';
import type { FlowConfig } from './config.js';
import { flowForward, flowInverse, makePermutation, nll, type ScaleFlow } from './flow.js';
import { flowSpecs } from './spec.js';

const NORM_EPS = 1e-5;

export interface ScaleOutput {
  z: tf.Tensor4D;
  logdet: tf.Tensor1D;
}

/** What the flow head's shape depends on: its settings and the backbone's feature maps. */
export interface FlowHeadShape {
  config: FlowConfig & { inputSize: number; seed: number };
  scales: readonly FeatureScale[];
  /** Whether each scale gets a trainable LayerNorm (CNN backbones) or not (ViTs). */
  trainableNorms: boolean;
}

export function flowPrefix(scale: number): string {
  return `nf_flows.${scale}`;
}

/** The key of a flow step's permutation matrix in the reference state_dict. */
export function permutationKey(scale: number, step: number): string {
  return `${flowPrefix(scale)}.module_list.${step}.w_perm`;
}

/** Every tensor the flow head keeps: per-scale LayerNorm affine (CNNs), then each scale's flow. */
export function flowHeadSpecs({ config, scales, trainableNorms }: FlowHeadShape): ParamSpec[] {
  const specs: ParamSpec[] = [];
  if (trainableNorms) {
    scales.forEach((s, i) => {
      const hw = Math.floor(config.inputSize / s.stride);
      const shape = [hw, hw, s.channels];
      const torchShape = [s.channels, hw, hw];
      specs.push(
        { key: `norms.${i}.weight`, shape, torchShape, layout: 'chw', trainable: true, init: { kind: 'const', value: 1 } },
        { key: `norms.${i}.bias`, shape, torchShape, layout: 'chw', trainable: true, init: { kind: 'const', value: 0 } },
      );
    });
  }
  scales.forEach((s, i) => specs.push(...flowSpecs(flowPrefix(i), s.channels, config)));
  return specs;
}

/**
 * The trainable part of DANFlow: per-scale LayerNorm then a normalizing flow per scale, over the
 * model's ParamStore (keys as the reference's state_dict), plus the fixed channel permutations.
 */
export class FlowHead {
  readonly flows: ScaleFlow[];

  /** `permutations[scale][step]`: from a checkpoint, else derived from the seed. */
  constructor(
    readonly shape: FlowHeadShape,
    readonly params: ParamStore,
    permutations?: number[][][],
  ) {
    const { config, scales } = shape;
    this.flows = scales.map((s, i) => ({
      prefix: flowPrefix(i),
      channels: s.channels,
      permutations: Array.from({ length: config.flowSteps }, (_, k) =>
        makePermutation(permutations?.[i]?.[k] ?? hashPermutation(`${config.seed}/perm/${i}/${k}`, s.channels)),
      ),
    }));
  }

  get config(): FlowHeadShape['config'] {
    return this.shape.config;
  }

  async permutationArrays(): Promise<number[][][]> {
    return Promise.all(this.flows.map((f) => Promise.all(f.permutations.map(async (p) => Array.from(await p.perm.data())))));
  }

  /** LayerNorm (if any) then the flow, per scale. `collect` selects BatchNorm train mode. */
  forward(features: tf.Tensor4D[], collect?: BatchStats[]): ScaleOutput[] {
    return features.map((f, i) => this.forwardScale(i, f, collect));
  }

  /**
   * The trainable part of one scale (its LayerNorm and flow); scales share no parameters. `noise`
   * (training only) is added to the normalised features.
   */
  forwardScale(i: number, f: tf.Tensor4D, collect?: BatchStats[], noise?: tf.Tensor4D): ScaleOutput {
    return tf.tidy(() => {
      const normed = this.shape.trainableNorms
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
   * Per image, (0.5·Σz² − log|det J|) / (H·W·C) of each scale, averaged over scales: the negative
   * log-likelihood per feature dimension (up to the constant ½·log 2π), comparable across scales of
   * different sizes. [N], higher = less likely under the normal images.
   */
  negativeLogLikelihood(outputs: ScaleOutput[]): tf.Tensor1D {
    return tf.tidy(() => {
      const perScale = outputs.map((o) => {
        const [, h, w, c] = o.z.shape;
        return tf.div(nll(o.z, o.logdet), h * w * c);
      });
      return tf.div(tf.addN(perScale), perScale.length) as tf.Tensor1D;
    });
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

  /** Disposes the permutations; the parameters belong to the model's store. */
  dispose(): void {
    for (const f of this.flows) for (const p of f.permutations) {
      p.perm.dispose();
      p.inverse.dispose();
    }
  }
}
