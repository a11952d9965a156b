import type { Preprocessing } from '../backbones/types.js';
import { DanflowError } from '../core/errors.js';
import type { ScoreStats } from '../fitting/calibration.js';
import type { ModelManifest } from '../io/model-format.js';
import type { DetectorConfig } from '../methods/config.js';

/** The JSON half of a saved detector: everything needed to rebuild it except the tensor bytes. */
export interface DetectorManifest extends ModelManifest {
  config: DetectorConfig;
  preprocessing: Preprocessing & { inputSize: number; resize: 'bilinear-half-pixel' };
  /** Fixed channel permutations per scale, per step (also inside the weights as w_perm). */
  permutations: number[][][];
  /** Decision threshold on image scores. */
  threshold: number | null;
  /** Threshold on map values for masks; absent in models saved before it existed: the same as `threshold`. */
  pixelThreshold?: number | null;
  scoreStats: ScoreStats | null;
  training: { epochs: number; steps: number; finalLoss: number | null; seconds: number } | null;
}

/** Checks the detector's own fields of a manifest the store already accepted, naming the first missing one. */
export function asDetectorManifest(m: ModelManifest, where: string): DetectorManifest {
  const d = m as Partial<DetectorManifest>;
  for (const field of ['config', 'permutations', 'preprocessing'] as const) {
    if (d[field] == null) throw new DanflowError('MODEL_FORMAT', `${where}: the manifest has no "${field}"; the file is corrupt or was edited.`);
  }
  return d as DetectorManifest;
}
