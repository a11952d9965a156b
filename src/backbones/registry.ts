import { backboneLabel, isTfjsBackbone, type BackboneChoice } from './config.js';
import { DanflowError } from '../core/errors.js';
import { MOBILENETV2_PRESET_ALPHA, MOBILENETV2_PRESET_LAYERS, MobileNetV2Backbone, TF_PREPROCESSING, preprocessingFor } from './mobilenetv2.js';
import { RESNET_ARCHS, ResNetBackbone } from './resnet.js';
import type { Backbone } from './types.js';
import { VIT_ARCHS, VitBackbone } from './vit.js';

/** Names accepted as `backbone` (besides a `{ type: 'tfjs', … }` object). */
export const BACKBONE_NAMES = [...Object.keys(RESNET_ARCHS), ...Object.keys(VIT_ARCHS), 'mobilenetv2'];

/** How the backbone's weights are stored: PyTorch/timm safetensors, or a TF.js layers model.json + shards. */
export function backboneWeightsFormat(choice: BackboneChoice): 'safetensors' | 'tfjs' {
  return choice === 'mobilenetv2' || isTfjsBackbone(choice) ? 'tfjs' : 'safetensors';
}

/** Builds the (weightless) feature extractor for a backbone setting. Cheap: allocates no tensors. */
export function createBackbone(choice: BackboneChoice): Backbone {
  if (isTfjsBackbone(choice)) {
    if (choice.type !== 'tfjs') throw new DanflowError('BAD_CONFIG', `Unknown custom backbone type "${String(choice.type)}"; the only one is 'tfjs'.`);
    return new MobileNetV2Backbone({
      name: 'tfjs',
      alpha: choice.alpha ?? MOBILENETV2_PRESET_ALPHA,
      layers: choice.layers,
      preprocessing: preprocessingFor(choice.preprocess ?? 'tf'),
    });
  }
  const resnet = RESNET_ARCHS[choice];
  if (resnet) return new ResNetBackbone(resnet);
  const vit = VIT_ARCHS[choice];
  if (vit) return new VitBackbone(vit);
  if (choice === 'mobilenetv2') {
    return new MobileNetV2Backbone({ name: 'mobilenetv2', alpha: MOBILENETV2_PRESET_ALPHA, layers: MOBILENETV2_PRESET_LAYERS, preprocessing: TF_PREPROCESSING });
  }
  throw new DanflowError('BAD_CONFIG', `Unknown backbone "${backboneLabel(choice)}". Available: ${BACKBONE_NAMES.join(', ')}, or { type: 'tfjs', model, layers }.`);
}
