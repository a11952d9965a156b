import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { candidateRules, checkRule, imageScores, mapsForRule, type ImageScoreRule } from '../../../src/methods/image-score.js';
import type { MethodHead } from '../../../src/methods/types.js';
import { setBackend } from '../../helpers/backend.js';

/** Two 10×10 maps: a single hot pixel on a cold image, and a large lukewarm area. */
function maps(): tf.Tensor3D {
  const a = new Float32Array(100).fill(-1);
  a[55] = 0;
  const b = new Float32Array(100).fill(-1);
  for (let i = 0; i < 40; i++) b[i] = -0.5;
  return tf.tensor3d([...a, ...b], [2, 10, 10]);
}

const score = (rule: ImageScoreRule, likelihood?: tf.Tensor1D) => tf.tidy(() => Array.from(imageScores(rule, maps(), likelihood).dataSync()));

describe('image-score rules on constructed maps', () => {
  beforeAll(() => setBackend('cpu'));

  it('max: the hottest pixel, so one hot pixel outranks a large lukewarm area', () => {
    expect(score({ rule: 'max' })).toEqual([0, -0.5]);
  });

  it('top: the mean of the hottest fraction of pixels (at least one pixel)', () => {
    // 5 % of 100 pixels = 5: one pixel at 0 and four at -1 → -0.8; the area: five at -0.5.
    expect(score({ rule: 'top', fraction: 0.05 })[0]).toBeCloseTo(-0.8, 6);
    expect(score({ rule: 'top', fraction: 0.05 })[1]).toBeCloseTo(-0.5, 6);
    expect(score({ rule: 'top', fraction: 0.001 })).toEqual([0, -0.5]);
    expect(score({ rule: 'top', fraction: 1 })).toEqual(score({ rule: 'mean' }));
  });

  it('mean: the whole map, so the large area now ranks first', () => {
    const [hot, area] = score({ rule: 'mean' });
    expect(hot).toBeCloseTo(-0.99, 6);
    expect(area).toBeCloseTo(-0.8, 6);
  });

  it("likelihood: the head's per-image likelihood from the same pass, untouched by the map", () => {
    const nll = tf.tensor1d([3.5, -1.25]);
    expect(score({ rule: 'likelihood' }, nll)).toEqual([3.5, -1.25]);
    expect(() => score({ rule: 'likelihood' })).toThrow(/needs a method with a likelihood/);
    nll.dispose();
  });

  it('mapsForRule asks a flow-like head for maps and likelihood in one pass, others for maps only', () => {
    let calls = 0;
    const head = {
      rawMaps: () => maps(),
      mapsAndLikelihood: () => {
        calls++;
        return { maps: maps(), likelihood: tf.tensor1d([1, 2]) };
      },
    } as unknown as MethodHead;
    const both = mapsForRule({ rule: 'likelihood' }, head, []);
    expect(calls).toBe(1);
    expect(Array.from(both.likelihood!.dataSync())).toEqual([1, 2]);
    const one = mapsForRule({ rule: 'max' }, head, []);
    expect(one.likelihood).toBeUndefined();
    expect(calls).toBe(1);
    tf.dispose([both.maps, both.likelihood!, one.maps]);
    expect(candidateRules(head).map((r) => r.rule)).toEqual(['max', 'top', 'top', 'mean', 'likelihood']);
    expect(candidateRules({ rawMaps: head.rawMaps } as unknown as MethodHead).map((r) => r.rule)).not.toContain('likelihood');
  });

  it('rejects rules that cannot work, naming the fix', () => {
    expect(() => checkRule({ rule: 'top', fraction: 0 })).toThrow(/fraction in \(0, 1\]/);
    expect(() => checkRule({ rule: 'median' } as unknown as ImageScoreRule)).toThrow(/unknown rule "median"/);
    expect(() => checkRule({ rule: 'likelihood' }, { rawMaps: () => maps() } as unknown as MethodHead)).toThrow(/PatchCore has none/);
  });
});
