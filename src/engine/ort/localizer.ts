/**
 * localize's network through ONNX Runtime: the model is exported (traced) and compiled into a
 * session on first use, and again whenever the model changed since (Model.revision: any parameter
 * write, a new memory bank, a new image-score rule), the smoothing changed, or env.numThreads did.
 * Decoding before and post-processing after stay with the caller, as with tfjs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Model } from '../../methods/model.js';
import { exportOnnx } from '../export.js';
import { OrtEngine, threadCount } from './session.js';

/** NHWC uint8-range images (what decodeBatch makes) → the contract's NCHW [0, 1] input. */
export function toContractInput(nhwc: Float32Array | Int32Array | Uint8Array, n: number, s: number): Float32Array {
  const plane = s * s;
  const out = new Float32Array(n * 3 * plane);
  for (let b = 0; b < n; b++) {
    const src = b * plane * 3;
    const dst = b * 3 * plane;
    for (let p = 0; p < plane; p++) {
      out[dst + p] = nhwc[src + 3 * p] / 255;
      out[dst + plane + p] = nhwc[src + 3 * p + 1] / 255;
      out[dst + 2 * plane + p] = nhwc[src + 3 * p + 2] / 255;
    }
  }
  return out;
}

export class OrtLocalizer {
  private current: { key: string; engine: Promise<OrtEngine> } | undefined;
  private built = 0;

  constructor(
    private readonly model: Model,
    private readonly options: { webgpu?: boolean } = {},
  ) {}

  /** Sessions created so far (one per model revision, sigma and thread count that localize met). */
  get sessionsCreated(): number {
    return this.built;
  }

  /** Drops the session; the next call builds a new one. */
  invalidate(): void {
    const old = this.current;
    this.current = undefined;
    void old?.engine.then((e) => e.release(), () => undefined);
  }

  private async engine(sigma: number): Promise<OrtEngine> {
    const threads = await threadCount();
    const key = `${this.model.revision}|${sigma}|${threads}`;
    if (this.current?.key !== key) {
      this.invalidate();
      this.built++;
      const engine = (async () => {
        const { bytes } = await exportOnnx(this.model, { scoreSigma: sigma, mapSigma: sigma });
        return OrtEngine.create(bytes, this.model.config.inputSize, { threads, webgpu: this.options.webgpu });
      })();
      this.current = { key, engine };
      // A failed build is not kept: the next call tries again (and reports the error again).
      engine.catch(() => {
        if (this.current?.engine === engine) this.current = undefined;
      });
    }
    return this.current!.engine;
  }

  /**
   * Smoothed maps [N, S, S] (a tfjs tensor, for the shared post-processing) and image scores [N]
   * of a decoded batch [N, S, S, 3] in 0..255, exactly as Model.mapsAndScores computes them.
   */
  async mapsAndScores(batch: tf.Tensor4D, sigma: number): Promise<{ maps: tf.Tensor3D; scores: Float32Array }> {
    const [n, s] = batch.shape;
    const engine = await this.engine(sigma);
    const input = toContractInput((await batch.data()) as Float32Array, n, s);
    const { maps, scores } = await engine.run(input, n);
    return { maps: tf.tensor3d(maps, [n, s, s]), scores };
  }

  dispose(): void {
    this.invalidate();
  }
}
