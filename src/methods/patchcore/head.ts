import * as tf from '@tensorflow/tfjs-core';
import { DanflowError } from '../../core/errors.js';
import type { WritableTensor } from '../../io/safetensors.js';
import type { EpochHook, FeatureSource, MethodHead, TrainResult, TrainSettings } from '../types.js';
import type { PatchCoreConfig } from './config.js';
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
 * to its nearest normal patch, upsampled to the input size (higher = more anomalous). It has no
 * bank until fit() (or a loaded model) gives it one.
 */
export class PatchCoreHead implements MethodHead {
  readonly scales: number[];
  private bankRevision = 0;

  constructor(
    readonly cfg: PatchCoreConfig,
    numScales: number,
    private readonly model: { inputSize: number; seed: number },
    private bankStore?: MemoryBank,
  ) {
    this.scales = patchScales(cfg, numScales);
  }

  get bank(): MemoryBank | undefined {
    return this.bankStore;
  }

  /** Changes with every new memory bank (fit), so the onnxruntime engine rebuilds its session. */
  get revision(): number {
    return this.bankRevision;
  }

  /** Builds the bank from the features of the normal images: one pass, a seeded random coreset. */
  async fit(features: FeatureSource, settings: TrainSettings, afterEpoch?: EpochHook): Promise<TrainResult> {
    const t0 = Date.now();
    const rows: Float32Array[] = [];
    let dim = 0;
    for (let i = 0; i < features.count; i++) {
      const feats = await features.batch([i], 0);
      const emb = patchEmbedding(feats, this.scales);
      tf.dispose(feats);
      dim = emb.shape[3];
      // Async reads: WebGPU cannot read synchronously without an OffscreenCanvas.
      rows.push((await emb.data()) as Float32Array);
      emb.dispose();
    }
    const perImage = rows[0].length / dim;
    const keep = randomCoreset(perImage * rows.length, this.cfg.coresetRatio, this.model.seed);
    const bank = new Float32Array(keep.length * dim);
    keep.forEach((p, i) => {
      const img = Math.floor(p / perImage);
      const off = (p % perImage) * dim;
      bank.set(rows[img].subarray(off, off + dim), i * dim);
    });
    this.bankStore?.dispose();
    this.bankStore = new MemoryBank(tf.tensor2d(bank, [keep.length, dim]));
    this.bankRevision++;
    const result = { epochs: 0, steps: 0, epochLosses: [], seconds: (Date.now() - t0) / 1000 };
    await afterEpoch?.(0, NaN);
    return result;
  }

  rawMaps(features: tf.Tensor4D[]): tf.Tensor3D {
    const bank = this.bankStore;
    if (!bank) throw new DanflowError('BAD_ARGUMENT', 'This PatchCore detector has no memory bank yet: call fit() with normal images first.');
    const size = this.model.inputSize;
    return tf.tidy(() => {
      const emb = patchEmbedding(features, this.scales);
      const [n, h, w, d] = emb.shape;
      const dist = bank.nearest(tf.reshape(emb, [n * h * w, d]) as tf.Tensor2D);
      const map = tf.reshape(dist, [n, h, w, 1]) as tf.Tensor4D;
      return tf.squeeze(tf.image.resizeBilinear(map, [size, size], false, true), [3]) as tf.Tensor3D;
    });
  }

  async extraTensors(): Promise<Record<string, WritableTensor>> {
    const bank = this.bankStore?.bank;
    if (!bank) throw new DanflowError('BAD_ARGUMENT', 'Nothing to save yet: fit() this PatchCore detector first.');
    return { [MEMORY_BANK_KEY]: { dtype: 'F32', shape: bank.shape, data: (await bank.data()) as Float32Array } };
  }

  async permutations(): Promise<number[][][]> {
    return [];
  }

  dispose(): void {
    this.bankStore?.dispose();
    this.bankStore = undefined;
    this.bankRevision++;
  }
}
