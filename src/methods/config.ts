import type { BackboneChoice } from '../backbones/config.js';
import type { FlowConfig } from './danflow/config.js';
import type { PatchCoreConfig } from './patchcore/config.js';

/**
 * 'danflow' (default): the normalizing flow. 'patchcore': a compact PatchCore-style detector —
 * nearest-neighbour distance of each locally pooled patch feature to a memory bank of normal
 * patches (random coreset); no training epochs, often the stronger choice for small datasets.
 */
export type DetectionMethod = 'danflow' | 'patchcore';

/**
 * Fully resolved settings of a detector's network: what the saved model stores and what
 * reproduces it. The flow settings are stored for every method (they are the defaults a later
 * switch to the flow would use), as models have always been saved.
 */
export interface DetectorConfig extends FlowConfig {
  /** Absent in models saved before methods existed: means 'danflow'. */
  method?: DetectionMethod;
  patchcore?: PatchCoreConfig;
  backbone: BackboneChoice;
  weights: string;
  inputSize: number;
  seed: number;
}
