import { DanflowError } from '../core/errors.js';
import { createRng, hashSeed, type Seed } from '../core/prng.js';
import type { RawImage } from '../core/types.js';
import { DEFECT_KINDS, paintDefect, type AnyDefectOptions, type DefectKind, type DefectResult } from './defects.js';

export interface PaintSyntheticAnomalyOptions extends AnyDefectOptions {
  seed: Seed;
  /** Defect kinds to choose from, uniformly (default all kinds). */
  kinds?: readonly DefectKind[];
}

/**
 * One synthetic anomaly on a normal image, of a kind drawn at random from `kinds`: the training
 * loop uses these to score checkpoints (e.g. pixel AUROC against the returned mask) without ever
 * seeing a real defect. Pass `region` for object categories so defects land on the object.
 */
export function paintSyntheticAnomaly(image: RawImage, options: PaintSyntheticAnomalyOptions): DefectResult {
  const kinds = options.kinds ?? DEFECT_KINDS;
  if (!Array.isArray(kinds) || kinds.length === 0) throw new DanflowError('BAD_ARGUMENT', 'paintSyntheticAnomaly: kinds must be a non-empty list.');
  for (const k of kinds) {
    if (!(DEFECT_KINDS as readonly string[]).includes(k)) {
      throw new DanflowError('BAD_ARGUMENT', `paintSyntheticAnomaly: unknown kind "${String(k)}"; expected some of ${DEFECT_KINDS.join(', ')}.`);
    }
  }
  const rng = createRng(hashSeed('synthetic-anomaly', options.seed));
  return paintDefect(rng.pick(kinds), image, rng, options);
}
