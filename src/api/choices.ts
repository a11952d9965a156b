import { BACKBONE_NAMES } from '../backbones/registry.js';
import { BACKEND_NAMES } from '../backend/names.js';
import { ENGINE_REQUESTS } from '../engine/names.js';
import { AUGMENTATIONS } from '../fitting/augment.js';
import { ATTENTIONS } from '../methods/danflow/config.js';
import { METHOD_NAMES } from '../methods/registry.js';

/** The accepted values of each enumerated option, for UIs and command lines that offer a choice. */
export const CHOICES = {
  method: METHOD_NAMES,
  backbone: BACKBONE_NAMES,
  backend: ['auto', ...BACKEND_NAMES],
  engine: ENGINE_REQUESTS,
  attention: ATTENTIONS,
  augment: AUGMENTATIONS,
  imageScore: ['auto', 'max', 'top', 'mean', 'likelihood'],
} as const;
