import { DanflowError } from '../errors.js';
import { RESNET_ARCHS, ResNetBackbone } from './resnet.js';
import type { Backbone } from './types.js';

export const BACKBONE_NAMES = Object.keys(RESNET_ARCHS);

export function createBackbone(name: string): Backbone {
  const arch = RESNET_ARCHS[name];
  if (arch) return new ResNetBackbone(arch);
  throw new DanflowError('BAD_CONFIG', `Unknown backbone "${name}". Available: ${BACKBONE_NAMES.join(', ')}.`);
}
