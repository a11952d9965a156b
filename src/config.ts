import type { BackendRequest } from './backend/names.js';

export type Attention = 'none' | 'eca' | 'gcnet';

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

export interface FlowConfig {
  /** Coupling steps per scale (reference: 3 for resnet18, 2 for deit). */
  flowSteps: number;
  /** Depthwise conv repetitions inside each EIRB subnet (reference: 3 for resnet18, 1 for deit). */
  numDw: number;
  /** Two subnets per step (the paper's setting) or FastFlow's single subnet. */
  doubleSubnets: boolean;
  attention: Attention;
  /**
   * Kernel of the EIRB depthwise convs: 3 (the paper's, default) or 1, which makes every flow step
   * act on each feature position alone (no spatial context). 1 localised small defects better on
   * MobileNetV2 features (README, "Recipe"). Absent in models saved before it existed: means 3.
   */
  dwKernel?: 1 | 3;
}

/**
 * 'danflow' (default): the normalizing flow. 'patchcore': a compact PatchCore-style detector —
 * nearest-neighbour distance of each locally pooled patch feature to a memory bank of normal
 * patches (random coreset); no training epochs, often the stronger choice for small datasets.
 */
export type DetectionMethod = 'danflow' | 'patchcore';

export interface PatchCoreConfig {
  /** Fraction of normal patches kept in the memory bank. Default 0.1. */
  coresetRatio: number;
  /** Feature scales (indices into the backbone's maps) pooled into patch features. Default: all but the first. */
  scales: number[];
}

export interface DetectorOptions extends Partial<FlowConfig> {
  method?: DetectionMethod;
  patchcore?: Partial<PatchCoreConfig>;
  backbone?: BackboneChoice;
  /**
   * 'random' (seeded, offline), a Hugging Face id `hf:timm/…`, a URL, a local path, or bytes.
   * For `mobilenetv2` / `{ type: 'tfjs' }`: the model.json (its weight shards are read from beside it).
   */
  weights?: 'random' | string | Uint8Array;
  /** Square side the image is resized to before the backbone. Default per backbone: 256 ResNets, 384 DeiT, 448 CaiT, 224 MobileNetV2. */
  inputSize?: number;
  backend?: BackendRequest;
  /** Seed for random backbone weights, flow initialisation, permutations and shuffling. */
  seed?: number;
}

/** Fully resolved settings: what the saved model stores and what reproduces it. */
export interface DetectorConfig extends FlowConfig {
  /** Absent in models saved before methods existed: means 'danflow'. */
  method?: DetectionMethod;
  patchcore?: PatchCoreConfig;
  backbone: BackboneChoice;
  weights: string;
  inputSize: number;
  seed: number;
}

/** The input size each built-in backbone is meant for (ViTs: fixed by their position embeddings). */
export const BACKBONE_INPUT_SIZE: Record<BuiltinBackbone, number> = {
  resnet18: 256,
  wide_resnet50_2: 256,
  deit_base_distilled_patch16_384: 384,
  cait_m48_448: 448,
  mobilenetv2: 224,
};

const DEFAULTS = {
  backbone: 'resnet18',
  weights: 'random',
  inputSize: 256,
  flowSteps: 3,
  numDw: 3,
  doubleSubnets: true,
  attention: 'eca',
  seed: 0,
} as const satisfies DetectorConfig;

export function isTfjsBackbone(b: BackboneChoice): b is TfjsBackboneConfig {
  return typeof b === 'object' && b !== null;
}

/** A short human-readable name of a backbone setting, for messages. */
export function backboneLabel(b: BackboneChoice): string {
  return isTfjsBackbone(b) ? `tfjs model ${b.model}` : String(b);
}

function defaultInputSize(b: BackboneChoice): number {
  if (isTfjsBackbone(b)) return b.inputSize ?? 224;
  return (BACKBONE_INPUT_SIZE as Record<string, number>)[b] ?? DEFAULTS.inputSize;
}

export function resolveConfig(options: DetectorOptions): DetectorConfig {
  const backbone: BackboneChoice = options.backbone ?? DEFAULTS.backbone;
  const custom = isTfjsBackbone(backbone)
    ? ({ ...backbone, layers: Array.isArray(backbone.layers) ? [...backbone.layers] : backbone.layers, preprocess: backbone.preprocess ?? 'tf', alpha: backbone.alpha ?? 0.35 } satisfies TfjsBackboneConfig)
    : undefined;
  const weights = options.weights instanceof Uint8Array ? 'bytes' : (options.weights ?? custom?.model ?? DEFAULTS.weights);
  const method = options.method ?? 'danflow';
  return {
    ...(method === 'patchcore'
      ? { method, patchcore: { coresetRatio: options.patchcore?.coresetRatio ?? 0.1, scales: options.patchcore?.scales ?? [] } }
      : { method }),
    backbone: custom ?? backbone,
    weights,
    inputSize: options.inputSize ?? defaultInputSize(backbone),
    flowSteps: options.flowSteps ?? DEFAULTS.flowSteps,
    numDw: options.numDw ?? DEFAULTS.numDw,
    doubleSubnets: options.doubleSubnets ?? DEFAULTS.doubleSubnets,
    attention: options.attention ?? DEFAULTS.attention,
    ...(options.dwKernel !== undefined && options.dwKernel !== 3 ? { dwKernel: options.dwKernel } : {}),
    seed: options.seed ?? DEFAULTS.seed,
  };
}
