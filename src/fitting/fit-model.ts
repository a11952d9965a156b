import * as tf from '@tensorflow/tfjs-core';
import { DanflowError } from '../core/errors.js';
import type { ImageInput } from '../image/input.js';
import { candidateRules, REFERENCE_IMAGE_SCORE, type ImageScoreRule } from '../methods/image-score.js';
import type { Model } from '../methods/model.js';
import { methodOf } from '../methods/registry.js';
import type { EpochHook, FeatureSource, TrainResult, TrainSettings } from '../methods/types.js';
import { augmentationTransforms, type Augmentation } from './augment.js';
import { calibrateFromScores, type ScoreStats } from './calibration.js';
import { BestWeights } from './early-stopping.js';
import { augmentedFeatures, cachedFeatures } from './feature-source.js';
import { decodeImages, extractFeatures } from './features.js';
import type { HostFeatures } from './host-features.js';
import { holdOut } from './hold-out.js';
import { REFERENCE_SIGMA } from '../methods/config.js';
import { buildValidationSet, f1Threshold, isPainted, scoreValidation, scoresByRule, selectImageScore, selectSigma, validationMaps, type ValidationMetric, type SigmaScores, type ValidationScores, type ValidationSet } from './validation.js';

/** Synthetic validation settings after defaults. */
export interface ValidationPlan {
  images?: ImageInput[];
  holdOut: number;
  minHoldOut: number;
  every: number;
  patience?: number;
  metric: ValidationMetric;
  copies: number;
  kinds?: string[];
  restoreBest: boolean;
  seed: number;
  /** Smoothing candidates when the model's sigma is 'auto'. */
  sigmas: readonly number[];
}

/** Everything fit does, with every default applied by the API layer. */
export interface FitPlan {
  train: TrainSettings;
  augment: Augmentation[];
  validation?: ValidationPlan;
  /** Smoothing of the maps the thresholds are calibrated on. Default: the model's (chosen after training when 'auto'). */
  sigma?: number;
  /** Set the threshold afterwards: the normal scores' quantile, or (no quantile, with validation) F1 on painted defects. */
  calibrate: false | { quantile?: number; defaultQuantile: number };
}

export interface FitResult extends TrainResult {
  validation?: {
    history: ValidationScores[];
    best: ValidationScores;
    stoppedEarly: boolean;
    restored: boolean;
    /** Image AUROC of each image-score rule on the painted validation set (when `imageScore` was 'auto'). */
    imageScores?: { rule: ImageScoreRule; imageAuroc: number }[];
    /** The painted-defect scores of each map smoothing (when the detector's `sigma` was 'auto'). */
    sigmas?: SigmaScores[];
  };
}

export interface FitOutcome {
  result: FitResult;
  calibration?: { stats: ScoreStats; threshold: number; pixelThreshold: number };
}

/**
 * Thresholds from normal images. The decision threshold is a quantile of normal image scores —
 * of the held-out clean validation images when there are some (scores of the training images
 * themselves are optimistic), else of the training images. The pixel threshold for masks is the
 * F1-optimal one on the painted defects when there are some (the spec's rule), else the same
 * quantile of each training image's hottest pixel.
 */
async function calibrate(model: Model, cache: HostFeatures, valSet: ValidationSet | undefined, sigma: number, c: { quantile?: number; defaultQuantile: number }): Promise<NonNullable<FitOutcome['calibration']>> {
  const quantile = c.quantile ?? c.defaultQuantile;
  const rule = model.imageScoreRule;
  const rules: ImageScoreRule[] = rule.rule === 'max' ? [rule] : [rule, REFERENCE_IMAGE_SCORE];
  const [trainScores, trainMax = trainScores] = await scoresByRule(model, cache, sigma, rules);
  const pixelThreshold = calibrateFromScores(trainMax, sigma, quantile, 'train').threshold;
  if (!valSet) return { ...calibrateFromScores(trainScores, sigma, quantile, 'train'), pixelThreshold };
  const clean = valSet.features.subset(valSet.masks.flatMap((m, i) => (isPainted(m) === 0 ? [i] : [])));
  const [heldOut] = await scoresByRule(model, clean, sigma, [rule]);
  const decision = calibrateFromScores(heldOut, sigma, quantile, 'validation');
  return { ...decision, pixelThreshold: c.quantile === undefined ? f1Threshold(await validationMaps(model, valSet, sigma), valSet.masks) : pixelThreshold };
}

/**
 * The whole of fit: hold-out split, feature caching, the method's own fit with synthetic
 * validation after each epoch (best weights kept, early stopping, restore), then calibration.
 */
export async function fitModel(model: Model, images: ImageInput[], plan: FitPlan): Promise<FitOutcome> {
  if (!Array.isArray(images) || images.length === 0) {
    throw new DanflowError('EMPTY_DATASET', 'fit() needs at least one normal (defect-free) image; got none. Pass an array of images, e.g. file paths of your "good" samples.');
  }
  const v = plan.validation;
  let train = images;
  let heldOut = v?.images;
  if (v && !heldOut) ({ train, heldOut } = holdOut(images, v.holdOut, v.minHoldOut));
  const { batchSize } = plan.train;
  const method = methodOf(model.config.method);
  augmentationTransforms(plan.augment);
  const cache = await extractFeatures(model, train, batchSize, plan.train.onProgress, plan.train.signal);
  let valSet: ValidationSet | undefined;
  let augmentedImages: tf.Tensor3D[] | undefined;
  try {
    if (v && heldOut) valSet = await buildValidationSet(model, heldOut, v, batchSize);
    const history: ValidationScores[] = [];
    const best = new BestWeights<ValidationScores>(model.params, model.headKeys(), v?.patience);
    let stopSignalled = false;
    const hook: EpochHook | undefined =
      v && valSet
        ? async (epoch) => {
            if (epoch % v.every !== 0) return;
            const scores = scoreValidation(await validationMaps(model, valSet!, model.sigma), valSet!.masks, epoch, v.metric);
            history.push(scores);
            const { stop } = await best.observe(scores);
            stopSignalled ||= stop;
            return { stop, validation: { pixelAuroc: scores.pixelAuroc, aupro: scores.aupro, score: scores.score } };
          }
        : undefined;
    // Augmentations re-draw every epoch; a one-pass method sees the images as they are.
    let source: FeatureSource = cachedFeatures(cache);
    if (plan.augment.length > 0 && method.iterative) {
      augmentedImages = await decodeImages(train, model.config.inputSize, batchSize);
      source = augmentedFeatures(augmentedImages, augmentationTransforms(plan.augment), (b) => model.features(b), model.config.seed);
    }
    const result: FitResult = await model.head.fit(source, plan.train, hook);
    const bestScores = best.bestScores;
    if (v && bestScores) {
      const restored = v.restoreBest && best.restore(result.epochs);
      result.validation = { history, best: bestScores, stoppedEarly: stopSignalled && result.epochs < plan.train.epochs, restored };
    }
    if (model.config.sigma === 'auto') {
      // Chosen on normal images alone, on the weights fit keeps: how smooth the maps must be to find the painted defects.
      if (v && valSet && result.validation) {
        const { chosen, candidates } = await selectSigma(model, valSet, v.sigmas, result.validation.best.epoch, v.metric);
        result.validation.sigmas = candidates;
        model.setSigma(chosen);
      } else model.setSigma(REFERENCE_SIGMA);
    }
    const sigma = plan.sigma ?? model.sigma;
    if (model.config.imageScore === 'auto' || model.config.imageScore === undefined) {
      // Chosen on normal images alone: which rule best tells the painted copies from the clean ones.
      if (valSet && result.validation) {
        const { chosen, candidates } = await selectImageScore(model, valSet, sigma, candidateRules(model.head));
        result.validation.imageScores = candidates;
        model.setImageScore(chosen);
      } else model.setImageScore(REFERENCE_IMAGE_SCORE);
    }
    if (plan.calibrate === false) return { result };
    return { result, calibration: await calibrate(model, cache, valSet, sigma, plan.calibrate) };
  } finally {
    if (augmentedImages) tf.dispose(augmentedImages);
  }
}
