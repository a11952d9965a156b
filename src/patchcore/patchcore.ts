import * as tf from '@tensorflow/tfjs-core';
import type { PatchCoreConfig } from '../config.js';
import { DanflowError } from '../errors.js';
import { patchEmbedding } from './embedding.js';
import { MemoryBank, randomCoreset } from './memory-bank.js';

export const MEMORY_BANK_KEY = 'patchcore.memory_bank';

/** Scales used for patch features: the configured ones, or all but the finest (PatchCore's layer2+3). */
export function patchScales(cfg: PatchCoreConfig, numScales: number): number[] {
  const scales = cfg.scales.length ? cfg.scales : numScales > 1 ? Array.from({ length: numScales - 1 }, (_, i) => i + 1) : [0];
  for (const s of scales) {
    if (!Number.isInteger(s) || s < 0 || s >= numScales) throw new DanflowError('BAD_CONFIG', `patchcore.scales: ${s} is not a feature scale of this backbone (0..${numScales - 1}).`);
  }
  return scales;
}

/**
 * PatchCore head: a memory bank of normal patch features; the anomaly map is each patch's distance
 * to its nearest normal patch, upsampled to the input size (higher = more anomalous).
 */
export class PatchCoreHead {
  constructor(
    readonly bank: MemoryBank,
    readonly scales: number[],
  ) {}

  /** Builds the bank from cached backbone features of the normal images (one entry per image). */
  static async fit(cache: tf.Tensor4D[][], cfg: PatchCoreConfig, numScales: number, seed: number): Promise<PatchCoreHead> {
    const scales = patchScales(cfg, numScales);
    const rows: Float32Array[] = [];
    let dim = 0;
    for (const feats of cache) {
      const emb = patchEmbedding(feats, scales);
      dim = emb.shape[3];
      // Async reads: WebGPU cannot read synchronously without an OffscreenCanvas.
      rows.push((await emb.data()) as Float32Array);
      emb.dispose();
    }
    const perImage = rows[0].length / dim;
    const total = perImage * rows.length;
    const keep = randomCoreset(total, cfg.coresetRatio, seed);
    const bank = new Float32Array(keep.length * dim);
    keep.forEach((p, i) => {
      const img = Math.floor(p / perImage);
      const off = (p % perImage) * dim;
      bank.set(rows[img].subarray(off, off + dim), i * dim);
    });
    return new PatchCoreHead(new MemoryBank(tf.tensor2d(bank, [keep.length, dim])), scales);
  }

  /** Raw maps [N, S, S] at the input size. */
  anomalyMap(features: tf.Tensor4D[], inputSize: number): tf.Tensor3D {
    return tf.tidy(() => {
      const emb = patchEmbedding(features, this.scales);
      const [n, h, w, d] = emb.shape;
      const dist = this.bank.nearest(tf.reshape(emb, [n * h * w, d]) as tf.Tensor2D);
      const map = tf.reshape(dist, [n, h, w, 1]) as tf.Tensor4D;
      return tf.squeeze(tf.image.resizeBilinear(map, [inputSize, inputSize], false, true), [3]) as tf.Tensor3D;
    });
  }

  dispose(): void {
    this.bank.dispose();
  }
}
