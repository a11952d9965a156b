import type { BackboneChoice } from '../backbones/config.js';
import type { FlowConfig } from './danflow/config.js';
import type { PatchCoreConfig } from './patchcore/config.js';

/**
 * How a whole image gets one anomaly score from its map (the OK/NG decision compares it with the
 * detector's threshold):
 * - `max`: the maximum of the smoothed map — the reference's rule;
 * - `top`: the mean of the `fraction` highest pixels of the smoothed map (robust to a single hot pixel);
 * - `mean`: the mean of the smoothed map (large, diffuse anomalies);
 * - `likelihood`: the flow's negative log-likelihood per feature dimension, averaged over scales
 *   (flows only: how unlikely the whole image's features are, not just its worst spot).
 */
export type ImageScoreRule = { rule: 'max' } | { rule: 'top'; fraction: number } | { rule: 'mean' } | { rule: 'likelihood' };

/**
 * 'danflow' (default): the normalizing flow. 'patchcore': a compact PatchCore-style detector —
 * nearest-neighbour distance of each locally pooled patch feature to a memory bank of normal
 * patches (random coreset); no training epochs, often the stronger choice for small datasets.
 */
export type DetectionMethod = 'danflow' | 'patchcore';

/** The map smoothing (Gaussian σ in input pixels) of models that do not store one: anomalib's 4. */
export const REFERENCE_SIGMA = 4;

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
  /**
   * How an image's score is computed from its map (see ImageScoreRule). 'auto': fit picks the rule
   * by synthetic validation (the reference's max without validation) and stores it here. Absent in
   * models saved before it existed: means max.
   */
  imageScore?: ImageScoreRule | 'auto';
  /**
   * Gaussian smoothing of the maps (σ in input pixels) that localize, scores and thresholds use by
   * default. 'auto': fit picks it by synthetic validation (4, anomalib's, without validation) and
   * stores it here. Absent in models saved before it existed: means 4.
   */
  sigma?: number | 'auto';
}
