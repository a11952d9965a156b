/** Options that describe a detector to build (fit, demo). */
import { CHOICES, DEFAULTS, MOBILENETV2_BOTTLENECK_LAYERS, MOBILENETV2_PRESET_LAYERS, type Attention, type Augmentation, type DetectorOptions, type FitOptions } from '../index.js';
import { UsageError } from './exit.js';
import { Args, type OptSpecs } from './args.js';

export function modelOptions(defaults: { inputSize: string; flowSteps: string; numDw: string; epochs: string; batchSize?: string }): OptSpecs {
  // ViTs (DeiT, CaiT) follow the reference's own settings unless told otherwise.
  return {
    method: { type: 'string', value: '<name>', help: "'danflow' (normalizing flows, trained) or 'patchcore' (kNN memory bank of normal patches, no training)", default: 'danflow', group: 'Model' },
    'coreset-ratio': { type: 'string', value: '<f>', help: 'patchcore: fraction of normal patches kept in the memory bank', default: String(DEFAULTS.patchcore.coresetRatio), group: 'Model' },
    backbone: { type: 'string', value: '<name>', help: `feature extractor: ${CHOICES.backbone.join(', ')}`, default: 'resnet18', group: 'Model' },
    weights: {
      type: 'string',
      value: '<src>',
      help: "backbone weights: 'pretrained' (the backbone's default Hugging Face checkpoint, cached after the first download), 'random', an hf: id, a URL, a .safetensors path, or a TF.js model.json (selects mobilenetv2); env DANFLOW_WEIGHTS sets the default",
      group: 'Model',
    },
    'input-size': { type: 'string', value: '<px>', help: 'square input size', default: `${defaults.inputSize}; DeiT 384, CaiT 448`, group: 'Model' },
    'flow-steps': { type: 'string', value: '<n>', help: 'coupling steps per scale', default: `${defaults.flowSteps}; DeiT/CaiT 2`, group: 'Model' },
    'num-dw': { type: 'string', value: '<n>', help: 'depthwise convolutions per EIRB subnet', default: `${defaults.numDw}; DeiT/CaiT 1`, group: 'Model' },
    attention: { type: 'string', value: '<kind>', help: `attention in the subnets: ${CHOICES.attention.join(', ')}`, default: 'eca', group: 'Model' },
    'single-subnet': { type: 'boolean', help: "FastFlow's single subnet per step instead of the paper's two", group: 'Model' },
    'dw-kernel': { type: 'string', value: '<k>', help: "depthwise kernel in the subnets: 3 (the paper's) or 1 (each feature position alone)", default: '3', group: 'Model' },
    'image-score': {
      type: 'string',
      value: '<rule>',
      help: "how an image's score comes from its map: auto (chosen by --validate), max (the reference), mean, likelihood (flow), top:<fraction> (mean of the hottest pixels)",
      default: DEFAULTS.detector.imageScore,
      group: 'Model',
    },
    smoothing: {
      type: 'string',
      value: '<px>',
      help: `Gaussian σ of the maps that the model stores for localize/eval: auto (chosen by --validate among ${DEFAULTS.validation.sigmas.join(', ')} px; else ${DEFAULTS.localize.sigma}) or a number`,
      default: DEFAULTS.detector.sigma,
      group: 'Model',
    },
    layers: { type: 'string', value: '<names>', help: "mobilenetv2 feature layers: 'expand' (the preset), 'bottleneck' (block_2/5/12_add) or comma-separated Keras layer names", default: 'expand', group: 'Model' },
    seed: { type: 'string', value: '<n>', help: 'seed for initialisation, permutations and shuffling', default: '0', group: 'Model' },
    epochs: { type: 'string', value: '<n>', help: 'passes over the training images', default: defaults.epochs, group: 'Training' },
    'batch-size': { type: 'string', value: '<n>', help: 'images per training step', default: defaults.batchSize ?? String(DEFAULTS.fit.batchSize), group: 'Training' },
    lr: { type: 'string', value: '<rate>', help: 'Adam learning rate', default: String(DEFAULTS.fit.learningRate), group: 'Training' },
    'lr-schedule': { type: 'string', value: '<kind>', help: "'constant' (the reference) or 'cosine' decay to 0 over all epochs", default: 'constant', group: 'Training' },
    'warmup-epochs': { type: 'string', value: '<n>', help: 'linear learning-rate warm-up before the cosine decay', default: '0', group: 'Training' },
    'feature-noise': { type: 'string', value: '<std>', help: 'Gaussian noise added to the normalised features while training', default: '0', group: 'Training' },
    augment: { type: 'string', value: '<list>', help: 'random training-image transforms: any of hflip, vflip, rot90 (comma-separated)', group: 'Training' },
  };
}

export interface ModelSettings {
  backbone: string;
  options: Omit<DetectorOptions, 'weights' | 'backend'>;
  /** mobilenetv2 feature layers other than the preset's. */
  layers?: string[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** The training recipe options beyond epochs, batch size and learning rate. */
  recipe: Pick<FitOptions, 'learningRateSchedule' | 'warmupEpochs' | 'featureNoise' | 'augment'>;
}

const LAYER_PRESETS: Record<string, string[]> = { expand: MOBILENETV2_PRESET_LAYERS, bottleneck: MOBILENETV2_BOTTLENECK_LAYERS };

/**
 * Detector options for these settings and backbone weights: other mobilenetv2 layers turn the
 * preset into a `{ type: 'tfjs' }` backbone read from the same model.json.
 */
export function detectorOptions(settings: ModelSettings, weights: DetectorOptions['weights']): DetectorOptions {
  if (!settings.layers) return { ...settings.options, weights };
  if (typeof weights !== 'string' || !/\.json$/i.test(weights)) throw new UsageError('--layers needs --weights pointing at a TF.js MobileNetV2 model.json', 'fit');
  return { ...settings.options, backbone: { type: 'tfjs', model: weights, layers: settings.layers }, weights };
}

function layersOf(args: Args, backbone: string): string[] | undefined {
  const named = args.list('layers');
  if (named.length === 0 || (named.length === 1 && named[0] === 'expand')) return undefined;
  if (backbone !== 'mobilenetv2') throw new UsageError(`--layers applies to mobilenetv2 only (backbone is ${backbone})`, args.command);
  return named.length === 1 && LAYER_PRESETS[named[0]] ? [...LAYER_PRESETS[named[0]]] : named;
}


const VITS = new Set(['deit_base_distilled_patch16_384', 'cait_m48_448']);

/**
 * Reads the model options. `defaults` apply to the CNN backbones; ViTs keep the reference's settings
 * (input fixed by their position embeddings, 2 flow steps, numDw 1) unless the options say otherwise.
 * A missing inputSize (`undefined`) leaves the choice to the SDK (256 ResNets, 224 MobileNetV2).
 */
export function modelSettings(args: Args, defaults: { inputSize?: number; flowSteps: number; numDw: number; epochs: number; batchSize?: number }, backboneOverride?: string): ModelSettings {
  const backbone = backboneOverride ?? args.choice('backbone', CHOICES.backbone, DEFAULTS.detector.backbone);
  const vit = VITS.has(backbone);
  const inputSize = args.optionalInt('input-size', { min: 32, max: 2048 }) ?? (vit ? undefined : defaults.inputSize);
  return {
    backbone,
    options: {
      method: args.choice('method', CHOICES.method, DEFAULTS.detector.method),
      ...(args.has('coreset-ratio') ? { patchcore: { coresetRatio: args.float('coreset-ratio', DEFAULTS.patchcore.coresetRatio, { min: 1e-4, max: 1 }) } } : {}),
      backbone: backbone as DetectorOptions['backbone'],
      ...(inputSize !== undefined ? { inputSize } : {}),
      flowSteps: args.int('flow-steps', vit ? 2 : defaults.flowSteps, { min: 1, max: 16 }),
      numDw: args.int('num-dw', vit ? 1 : defaults.numDw, { min: 1, max: 8 }),
      attention: args.choice('attention', CHOICES.attention, DEFAULTS.detector.attention) as Attention,
      doubleSubnets: !args.bool('single-subnet'),
      ...(args.has('dw-kernel') ? { dwKernel: args.choice('dw-kernel', ['1', '3'] as const, '3') === '1' ? 1 : 3 } : {}),
      ...(args.has('image-score') ? { imageScore: imageScoreArg(args) } : {}),
      ...(args.has('smoothing') ? { sigma: args.str('smoothing') === 'auto' ? 'auto' : args.float('smoothing', 4, { min: 0, max: 64 }) } : {}),
      seed: args.int('seed', 0, { min: 0 }),
    },
    ...(layersOf(args, backbone) ? { layers: layersOf(args, backbone) } : {}),
    recipe: {
      learningRateSchedule: args.choice('lr-schedule', ['constant', 'cosine'] as const, 'constant'),
      warmupEpochs: args.float('warmup-epochs', 0, { min: 0 }),
      featureNoise: args.float('feature-noise', 0, { min: 0 }),
      augment: args.list('augment').map((a) => {
        if (!(CHOICES.augment as readonly string[]).includes(a)) throw new UsageError(`--augment: unknown transform "${a}"; use any of ${CHOICES.augment.join(', ')}`, args.command);
        return a as Augmentation;
      }),
    },
    epochs: args.int('epochs', defaults.epochs, { min: 1 }),
    batchSize: args.int('batch-size', defaults.batchSize ?? DEFAULTS.fit.batchSize, { min: 1 }),
    learningRate: args.float('lr', DEFAULTS.fit.learningRate, { min: 1e-9 }),
  };
}

/** --image-score: a rule name, or top:<fraction> for the mean of the hottest pixels. */
function imageScoreArg(args: Args): NonNullable<DetectorOptions['imageScore']> {
  const s = args.str('image-score')!;
  const top = /^top:(.+)$/.exec(s);
  if (top) {
    const fraction = Number(top[1]);
    if (!(fraction > 0 && fraction <= 1)) throw new UsageError(`--image-score top:<fraction> needs a fraction in (0, 1], got "${top[1]}"`, args.command);
    return { rule: 'top', fraction };
  }
  return args.choice('image-score', ['auto', 'max', 'mean', 'likelihood'] as const, 'auto');
}
