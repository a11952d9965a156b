/**
 * The detector's ONNX side, loaded on first use (a page that localises with tfjs never downloads
 * it): exportOnnx with the detector's metadata, and localize through the onnxruntime engine with
 * 'auto''s fallback to tfjs for a network the exporter cannot trace.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { log } from '../core/env.js';
import { isDanflowError } from '../core/errors.js';
import { exportOnnx } from '../engine/export.js';
import type { EngineRequest } from '../engine/names.js';
import { OrtLocalizer } from '../engine/ort/localizer.js';
import type { ScoreStats } from '../fitting/calibration.js';
import { nodeFs } from '../io/node-modules.js';
import type { Model } from '../methods/model.js';

/** The graph contract (raw maps, scores at the model's sigma) with thresholds and score statistics in the metadata. */
export async function exportDetector(model: Model, d: { threshold?: number; pixelThreshold?: number; scoreStats?: ScoreStats }, path?: string): Promise<Uint8Array> {
  const metadata: Record<string, string> = {
    ...(d.threshold !== undefined ? { 'danflow.threshold': String(d.threshold) } : {}),
    ...(d.pixelThreshold !== undefined ? { 'danflow.pixel_threshold': String(d.pixelThreshold) } : {}),
    ...(d.scoreStats ? { 'danflow.score_stats': JSON.stringify(d.scoreStats) } : {}),
  };
  const { bytes } = await exportOnnx(model, { scoreSigma: model.sigma, mapSigma: 0, metadata });
  if (path !== undefined) await (await nodeFs()).writeFile(path, bytes);
  return bytes;
}

/** localize's maps and scores through onnxruntime; undefined when 'auto' falls back to tfjs. */
export class OrtEngineRun {
  private readonly localizer: OrtLocalizer;

  constructor(
    model: Model,
    webgpu: boolean,
    private readonly request: EngineRequest,
  ) {
    this.localizer = new OrtLocalizer(model, { webgpu });
  }

  async mapsAndScores(batch: tf.Tensor4D, sigma: number): Promise<{ maps: tf.Tensor3D; scores: ArrayLike<number> } | undefined> {
    try {
      return await this.localizer.mapsAndScores(batch, sigma);
    } catch (e) {
      // 'auto' never makes localize fail where tfjs works: a network the exporter cannot trace
      // (say, a custom backbone with an op that has no recording) runs on tfjs instead.
      if (this.request !== 'auto' || !isDanflowError(e, 'ONNX_EXPORT')) throw e;
      log('warn', `engine 'auto': this model cannot run in onnxruntime, using tfjs (${e.message})`);
      return undefined;
    }
  }

  get sessionsCreated(): number {
    return this.localizer.sessionsCreated;
  }

  invalidate(): void {
    this.localizer.invalidate();
  }

  dispose(): void {
    this.localizer.dispose();
  }
}
