import { BACKBONE_INPUT_SIZE, isTfjsBackbone, resolvePretrained, TFJS_BACKBONE_INPUT_SIZE, type BackboneChoice, type TfjsBackboneConfig, type WeightsSpec } from '../backbones/config.js';
import type { BackendRequest } from '../backend/names.js';
import type { EngineRequest } from '../engine/names.js';
import type { DetectionMethod, DetectorConfig } from '../methods/config.js';
import type { FlowConfig } from '../methods/danflow/config.js';
import type { PatchCoreConfig } from '../methods/patchcore/config.js';
import { checkRule, type ImageScoreRule } from '../methods/image-score.js';
import { methodOf } from '../methods/registry.js';
import { DEFAULTS } from './defaults.js';

export type { DetectorConfig };

/** What createDetector accepts; every field has a default (DEFAULTS.detector). */
export interface DetectorOptions extends Partial<FlowConfig> {
  method?: DetectionMethod;
  patchcore?: Partial<PatchCoreConfig>;
  backbone?: BackboneChoice;
  /**
   * 'random' (seeded, offline), 'pretrained' (the backbone's default checkpoint, downloaded once
   * and cached), a Hugging Face id `hf:timm/…`, a URL, a local path, or bytes. For `mobilenetv2` /
   * `{ type: 'tfjs' }`: the model.json (its weight shards are read from beside it).
   */
  weights?: WeightsSpec;
  /** Square side the image is resized to before the backbone. Default per backbone: 256 ResNets, 384 DeiT, 448 CaiT, 224 MobileNetV2. */
  inputSize?: number;
  backend?: BackendRequest;
  /**
   * What runs localize (and so calibrate, eval, the CLI and the report): 'auto' (default) uses ONNX
   * Runtime when its package is installed (onnxruntime-node in Node; onnxruntime-web in browsers,
   * given through env.onnxruntime), else tfjs; 'onnxruntime' insists (an ENGINE_UNAVAILABLE error
   * names the install command). Training always runs on tfjs.
   */
  engine?: EngineRequest;
  /** Seed for random backbone weights, flow initialisation, permutations and shuffling. */
  seed?: number;
  /**
   * How an image's score is computed from its map: 'auto' (default: chosen by fit's synthetic
   * validation among max, top 1 %, top 5 %, mean and — for flows — likelihood; max without
   * validation), 'max' (the reference), 'mean', 'likelihood', or `{ rule: 'top', fraction }`.
   */
  imageScore?: 'auto' | 'max' | 'mean' | 'likelihood' | ImageScoreRule;
  /**
   * Gaussian smoothing of the maps, σ in input pixels, that localize (and so scores, thresholds,
   * eval, export) uses unless a call says otherwise: 'auto' (default: chosen by fit's synthetic
   * validation among `validation.sigmas`; 4, anomalib's, without validation) or a number ≥ 0.
   */
  sigma?: number | 'auto';
}

function defaultInputSize(b: BackboneChoice): number {
  if (isTfjsBackbone(b)) return b.inputSize ?? TFJS_BACKBONE_INPUT_SIZE;
  return (BACKBONE_INPUT_SIZE as Record<string, number>)[b] ?? BACKBONE_INPUT_SIZE.resnet18;
}

export function resolveConfig(options: DetectorOptions): DetectorConfig {
  const d = DEFAULTS.detector;
  const backbone: BackboneChoice = options.backbone ?? d.backbone;
  const custom = isTfjsBackbone(backbone)
    ? ({ ...backbone, layers: Array.isArray(backbone.layers) ? [...backbone.layers] : backbone.layers, preprocess: backbone.preprocess ?? 'tf', alpha: backbone.alpha ?? 0.35 } satisfies TfjsBackboneConfig)
    : undefined;
  const weights = options.weights instanceof Uint8Array ? 'bytes' : resolvePretrained(backbone, options.weights ?? custom?.model ?? d.weights);
  const method = options.method ?? d.method;
  return {
    method,
    ...methodOf(method).resolve(options),
    backbone: custom ?? backbone,
    weights,
    inputSize: options.inputSize ?? defaultInputSize(backbone),
    flowSteps: options.flowSteps ?? d.flowSteps,
    numDw: options.numDw ?? d.numDw,
    doubleSubnets: options.doubleSubnets ?? d.doubleSubnets,
    attention: options.attention ?? d.attention,
    ...(options.dwKernel !== undefined && options.dwKernel !== 3 ? { dwKernel: options.dwKernel } : {}),
    seed: options.seed ?? d.seed,
    imageScore: resolveImageScore(options.imageScore ?? d.imageScore),
    sigma: options.sigma ?? d.sigma,
  };
}

function resolveImageScore(v: NonNullable<DetectorOptions['imageScore']>): ImageScoreRule | 'auto' {
  if (v === 'auto') return v;
  const rule = typeof v === 'string' ? ({ rule: v } as ImageScoreRule) : v;
  checkRule(rule);
  return rule;
}
