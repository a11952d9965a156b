import * as tf from '@tensorflow/tfjs-core';
import { normalizeScore, type ScoreStats } from '../fitting/calibration.js';
import type { LocalizeResult } from './options.js';

export interface Decision {
  threshold: number | undefined;
  pixelThreshold: number | undefined;
  sigma: number;
  scoreStats: ScoreStats | undefined;
}

/**
 * A batch's results from its smoothed maps [N, S, S] and image scores — whichever engine computed
 * them: each map resized back to its image's size, the hottest pixel, the mask at the pixel
 * threshold, the decision at the threshold and the normalised score. The one copy of this step,
 * so both engines return the same LocalizeResult.
 */
export async function localizeResults(maps: tf.Tensor3D, scores: ArrayLike<number>, sizes: [number, number][], d: Decision): Promise<LocalizeResult[]> {
  const out: LocalizeResult[] = [];
  for (let j = 0; j < sizes.length; j++) out.push(await oneResult(maps, j, sizes[j], scores[j], d));
  return out;
}

async function oneResult(maps: tf.Tensor3D, j: number, [h, w]: [number, number], score: number, d: Decision): Promise<LocalizeResult> {
  const s = maps.shape[1];
  const [hottest, full] = tf.tidy(() => {
    const m = tf.slice(maps, [j, 0, 0], [1, s, s]);
    const resized = h === s && w === s ? m : tf.image.resizeBilinear(tf.expandDims(m, 3) as tf.Tensor4D, [h, w], false, true);
    return [tf.max(m), tf.reshape(resized, [h * w])];
  });
  const maxPixel = (await hottest.data())[0];
  const data = (await full.data()) as Float32Array;
  tf.dispose([hottest, full]);
  const mask = new Uint8Array(h * w);
  if (d.pixelThreshold !== undefined) for (let k = 0; k < mask.length; k++) mask[k] = data[k] >= d.pixelThreshold ? 1 : 0;
  return {
    score,
    normalizedScore: normalizeScore(score, d.threshold, d.scoreStats, d.sigma),
    maxPixel,
    anomalyMap: { width: w, height: h, data },
    mask: { width: w, height: h, data: mask },
    isAnomalous: d.threshold !== undefined && score >= d.threshold,
    threshold: d.threshold,
    pixelThreshold: d.pixelThreshold,
  };
}
