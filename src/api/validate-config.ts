import { BACKBONE_INPUT_SIZE, isTfjsBackbone } from '../backbones/config.js';
import { MobileNetV2Backbone } from '../backbones/mobilenetv2.js';
import { BACKBONE_NAMES, createBackbone } from '../backbones/registry.js';
import type { Backbone } from '../backbones/types.js';
import { VIT_ARCHS } from '../backbones/vit.js';
import { DanflowError, isDanflowError } from '../core/errors.js';
import { checkRule } from '../methods/image-score.js';
import { methodOf } from '../methods/registry.js';
import type { DetectorConfig } from './config.js';

const PREPROCESS = ['tf', 'imagenet'];

function bad(msg: string): never {
  throw new DanflowError('BAD_CONFIG', msg);
}

/** Rejects settings that cannot build a model, naming the field and the accepted values. */
export function validateConfig(c: DetectorConfig): void {
  const b = c.backbone;
  if (isTfjsBackbone(b)) {
    if (b.type !== 'tfjs') bad(`backbone.type must be 'tfjs' (got ${JSON.stringify(b.type)}).`);
    if (typeof b.model !== 'string' || b.model.trim() === '') bad("backbone.model must be the model.json location (path, URL or hf: id), e.g. { type: 'tfjs', model: './mobilenet/model.json', layers: [...] }.");
    if (!Array.isArray(b.layers) || b.layers.length === 0 || !b.layers.every((l) => typeof l === 'string')) {
      bad("backbone.layers must be a non-empty array of layer names, e.g. ['block_3_expand_relu', 'block_6_expand_relu', 'block_13_expand_relu'].");
    }
    if (b.preprocess !== undefined && !PREPROCESS.includes(b.preprocess)) bad(`backbone.preprocess must be one of ${PREPROCESS.join(', ')} (got "${String(b.preprocess)}").`);
    if (b.alpha !== undefined && !(typeof b.alpha === 'number' && b.alpha > 0 && b.alpha <= 4)) bad(`backbone.alpha (the MobileNetV2 width multiplier) must be a number in (0, 4] (got ${String(b.alpha)}).`);
    if (b.inputSize !== undefined && b.inputSize !== c.inputSize) bad(`backbone.inputSize (${b.inputSize}) and inputSize (${c.inputSize}) disagree; set one of them.`);
  } else if (!BACKBONE_NAMES.includes(b)) {
    bad(`Unknown backbone "${String(b)}". Available: ${BACKBONE_NAMES.join(', ')}, or { type: 'tfjs', model, layers }.`);
  }
  if (!Number.isInteger(c.inputSize) || c.inputSize < 32 || c.inputSize % 16 !== 0) bad(`inputSize must be a multiple of 16 and at least 32 (got ${c.inputSize}); the reference uses 256 for ResNets.`);
  if (typeof b === 'string' && VIT_ARCHS[b] && c.inputSize !== VIT_ARCHS[b].imageSize) {
    bad(`${b} needs inputSize ${VIT_ARCHS[b].imageSize} (its position embeddings are for a ${VIT_ARCHS[b].imageSize / 16}×${VIT_ARCHS[b].imageSize / 16} grid); got ${c.inputSize}.`);
  }
  let backbone: Backbone;
  try {
    backbone = createBackbone(b);
  } catch (e) {
    if (isDanflowError(e)) throw e;
    throw new DanflowError('BAD_CONFIG', String(e));
  }
  if (backbone instanceof MobileNetV2Backbone && c.inputSize % backbone.maxStride !== 0) {
    bad(`inputSize must be a multiple of ${backbone.maxStride} for the layers ${backbone.layers.join(', ')} (got ${c.inputSize}); ${BACKBONE_INPUT_SIZE.mobilenetv2} is the usual choice.`);
  }
  if (!Number.isInteger(c.seed)) bad(`seed must be an integer (got ${c.seed}).`);
  methodOf(c.method).validate(c, backbone);
  if (c.sigma !== undefined && c.sigma !== 'auto' && !(typeof c.sigma === 'number' && Number.isFinite(c.sigma) && c.sigma >= 0)) {
    bad(`sigma must be 'auto' or a number ≥ 0 (Gaussian σ in input pixels; 4 is anomalib's), got ${JSON.stringify(c.sigma)}.`);
  }
  if (c.imageScore !== undefined && c.imageScore !== 'auto') {
    checkRule(c.imageScore);
    if (c.imageScore.rule === 'likelihood' && !methodOf(c.method).hasLikelihood) bad(`imageScore 'likelihood' needs a method with a likelihood (the flow); ${c.method} has none.`);
  }
}
