import * as tf from '@tensorflow/tfjs-core';
import { DanflowError } from '../errors.js';
import { gaussianBlur } from '../localize/gaussian.js';
import { auroc } from '../metrics/auroc.js';
import { aupro } from '../metrics/aupro.js';
import { f1Max } from '../metrics/f1.js';
import { paintSyntheticAnomaly } from '../synthetic/index.js';
import type { BinaryMask, RawImage, ScoreMap } from '../types.js';

/**
 * Model selection without labelled defects: held-out normal images get synthetic defects painted
 * on them (exact masks), and the flow is scored on how well its maps find those defects. The
 * reference picks epochs by test labels, which a user cannot do; validation loss alone is a poor
 * signal for localisation (a lower loss can give worse maps).
 */
export type ValidationMetric = 'pixelAuroc' | 'aupro' | 'mean';

export interface ValidationOptions {
  /** Held-out normal images. Default: hold out `holdOut` of the training images. */
  images?: unknown[];
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
  /** Defect kinds to paint (see danflow's synthetic module). Default: all. */
  kinds?: string[];
  /** Restore the best evaluated weights at the end. Default true. */
  restoreBest?: boolean;
  /** Seed of the painted defects. Default: the detector's seed. */
  seed?: number;
}

export interface ValidationScores {
  epoch: number;
  pixelAuroc: number;
  aupro: number;
  /** The value the metric option selects. */
  score: number;
}

/** Features of the validation images (normal and painted) and the masks of the painted defects. */
export interface ValidationSet {
  features: tf.Tensor4D[][];
  masks: BinaryMask[];
  dispose(): void;
}

/** uint8 RawImage → synthetic copies with masks (all at the model's input size). */
export function paintValidationImages(images: RawImage[], copies: number, seed: number, kinds?: string[]): { images: RawImage[]; masks: BinaryMask[] } {
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

/** Maps of the validation set at input size, eval mode, smoothed like localize. */
export async function validationMaps(rawMaps: (features: tf.Tensor4D[]) => tf.Tensor3D, inputSize: number, set: ValidationSet, sigma: number): Promise<ScoreMap[]> {
  const maps: ScoreMap[] = [];
  for (const feats of set.features) {
    const t = tf.tidy(() => gaussianBlur(rawMaps(feats), sigma));
    const data = (await t.data()) as Float32Array;
    t.dispose();
    maps.push({ width: inputSize, height: inputSize, data });
  }
  return maps;
}

export function scoreValidation(maps: ScoreMap[], masks: BinaryMask[], epoch: number, metric: ValidationMetric): ValidationScores {
  const pixelAuroc = auroc(maps, masks);
  const pro = aupro(maps, masks, { fprLimit: 0.3 });
  const score = metric === 'pixelAuroc' ? pixelAuroc : metric === 'aupro' ? pro : (pixelAuroc + pro) / 2;
  return { epoch, pixelAuroc, aupro: pro, score };
}

/** The pixel threshold maximising F1 on the synthetic defects. */
export function f1Threshold(maps: ScoreMap[], masks: BinaryMask[]): number {
  return f1Max(maps, masks).threshold;
}
