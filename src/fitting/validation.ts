import * as tf from '@tensorflow/tfjs-core';
import { DanflowError } from '../core/errors.js';
import type { BinaryMask, RawImage, ScoreMap } from '../core/types.js';
import { gaussianBlur } from '../image/gaussian-blur.js';
import { imageToTensor, resizeForModel, type ImageInput } from '../image/input.js';
import { aupro } from '../metrics/aupro.js';
import { auroc } from '../metrics/auroc.js';
import { f1Max } from '../metrics/f1.js';
import { imageScores, mapsForRule, type ImageScoreRule } from '../methods/image-score.js';
import type { Model } from '../methods/model.js';
import { extractFeatures } from './features.js';
import type { HostFeatures } from './host-features.js';

/**
 * Model selection without labelled defects: held-out normal images get synthetic defects painted
 * on them (exact masks), and the model is scored on how well its maps find those defects. The
 * reference picks epochs by test labels, which a user cannot do; validation loss alone is a poor
 * signal for localisation (a lower loss can give worse maps).
 */
export type ValidationMetric = 'pixelAuroc' | 'aupro' | 'mean';

export interface ValidationOptions {
  /** Held-out normal images. Default: hold out `holdOut` of the training images. */
  images?: ImageInput[];
  /** Fraction of the training images held out when `images` is not given. Default 0.15 (at least 2). */
  holdOut?: number;
  /** Evaluate every N epochs. Default 1. */
  every?: number;
  /** Stop after this many evaluations without improvement. Default: never stop early. */
  patience?: number;
  /** What "best" means. Default 'mean' (of pixel AUROC and AUPRO). */
  metric?: ValidationMetric;
  /** Synthetic anomalous copies painted per held-out image. Default 2. */
  copies?: number;
  /** Defect kinds to paint (see `synthetic.DEFECT_KINDS`). Default: all. */
  kinds?: string[];
  /** Restore the best evaluated weights at the end. Default true. */
  restoreBest?: boolean;
  /** Seed of the painted defects. Default: the detector's seed. */
  seed?: number;
  /**
   * Map smoothings (σ, input pixels) to choose from after training when the detector's `sigma` is
   * 'auto': the one whose maps score best on the painted defects. Default [0, 2, 4, 6, 8, 12, 16].
   */
  sigmas?: readonly number[];
}

export interface ValidationScores {
  epoch: number;
  pixelAuroc: number;
  aupro: number;
  /** The value the metric option selects. */
  score: number;
}

/** A smoothing candidate's scores on the painted defects. */
export type SigmaScores = ValidationScores & { sigma: number };

/** Features of the validation images (normal and painted) and the masks of the painted defects. */
export interface ValidationSet {
  features: HostFeatures;
  masks: BinaryMask[];
}

/**
 * Each image, then `copies` painted copies of it with their masks (all at the model's input size).
 * The painter is loaded on first use: an app that never validates does not ship it.
 */
export async function paintValidationImages(images: RawImage[], copies: number, seed: number, kinds?: string[]): Promise<{ images: RawImage[]; masks: BinaryMask[] }> {
  const { paintSyntheticAnomaly } = await import('../synthetic/paint.js');
  const outImages: RawImage[] = [];
  const masks: BinaryMask[] = [];
  images.forEach((img, i) => {
    outImages.push(img);
    masks.push({ width: img.width, height: img.height, data: new Uint8Array(img.width * img.height) });
    for (let c = 0; c < copies; c++) {
      const painted = paintSyntheticAnomaly(img, { seed: `${seed}/${i}/${c}`, ...(kinds ? { kinds: kinds as never } : {}) });
      outImages.push(painted.image);
      masks.push(painted.mask);
    }
  });
  if (!masks.some((m) => m.data.some((v) => v > 0))) {
    throw new DanflowError('EMPTY_DATASET', 'Synthetic validation painted no defect pixels; use more or larger validation images.');
  }
  return { images: outImages, masks };
}

/** Decodes held-out normal images at input size, paints synthetic defects and caches their features. */
export async function buildValidationSet(model: Model, images: ImageInput[], options: { copies: number; seed: number; kinds?: string[] }, batchSize: number): Promise<ValidationSet> {
  const size = model.config.inputSize;
  const raws: RawImage[] = [];
  for (let i = 0; i < images.length; i++) {
    const t = await imageToTensor(images[i], `validation image ${i}`);
    const r = tf.tidy(() => tf.round(resizeForModel(t, size)));
    raws.push({ data: Uint8Array.from(await r.data()), width: size, height: size, channels: 3 });
    tf.dispose([t, r]);
  }
  const painted = await paintValidationImages(raws, options.copies, options.seed, options.kinds);
  const features = await extractFeatures(model, painted.images, batchSize);
  return { features, masks: painted.masks };
}

/** Maps of the validation set at input size, eval mode, smoothed like localize. */
export async function validationMaps(model: Model, set: ValidationSet, sigma: number): Promise<ScoreMap[]> {
  const size = model.config.inputSize;
  const maps: ScoreMap[] = [];
  for (let i = 0; i < set.features.count; i++) {
    const feats = set.features.upload([i]);
    const t = tf.tidy(() => gaussianBlur(model.head.rawMaps(feats), sigma));
    tf.dispose(feats);
    const data = (await t.data()) as Float32Array;
    t.dispose();
    maps.push({ width: size, height: size, data });
  }
  return maps;
}

/**
 * Scores of every validation image under each rule, from one forward pass per image (the maps are
 * smoothed once; the likelihood is taken from the same pass when a rule needs it). rules × images.
 */
export async function scoresByRule(model: Model, features: HostFeatures, sigma: number, rules: ImageScoreRule[]): Promise<number[][]> {
  const out = rules.map(() => [] as number[]);
  const wantsLikelihood = rules.some((r) => r.rule === 'likelihood');
  for (let i = 0; i < features.count; i++) {
    const feats = features.upload([i]);
    const per = tf.tidy(() => {
      const { maps, likelihood } = mapsForRule(wantsLikelihood ? { rule: 'likelihood' } : { rule: 'max' }, model.head, feats);
      const smoothed = gaussianBlur(maps, sigma);
      return rules.map((r) => imageScores(r, smoothed, likelihood));
    });
    tf.dispose(feats);
    const values = await Promise.all(per.map((t) => t.data()));
    values.forEach((v, r) => out[r].push(...v));
    tf.dispose(per);
  }
  return out;
}

/**
 * The smoothing whose maps find the painted defects best (the validation metric; ties go to the
 * earlier candidate). The raw maps come from one forward pass; each candidate only re-blurs them.
 * Smoothing matters most for flows, whose raw maps are noisy at the finest scale; on real data
 * the σ that painted defects pick moves the test AUPRO the same way (CONTRIBUTING, "Map smoothing").
 */
export async function selectSigma(model: Model, set: ValidationSet, sigmas: readonly number[], epoch: number, metric: ValidationMetric): Promise<{ chosen: number; candidates: SigmaScores[] }> {
  const raw = await validationMaps(model, set, 0);
  const size = model.config.inputSize;
  const candidates: SigmaScores[] = [];
  for (const sigma of sigmas) {
    const maps = sigma === 0 ? raw : await blurMaps(raw, sigma, size);
    candidates.push({ sigma, ...scoreValidation(maps, set.masks, epoch, metric) });
  }
  let best = candidates[0];
  for (const c of candidates) if (c.score > best.score) best = c;
  return { chosen: best.sigma, candidates };
}

async function blurMaps(maps: ScoreMap[], sigma: number, size: number): Promise<ScoreMap[]> {
  const out: ScoreMap[] = [];
  for (const m of maps) {
    const t = tf.tidy(() => gaussianBlur(tf.tensor3d(m.data, [1, size, size]), sigma));
    out.push({ width: size, height: size, data: (await t.data()) as Float32Array });
    t.dispose();
  }
  return out;
}

/** Whether a validation image has a painted defect (its mask is not empty): the image-level label. */
export function isPainted(mask: BinaryMask): 0 | 1 {
  return mask.data.some((v) => v > 0) ? 1 : 0;
}

/**
 * The image-score rule that best separates the painted copies from the clean held-out images
 * (image AUROC), ties going to the earlier rule (the reference's max comes first).
 */
export async function selectImageScore(model: Model, set: ValidationSet, sigma: number, rules: ImageScoreRule[]): Promise<{ chosen: ImageScoreRule; candidates: { rule: ImageScoreRule; imageAuroc: number }[] }> {
  const labels = set.masks.map(isPainted);
  const scores = await scoresByRule(model, set.features, sigma, rules);
  const candidates = rules.map((rule, i) => ({ rule, imageAuroc: auroc(scores[i], labels) }));
  let best = candidates[0];
  for (const c of candidates) if (c.imageAuroc > best.imageAuroc) best = c;
  return { chosen: best.rule, candidates };
}

/** The pixel threshold maximising F1 on maps with known defect masks (the painted defects). */
export function f1Threshold(maps: ScoreMap[], masks: BinaryMask[]): number {
  return f1Max(maps, masks).threshold;
}

export function scoreValidation(maps: ScoreMap[], masks: BinaryMask[], epoch: number, metric: ValidationMetric): ValidationScores {
  const pixelAuroc = auroc(maps, masks);
  const pro = aupro(maps, masks, { fprLimit: 0.3 });
  const score = metric === 'pixelAuroc' ? pixelAuroc : metric === 'aupro' ? pro : (pixelAuroc + pro) / 2;
  return { epoch, pixelAuroc, aupro: pro, score };
}
