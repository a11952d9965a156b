import type { BackendRequest } from './backend/names.js';

export type Attention = 'none' | 'eca' | 'gcnet';
export type BuiltinBackbone = 'resnet18' | 'wide_resnet50_2';

export interface FlowConfig {
  /** Coupling steps per scale (reference: 3 for resnet18, 2 for deit). */
  flowSteps: number;
  /** Depthwise conv repetitions inside each EIRB subnet. */
  numDw: number;
  /** Two subnets per step (the paper's setting) or FastFlow's single subnet. */
  doubleSubnets: boolean;
  attention: Attention;
}

export interface DetectorOptions extends Partial<FlowConfig> {
  backbone?: BuiltinBackbone;
  /** 'random' (seeded, offline), a Hugging Face id `hf:timm/…`, a URL, a local path, or bytes. */
  weights?: 'random' | string | Uint8Array;
  /** Square side the image is resized to before the backbone. */
  inputSize?: number;
  backend?: BackendRequest;
  /** Seed for random backbone weights, flow initialisation, permutations and shuffling. */
  seed?: number;
}

/** Fully resolved settings: what the saved model stores and what reproduces it. */
export interface DetectorConfig extends FlowConfig {
  backbone: BuiltinBackbone;
  weights: string;
  inputSize: number;
  seed: number;
}

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

export function resolveConfig(options: DetectorOptions): DetectorConfig {
  const weights = options.weights instanceof Uint8Array ? 'bytes' : (options.weights ?? DEFAULTS.weights);
  return {
    backbone: options.backbone ?? DEFAULTS.backbone,
    weights,
    inputSize: options.inputSize ?? DEFAULTS.inputSize,
    flowSteps: options.flowSteps ?? DEFAULTS.flowSteps,
    numDw: options.numDw ?? DEFAULTS.numDw,
    doubleSubnets: options.doubleSubnets ?? DEFAULTS.doubleSubnets,
    attention: options.attention ?? DEFAULTS.attention,
    seed: options.seed ?? DEFAULTS.seed,
  };
}
