import type { BinaryMask, ScoreMap } from '../core/types.js';
import type { ProgressCallback } from '../core/progress.js';
import { DanflowError } from '../core/errors.js';
import { augmentationTransforms, type Augmentation } from '../fitting/augment.js';
import type { FitPlan, FitResult } from '../fitting/fit-model.js';
import type { ValidationOptions, ValidationScores } from '../fitting/validation.js';
import { DEFAULTS } from './defaults.js';

export type LearningRateSchedule = 'constant' | 'cosine';

export interface FitOptions {
  /** Passes over the training images. Default 10 (the reference trains 200). */
  epochs?: number;
  /** Default 8 (the reference uses 32; smaller batches keep memory low on CPU/wasm). */
  batchSize?: number;
  /** Adam learning rate. Default 1e-3. */
  learningRate?: number;
  /** L2 penalty added to the gradient, as PyTorch Adam's weight_decay. Default 1e-5. */
  weightDecay?: number;
  onProgress?: ProgressCallback;
  /** Aborting stops after the current step with an ABORTED error; the weights trained so far stay. */
  signal?: AbortSignal;
  /** Shuffle each epoch (seeded by the detector's seed). Default true. */
  shuffle?: boolean;
  /**
   * 'constant' (the reference) or 'cosine': the rate decays as lr·½(1 + cos(π·t/T)) over the T
   * steps of all epochs, after `warmupEpochs` of linear warm-up.
   */
  learningRateSchedule?: LearningRateSchedule;
  /** Epochs of linear learning-rate warm-up (cosine schedule only). Default 0. */
  warmupEpochs?: number;
  /**
   * Standard deviation of Gaussian noise added to the normalised features during training only.
   * A small amount (0.3–0.5) keeps the flow from collapsing onto low-dimensional feature sets,
   * e.g. MobileNetV2's ReLU outputs that are exactly 0. Default 0 (the reference).
   */
  featureNoise?: number;
  /**
   * Random flips / 90° rotations of the training images, a new pick per image and epoch (the
   * backbone then runs every epoch instead of once). Default none (the reference).
   */
  augment?: Augmentation[];
}

export interface CalibrateOptions {
  /** Quantile of the normal images' scores used as threshold. Default 0.99. */
  quantile?: number;
  /** Smoothing of the maps the scores come from. Default: the detector's (`detector.sigma`). */
  sigma?: number;
  onProgress?: ProgressCallback;
}

export interface DetectorFitOptions extends FitOptions {
  /** Derive the threshold from the training images' scores after fitting. Default true. */
  calibrate?: boolean | CalibrateOptions;
  /**
   * Synthetic-anomaly validation: hold out normal images, paint defects with exact masks on them,
   * evaluate pixel AUROC / AUPRO every N epochs, keep (and restore) the best weights, stop early
   * on patience, and set the threshold to the F1-optimal one on those defects. Off by default
   * (the reference's loss-only training).
   */
  validation?: boolean | ValidationOptions;
}

export type DetectorFitResult = FitResult;
export type { ValidationScores };

export interface LocalizeOptions {
  /**
   * Gaussian smoothing of the map in input-size pixels. Default: the detector's (`detector.sigma`:
   * chosen by fit's synthetic validation, else 4); 0 returns the reference's raw map.
   */
  sigma?: number;
  /** An image is anomalous when its score ≥ threshold. Default: the detector's threshold. */
  threshold?: number;
  /** Mask pixels are those with map value ≥ pixelThreshold. Default: the detector's pixel threshold. */
  pixelThreshold?: number;
  /** Images per forward pass when an array is given. Default 8. */
  batchSize?: number;
}

export interface LocalizeResult {
  /**
   * Image anomaly score under the detector's rule (`config.imageScore`; the reference's is the
   * maximum of the smoothed map at the input resolution). Its scale depends on the method and the
   * rule: DANFlow maps are −exp(−½·mean z²), so map-based flow scores lie in [−1, 0] (closer to 0 =
   * less likely under the normal data); the flow's likelihood rule gives a negative log-likelihood
   * per dimension; PatchCore's are nearest-neighbour feature distances (≥ 0, often 5–30). Compare
   * scores of one model only, or use `normalizedScore`.
   */
  score: number;
  /** The hottest pixel of the smoothed map at the input resolution (= score under the max rule). */
  maxPixel: number;
  /**
   * The score on a 0…1 scale where 0.5 is the detector's threshold: (score − threshold) /
   * (max − min of the normal training scores) + 0.5, clipped (anomalib's normalisation).
   * Undefined without a calibrated threshold, or when `sigma` differs from the calibration's.
   */
  normalizedScore: number | undefined;
  /** Per-pixel anomaly map at the original image size; higher is more anomalous. */
  anomalyMap: ScoreMap;
  /** 1 where anomalyMap ≥ pixelThreshold (all 0 when the detector has none). */
  mask: BinaryMask;
  /** score ≥ threshold: the OK/NG decision. */
  isAnomalous: boolean;
  /** The score threshold used, or undefined when neither the call nor the detector had one. */
  threshold: number | undefined;
  /** The map threshold the mask used. */
  pixelThreshold: number | undefined;
}

/** fit's options with every default applied and every value checked, naming the bad one. */
export function resolveFitPlan(o: DetectorFitOptions, seed: number): FitPlan {
  const d = DEFAULTS.fit;
  const train = {
    epochs: o.epochs ?? d.epochs,
    batchSize: o.batchSize ?? d.batchSize,
    learningRate: o.learningRate ?? d.learningRate,
    weightDecay: o.weightDecay ?? d.weightDecay,
    shuffle: o.shuffle ?? d.shuffle,
    learningRateSchedule: o.learningRateSchedule ?? d.learningRateSchedule,
    warmupEpochs: o.warmupEpochs ?? d.warmupEpochs,
    featureNoise: o.featureNoise ?? d.featureNoise,
    onProgress: o.onProgress,
    signal: o.signal,
  };
  const augment = o.augment ?? [];
  for (const [k, v] of Object.entries({ epochs: train.epochs, batchSize: train.batchSize })) {
    if (!Number.isInteger(v) || v < 1) throw new DanflowError('BAD_ARGUMENT', `fit: ${k} must be a positive integer (got ${v}).`);
  }
  if (!(train.learningRate > 0) || !Number.isFinite(train.learningRate)) throw new DanflowError('BAD_ARGUMENT', `fit: learningRate must be a positive number (got ${train.learningRate}).`);
  if (!(train.weightDecay >= 0)) throw new DanflowError('BAD_ARGUMENT', `fit: weightDecay must be ≥ 0 (got ${train.weightDecay}).`);
  if (train.learningRateSchedule !== 'constant' && train.learningRateSchedule !== 'cosine') throw new DanflowError('BAD_ARGUMENT', `fit: learningRateSchedule must be 'constant' or 'cosine' (got ${JSON.stringify(train.learningRateSchedule)}).`);
  if (!(train.warmupEpochs >= 0) || !Number.isFinite(train.warmupEpochs)) throw new DanflowError('BAD_ARGUMENT', `fit: warmupEpochs must be a number ≥ 0 (got ${train.warmupEpochs}).`);
  if (!(train.featureNoise >= 0) || !Number.isFinite(train.featureNoise)) throw new DanflowError('BAD_ARGUMENT', `fit: featureNoise must be a number ≥ 0 (got ${train.featureNoise}).`);
  if (!Array.isArray(augment)) throw new DanflowError('BAD_ARGUMENT', `fit: augment must be an array such as ['hflip', 'vflip', 'rot90'] (got ${JSON.stringify(augment)}).`);
  augmentationTransforms(augment);
  const c = typeof o.calibrate === 'object' ? o.calibrate : {};
  const v = o.validation === true ? {} : o.validation || undefined;
  const dv = DEFAULTS.validation;
  return {
    train,
    augment,
    sigma: c.sigma,
    calibrate: o.calibrate === false ? false : { quantile: c.quantile, defaultQuantile: DEFAULTS.calibration.quantile },
    validation: v && {
      images: v.images,
      holdOut: v.holdOut ?? dv.holdOut,
      minHoldOut: dv.minHoldOut,
      every: v.every ?? dv.every,
      patience: v.patience,
      metric: v.metric ?? dv.metric,
      copies: v.copies ?? dv.copies,
      kinds: v.kinds,
      restoreBest: v.restoreBest ?? dv.restoreBest,
      seed: v.seed ?? seed,
      sigmas: v.sigmas ?? dv.sigmas,
    },
  };
}
