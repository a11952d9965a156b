import * as tf from '@tensorflow/tfjs-core';
import { DanflowError } from '../core/errors.js';
import type { ImageScoreRule } from './config.js';
import type { MethodHead } from './types.js';

export type { ImageScoreRule };


export const REFERENCE_IMAGE_SCORE: ImageScoreRule = { rule: 'max' };

/** Rules fit's synthetic validation chooses among (those the method can compute). */
export function candidateRules(head: MethodHead): ImageScoreRule[] {
  const rules: ImageScoreRule[] = [REFERENCE_IMAGE_SCORE, { rule: 'top', fraction: 0.01 }, { rule: 'top', fraction: 0.05 }, { rule: 'mean' }];
  if (head.mapsAndLikelihood) rules.push({ rule: 'likelihood' });
  return rules;
}

export function describeRule(r: ImageScoreRule): string {
  switch (r.rule) {
    case 'max':
      return 'max of the smoothed map';
    case 'top':
      return `mean of the top ${+(r.fraction * 100).toFixed(3)} % of the smoothed map`;
    case 'mean':
      return 'mean of the smoothed map';
    case 'likelihood':
      return "the flow's negative log-likelihood per dimension";
  }
}

export function checkRule(r: ImageScoreRule, head?: MethodHead): void {
  const bad = (msg: string): never => {
    throw new DanflowError('BAD_CONFIG', `imageScore: ${msg}`);
  };
  if (!r || typeof r !== 'object') bad(`expected 'auto', 'max', 'mean', 'likelihood' or { rule: 'top', fraction } (got ${JSON.stringify(r)}).`);
  if (!['max', 'top', 'mean', 'likelihood'].includes(r.rule)) bad(`unknown rule "${String((r as { rule: unknown }).rule)}"; use max, top, mean or likelihood.`);
  if (r.rule === 'top' && !(r.fraction > 0 && r.fraction <= 1)) bad(`top needs a fraction in (0, 1] of the pixels (got ${String(r.fraction)}).`);
  if (r.rule === 'likelihood' && head && !head.mapsAndLikelihood) bad("'likelihood' needs a method with a likelihood (the flow); PatchCore has none.");
}

/**
 * Raw maps [N, S, S] and, when the rule needs it, the likelihood [N]: one forward pass of the head.
 */
export function mapsForRule(rule: ImageScoreRule, head: MethodHead, features: tf.Tensor4D[]): { maps: tf.Tensor3D; likelihood?: tf.Tensor1D } {
  if (rule.rule !== 'likelihood') return { maps: head.rawMaps(features) };
  if (!head.mapsAndLikelihood) throw new DanflowError('BAD_CONFIG', "imageScore 'likelihood' needs a method with a likelihood (the flow).");
  return head.mapsAndLikelihood(features);
}

/**
 * One score per image [N] from the smoothed maps [N, S, S] (and, for `likelihood`, the head's
 * likelihood from the same pass). The same function serves localize, calibration, validation and
 * the ONNX export.
 */
export function imageScores(rule: ImageScoreRule, smoothed: tf.Tensor3D, likelihood?: tf.Tensor1D): tf.Tensor1D {
  return tf.tidy(() => {
    const [n, h, w] = smoothed.shape;
    switch (rule.rule) {
      case 'max':
        return tf.max(smoothed, [1, 2]) as tf.Tensor1D;
      case 'mean':
        return tf.mean(smoothed, [1, 2]) as tf.Tensor1D;
      case 'top': {
        const k = Math.max(1, Math.min(h * w, Math.round(rule.fraction * h * w)));
        return tf.mean(tf.topk(tf.reshape(smoothed, [n, h * w]) as tf.Tensor2D, k).values, 1) as tf.Tensor1D;
      }
      case 'likelihood':
        if (!likelihood) throw new DanflowError('BAD_CONFIG', "imageScore 'likelihood' needs a method with a likelihood (the flow).");
        return tf.clone(likelihood);
    }
  });
}
