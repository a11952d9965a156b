/** Options that describe a detector to build (fit, demo). */
import type { Attention, DetectorOptions } from '../index.js';
import { Args, type OptSpecs } from './args.js';
import { ATTENTIONS, BACKBONES } from './common.js';

export function modelOptions(defaults: { inputSize: string; flowSteps: string; numDw: string; epochs: string }): OptSpecs {
  return {
    backbone: { type: 'string', value: '<name>', help: `feature extractor: ${BACKBONES.join(', ')}`, default: 'resnet18', group: 'Model' },
    weights: {
      type: 'string',
      value: '<src>',
      help: "backbone weights: 'pretrained' (the backbone's default Hugging Face checkpoint, cached after the first download), 'random', an hf: id, a URL, a .safetensors path, or a TF.js model.json (selects mobilenetv2); env DANFLOW_WEIGHTS sets the default",
      group: 'Model',
    },
    'input-size': { type: 'string', value: '<px>', help: 'square input size', default: defaults.inputSize, group: 'Model' },
    'flow-steps': { type: 'string', value: '<n>', help: 'coupling steps per scale', default: defaults.flowSteps, group: 'Model' },
    'num-dw': { type: 'string', value: '<n>', help: 'depthwise convolutions per EIRB subnet', default: defaults.numDw, group: 'Model' },
    attention: { type: 'string', value: '<kind>', help: `attention in the subnets: ${ATTENTIONS.join(', ')}`, default: 'eca', group: 'Model' },
    'single-subnet': { type: 'boolean', help: "FastFlow's single subnet per step instead of the paper's two", group: 'Model' },
    seed: { type: 'string', value: '<n>', help: 'seed for initialisation, permutations and shuffling', default: '0', group: 'Model' },
    epochs: { type: 'string', value: '<n>', help: 'passes over the training images', default: defaults.epochs, group: 'Training' },
    'batch-size': { type: 'string', value: '<n>', help: 'images per training step', default: '8', group: 'Training' },
    lr: { type: 'string', value: '<rate>', help: 'Adam learning rate', default: '1e-3', group: 'Training' },
  };
}

export interface ModelSettings {
  backbone: string;
  options: Omit<DetectorOptions, 'weights' | 'backend'>;
  epochs: number;
  batchSize: number;
  learningRate: number;
}

export function modelSettings(args: Args, defaults: { inputSize: number; flowSteps: number; numDw: number; epochs: number }, backboneOverride?: string): ModelSettings {
  const backbone = backboneOverride ?? args.choice('backbone', BACKBONES, 'resnet18');
  return {
    backbone,
    options: {
      backbone: backbone as DetectorOptions['backbone'],
      inputSize: args.int('input-size', defaults.inputSize, { min: 32, max: 2048 }),
      flowSteps: args.int('flow-steps', defaults.flowSteps, { min: 1, max: 16 }),
      numDw: args.int('num-dw', defaults.numDw, { min: 1, max: 8 }),
      attention: args.choice('attention', ATTENTIONS, 'eca') as Attention,
      doubleSubnets: !args.bool('single-subnet'),
      seed: args.int('seed', 0, { min: 0 }),
    },
    epochs: args.int('epochs', defaults.epochs, { min: 1 }),
    batchSize: args.int('batch-size', 8, { min: 1 }),
    learningRate: args.float('lr', 1e-3, { min: 1e-9 }),
  };
}
