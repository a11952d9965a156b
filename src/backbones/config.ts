import { DanflowError } from '../core/errors.js';

/**
 * Built-in feature extractors (spec §2). Reference configs (recommendations, not defaults):
 * ResNets: input 256, flowSteps 3, numDw 3; `deit_base_distilled_patch16_384`: input 384,
 * flowSteps 2, numDw 1. `mobilenetv2` is a preset for Keras MobileNetV2 α = 0.35 models in
 * TF.js layers format (model.json + weights.bin, e.g. Teachable Machine exports) whose weights
 * the user supplies; features `block_3_expand_relu`, `block_6_expand_relu`, `block_13_expand_relu`.
 */
export type BuiltinBackbone = 'resnet18' | 'wide_resnet50_2' | 'deit_base_distilled_patch16_384' | 'cait_m48_448' | 'mobilenetv2';

/** How raw RGB is scaled for a custom TF.js backbone: 'tf' is x/127.5 − 1 (Keras MobileNet), 'imagenet' is (x/255 − mean)/std. */
export type TfjsPreprocess = 'tf' | 'imagenet';

/**
 * A custom backbone read from a TF.js layers model (model.json + weight shards) with named
 * intermediate outputs. At present the topology must be a Keras MobileNetV2 (any width `alpha`);
 * `layers` name its activations, e.g. `['block_3_expand_relu', 'block_6_expand_relu', 'block_13_expand_relu']`.
 * Other architectures are rejected with the error code 'UNSUPPORTED'.
 */
export interface TfjsBackboneConfig {
  type: 'tfjs';
  /** model.json: local path (or its directory), URL or `hf:` id. Used as the weights unless `weights` is given. */
  model: string;
  /** Output layer names, one feature scale each, in increasing stride order. */
  layers: string[];
  /** Default input size for this backbone (the detector's `inputSize` wins). Default 224. */
  inputSize?: number;
  /** Default 'tf'. */
  preprocess?: TfjsPreprocess;
  /** MobileNetV2 width multiplier. Default 0.35. */
  alpha?: number;
}

export type BackboneChoice = BuiltinBackbone | TfjsBackboneConfig;

/**
 * Where backbone weights come from: 'random' (seeded, offline), 'pretrained' (the backbone's
 * default checkpoint, see PRETRAINED_WEIGHTS), a Hugging Face id `hf:timm/…`, a URL, a local path,
 * or the bytes. For `mobilenetv2` / `{ type: 'tfjs' }`: the model.json (shards are read from beside it).
 */
export type WeightsSpec = 'random' | 'pretrained' | (string & {}) | Uint8Array;

/** The input size each built-in backbone is meant for (ViTs: fixed by their position embeddings). */
export const BACKBONE_INPUT_SIZE: Record<BuiltinBackbone, number> = {
  resnet18: 256,
  wide_resnet50_2: 256,
  deit_base_distilled_patch16_384: 384,
  cait_m48_448: 448,
  mobilenetv2: 224,
};

/** Default input size of a custom TF.js backbone (MobileNetV2's ImageNet resolution). */
export const TFJS_BACKBONE_INPUT_SIZE = 224;

export function isTfjsBackbone(b: BackboneChoice): b is TfjsBackboneConfig {
  return typeof b === 'object' && b !== null;
}

/** A short human-readable name of a backbone setting, for messages. */
export function backboneLabel(b: BackboneChoice): string {
  return isTfjsBackbone(b) ? `tfjs model ${b.model}` : String(b);
}

/**
 * Pretrained checkpoints `weights: 'pretrained'` resolves to (Hugging Face, safetensors), with their
 * download size (float32: 4 bytes per parameter). The MobileNetV2 preset has none: its weights are
 * a TF.js model the user supplies.
 */
export const PRETRAINED_WEIGHTS: Readonly<Partial<Record<BuiltinBackbone, { id: string; megabytes: number }>>> = {
  resnet18: { id: 'hf:timm/resnet18.a1_in1k', megabytes: 47 },
  wide_resnet50_2: { id: 'hf:timm/wide_resnet50_2.tv_in1k', megabytes: 276 },
  deit_base_distilled_patch16_384: { id: 'hf:timm/deit_base_distilled_patch16_384.fb_in1k', megabytes: 351 },
  cait_m48_448: { id: 'hf:timm/cait_m48_448.fb_dist_in1k', megabytes: 1426 },
};

/** 'pretrained' → the backbone's default checkpoint id; anything else unchanged. */
export function resolvePretrained<W extends WeightsSpec>(backbone: BackboneChoice, weights: W): W | string {
  if (weights !== 'pretrained') return weights;
  const id = typeof backbone === 'string' ? PRETRAINED_WEIGHTS[backbone as BuiltinBackbone]?.id : undefined;
  if (!id) {
    const known = Object.keys(PRETRAINED_WEIGHTS).join(', ');
    throw new DanflowError('BAD_CONFIG', `weights: 'pretrained' has no default checkpoint for ${backboneLabel(backbone)} (there is one for ${known}); pass the weights' path, URL or hf: id instead.`);
  }
  return id;
}
