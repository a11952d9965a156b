import * as tf from '@tensorflow/tfjs-core';
import type { Backbone } from '../../backbones/types.js';
import { DanflowError } from '../../core/errors.js';
import type { CheckpointTensors } from '../../io/state-dict.js';
import { sameShape } from '../../nn/param-spec.js';
import type { WritableTensor } from '../../io/safetensors.js';
import type { ParamStore } from '../../nn/params.js';
import type { DetectorConfig } from '../config.js';
import type { EpochHook, FeatureSource, MethodDefinition, MethodHead, TrainResult, TrainSettings } from '../types.js';
import { validateFlowConfig } from './config.js';
import { FlowHead, flowHeadSpecs, permutationKey, type FlowHeadShape } from './model.js';
import { loadFastKernels } from '../../nn/fast-kernels.js';
import { ensureGradients } from '../../nn/gradients.js';

function shapeOf(config: DetectorConfig, backbone: Backbone): FlowHeadShape {
  return { config, scales: backbone.scales, trainableNorms: backbone.trainableNorms };
}

function permutationFromMatrix(data: Float32Array, c: number, key: string): number[] {
  const perm = new Array<number>(c);
  const seen = new Set<number>();
  for (let i = 0; i < c; i++) {
    let found = -1;
    for (let j = 0; j < c; j++) {
      const v = data[i * c + j];
      if (v === 1) {
        if (found >= 0) found = -2;
        else if (found === -1) found = j;
      } else if (v !== 0) found = -2;
    }
    if (found < 0 || seen.has(found)) {
      throw new DanflowError('WEIGHTS_MISMATCH', `${key} is not a permutation matrix (row ${i}); the checkpoint is corrupt or not a DANFlow/FastFlow model.`);
    }
    seen.add(found);
    perm[i] = found;
  }
  return perm;
}

/** Each step's fixed permutation from its `w_perm` matrix (the reference stores it as a 1×1 conv weight). */
function readPermutations(checkpoint: CheckpointTensors, shape: FlowHeadShape): number[][][] {
  return shape.scales.map((s, i) =>
    Array.from({ length: shape.config.flowSteps }, (_, k) => {
      const key = permutationKey(i, k);
      const t = checkpoint.take(key);
      if (!t) throw new DanflowError('WEIGHTS_MISMATCH', `${checkpoint.what} has no tensor "${key}" (the step's fixed channel permutation).`);
      if (!sameShape(t.shape, [s.channels, s.channels])) {
        throw new DanflowError('WEIGHTS_MISMATCH', `${checkpoint.what}: "${key}" has shape [${t.shape.join(', ')}], expected [${s.channels}, ${s.channels}, 1, 1].`);
      }
      checkpoint.take(`${key}_inv`);
      return permutationFromMatrix(t.data, s.channels, key);
    }),
  );
}

/** DANFlow as a method: the flow head, trained by maximum likelihood on the normal features. */
export class DanflowHead implements MethodHead {
  constructor(readonly flow: FlowHead) {}

  rawMaps(features: tf.Tensor4D[]): tf.Tensor3D {
    return this.flow.anomalyMap(this.flow.forward(features));
  }

  mapsAndLikelihood(features: tf.Tensor4D[]): { maps: tf.Tensor3D; likelihood: tf.Tensor1D } {
    return tf.tidy(() => {
      const outputs = this.flow.forward(features);
      return { maps: this.flow.anomalyMap(outputs), likelihood: this.flow.negativeLogLikelihood(outputs) };
    });
  }

  async fit(features: FeatureSource, settings: TrainSettings, afterEpoch?: EpochHook): Promise<TrainResult> {
    // The training loop (Adam, schedule, steps) is a chunk of its own: inference never loads it.
    const [{ trainOnFeatures }] = await Promise.all([import('./train.js'), ensureGradients(), loadFastKernels()]);
    return trainOnFeatures(this.flow, features, settings, this.flow.config.seed, afterEpoch);
  }

  permutations(): Promise<number[][][]> {
    return this.flow.permutationArrays();
  }

  /** Permutation matrices as the reference keeps them: w_perm (P) and w_perm_inv (Pᵀ), (C, C, 1, 1). */
  async extraTensors(): Promise<Record<string, WritableTensor>> {
    const out: Record<string, WritableTensor> = {};
    const perms = await this.permutations();
    perms.forEach((steps, i) =>
      steps.forEach((perm, k) => {
        const c = perm.length;
        const w = new Float32Array(c * c);
        const wInv = new Float32Array(c * c);
        perm.forEach((j, r) => {
          w[r * c + j] = 1;
          wInv[j * c + r] = 1;
        });
        out[permutationKey(i, k)] = { dtype: 'F32', shape: [c, c, 1, 1], data: w };
        out[`${permutationKey(i, k)}_inv`] = { dtype: 'F32', shape: [c, c, 1, 1], data: wInv };
      }),
    );
    return out;
  }

  dispose(): void {
    this.flow.dispose();
  }
}

export const danflowMethod: MethodDefinition = {
  iterative: true,
  hasLikelihood: true,
  summary: (c, backbone) => `${backbone} @${c.inputSize}, ${c.flowSteps} flow steps, numDw ${c.numDw}${c.dwKernel === 1 ? ' (1×1)' : ''}, ${c.attention}${c.doubleSubnets ? '' : ', single subnet'}`,
  facts: (c) => [['Flows', `${c.flowSteps} steps per scale, ${c.numDw} depthwise conv(s)${c.dwKernel === 1 ? ' (1×1)' : ''}, ${c.doubleSubnets ? 'two subnets' : 'one subnet'}, attention ${c.attention}`]],
  resolve: () => ({}),
  validate: (config, _backbone) =>
    validateFlowConfig(config, (message) => {
      throw new DanflowError('BAD_CONFIG', message);
    }),
  specs: (config, backbone) => flowHeadSpecs(shapeOf(config, backbone)),
  create: (config: DetectorConfig, backbone: Backbone, params: ParamStore, checkpoint?: CheckpointTensors) => {
    const shape = shapeOf(config, backbone);
    return new DanflowHead(new FlowHead(shape, params, checkpoint ? readPermutations(checkpoint, shape) : undefined));
  },
};
