import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../backend/names.js';
import { log } from '../core/env.js';
import type { OrtEngineRun } from './onnx.js';
import { DanflowError } from '../core/errors.js';
import { VERSION } from '../core/version.js';
import type { EngineName, EngineRequest } from '../engine/names.js';
import { calibrateFromScores, type ScoreStats } from '../fitting/calibration.js';
import type { ValidationScores } from '../fitting/validation.js';
import { decodeBatch } from '../image/batch.js';
import type { ImageInput } from '../image/input.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, WEIGHTS_FILE, type SavedModel } from '../io/model-format.js';
import type { SaveTarget } from '../io/model-store.js';
import { BACKBONE_PREFIX } from '../backbones/types.js';
import type { DetectionMethod, DetectorConfig } from '../methods/config.js';
import type { Model } from '../methods/model.js';
import { DEFAULTS } from './defaults.js';
import type { Detector } from './detector.js';
import { localizeResults } from './localize-result.js';
import type { DetectorManifest } from './manifest.js';
import { resolveFitPlan, type CalibrateOptions, type DetectorFitOptions, type DetectorFitResult, type LocalizeOptions, type LocalizeResult } from './options.js';

/**
 * The Detector behind createDetector / loadDetector. Not exported from the package. Training,
 * validation and the model file code are loaded when first used, so an app that only localises
 * does not download them.
 */
export class DetectorImpl implements Detector {
  threshold: number | undefined;
  pixelThreshold: number | undefined;
  scoreStats: ScoreStats | undefined;
  private training: DetectorManifest['training'] = null;
  private disposed = false;
  private warnedNoThreshold = false;
  readonly backend: BackendName;
  private engineName: EngineName;
  private readonly engineRequest: EngineRequest;
  /** The onnxruntime engine's session holder, created on first localize (its code loads then). */
  private ortRun: Promise<OrtEngineRun> | undefined;

  constructor(
    /** The network; tests and tools inside the package reach its tensors through this. */
    readonly model: Model,
    runtime: { backend: BackendName; engine?: EngineName; requested?: EngineRequest },
    saved?: Pick<DetectorManifest, 'threshold' | 'pixelThreshold' | 'scoreStats' | 'training'>,
  ) {
    this.backend = runtime.backend;
    this.engineName = runtime.engine ?? 'tfjs';
    this.engineRequest = runtime.requested ?? this.engineName;
    this.threshold = saved?.threshold ?? undefined;
    // Models saved before the two thresholds were told apart used one for both (the max rule).
    this.pixelThreshold = saved?.pixelThreshold ?? saved?.threshold ?? undefined;
    this.scoreStats = saved?.scoreStats ?? undefined;
    this.training = saved?.training ?? null;
  }

  get engine(): EngineName {
    return this.engineName;
  }

  get config(): DetectorConfig {
    return this.model.config;
  }

  get method(): DetectionMethod {
    return this.config.method ?? DEFAULTS.detector.method;
  }

  get sigma(): number {
    return this.model.sigma;
  }

  get trainableParameters(): number {
    return this.model.trainableParameterCount();
  }

  private check(): void {
    if (this.disposed) throw new DanflowError('DISPOSED', 'This detector was disposed; create or load a new one.');
  }

  async fit(images: ImageInput[], options: DetectorFitOptions = {}): Promise<DetectorFitResult> {
    this.check();
    const { fitModel } = await import('../fitting/fit-model.js');
    const { result, calibration } = await fitModel(this.model, images, resolveFitPlan(options, this.config.seed));
    this.training = { epochs: result.epochs, steps: result.steps, finalLoss: result.epochLosses.at(-1) ?? null, seconds: result.seconds };
    if (calibration) {
      this.scoreStats = calibration.stats;
      this.threshold = calibration.threshold;
      this.pixelThreshold = calibration.pixelThreshold;
    }
    return result;
  }

  async validate(normalImages: ImageInput[], options: Parameters<Detector['validate']>[1] = {}): Promise<ValidationScores> {
    this.check();
    if (normalImages.length === 0) throw new DanflowError('EMPTY_DATASET', 'validate() needs at least one normal image to paint defects on.');
    const { buildValidationSet, scoreValidation, validationMaps } = await import('../fitting/validation.js');
    const set = await buildValidationSet(this.model, normalImages, { copies: options.copies ?? DEFAULTS.validation.copies, seed: options.seed ?? this.config.seed, kinds: options.kinds }, DEFAULTS.localize.batchSize);
    return scoreValidation(await validationMaps(this.model, set, options.sigma ?? this.sigma), set.masks, this.training?.epochs ?? 0, options.metric ?? DEFAULTS.validation.metric);
  }

  async calibrate(normalImages: ImageInput[], options: CalibrateOptions = {}): Promise<ScoreStats> {
    this.check();
    if (normalImages.length === 0) throw new DanflowError('EMPTY_DATASET', 'calibrate() needs at least one normal image.');
    const sigma = options.sigma ?? this.sigma;
    const quantile = options.quantile ?? DEFAULTS.calibration.quantile;
    const results = await this.localize(normalImages, { sigma });
    const { stats, threshold } = calibrateFromScores(results.map((r) => r.score), sigma, quantile, 'validation');
    this.scoreStats = stats;
    this.threshold = threshold;
    // Masks: the same quantile of each normal image's hottest pixel, so a normal image's mask is empty as often.
    this.pixelThreshold = calibrateFromScores(results.map((r) => r.maxPixel), sigma, quantile, 'validation').threshold;
    // The onnxruntime session is rebuilt after a calibration as after any change to the detector,
    // so the engine always runs what exportOnnx would write now.
    if (this.ortRun) (await this.ortRun).invalidate();
    return stats;
  }

  localize(images: ImageInput[], options?: LocalizeOptions): Promise<LocalizeResult[]>;
  localize(image: ImageInput, options?: LocalizeOptions): Promise<LocalizeResult>;
  async localize(input: ImageInput | ImageInput[], options: LocalizeOptions = {}): Promise<LocalizeResult | LocalizeResult[]> {
    this.check();
    const many = Array.isArray(input);
    const images = many ? input : [input];
    const sigma = options.sigma ?? this.sigma;
    const threshold = options.threshold ?? this.threshold;
    const pixelThreshold = options.pixelThreshold ?? this.pixelThreshold ?? threshold;
    if (threshold === undefined && !this.warnedNoThreshold) {
      this.warnedNoThreshold = true;
      log('warn', 'this detector has no threshold (not fitted or calibrated): masks are empty. Pass { threshold } or call calibrate().');
    }
    const batchSize = options.batchSize ?? DEFAULTS.localize.batchSize;
    const out: LocalizeResult[] = [];
    for (let i = 0; i < images.length; i += batchSize) {
      const { batch, sizes } = await decodeBatch(images.slice(i, i + batchSize), this.config.inputSize, i);
      let maps: tf.Tensor3D;
      let scores: ArrayLike<number>;
      try {
        ({ maps, scores } = await this.mapsAndScores(batch, sigma));
      } finally {
        batch.dispose();
      }
      try {
        out.push(...(await localizeResults(maps, scores, sizes, { threshold, pixelThreshold, sigma, scoreStats: this.scoreStats })));
      } finally {
        maps.dispose();
      }
    }
    return many ? out : out[0];
  }

  /** Smoothed maps [N, S, S] and scores of a decoded batch, from the detector's engine. */
  private async mapsAndScores(batch: tf.Tensor4D, sigma: number): Promise<{ maps: tf.Tensor3D; scores: ArrayLike<number> }> {
    if (this.engineName === 'onnxruntime') {
      // Loaded on first use: apps that localise with tfjs never download the exporter or protobufjs.
      this.ortRun ??= import('./onnx.js').then((m) => new m.OrtEngineRun(this.model, this.backend === 'webgpu', this.engineRequest));
      const r = await (await this.ortRun).mapsAndScores(batch, sigma);
      if (r) return r;
      this.engineName = 'tfjs';
    }
    const { maps, scores } = this.model.mapsAndScores(batch, sigma);
    try {
      return { maps, scores: await scores.data() };
    } finally {
      scores.dispose();
    }
  }

  /** Sessions the onnxruntime engine has built (tests: it rebuilds after fit and calibrate). */
  async engineSessionsCreated(): Promise<number> {
    return this.ortRun ? (await this.ortRun).sessionsCreated : 0;
  }

  async exportOnnx(path?: string): Promise<Uint8Array> {
    this.check();
    const { exportDetector } = await import('./onnx.js');
    return exportDetector(this.model, { threshold: this.threshold, pixelThreshold: this.pixelThreshold, scoreStats: this.scoreStats }, path);
  }

  /** The danflow model format: manifest + PyTorch-layout safetensors. */
  async serialize(options: { includeBackbone?: boolean } = {}): Promise<SavedModel<DetectorManifest>> {
    this.check();
    const [{ exportStateDict }, { sha256Hex }] = await Promise.all([import('../io/state-dict.js'), import('../io/sha256.js')]);
    const includeBackbone = options.includeBackbone ?? true;
    const extra = await this.model.head.extraTensors();
    const weights = await exportStateDict(this.model.specs, this.model.params, { skipPrefix: includeBackbone ? undefined : BACKBONE_PREFIX, extra });
    const manifest: DetectorManifest = {
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      sdkVersion: VERSION,
      createdAt: new Date().toISOString(),
      config: this.config,
      preprocessing: { ...this.model.backbone.preprocessing, inputSize: this.config.inputSize, resize: 'bilinear-half-pixel' },
      permutations: await this.model.head.permutations(),
      threshold: this.threshold ?? null,
      pixelThreshold: this.pixelThreshold ?? null,
      scoreStats: this.scoreStats ?? null,
      training: this.training,
      weights: { file: WEIGHTS_FILE, format: 'safetensors', layout: 'pytorch-state-dict', byteLength: weights.length, sha256: await sha256Hex(weights), includesBackbone: includeBackbone },
    };
    return { manifest, weights };
  }

  async save(target: SaveTarget, options: { includeBackbone?: boolean } = {}): Promise<void> {
    const saved = await this.serialize(options);
    const { writeModel } = await import('../io/model-store.js');
    await writeModel(target, saved);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void this.ortRun?.then((r) => r.dispose(), () => undefined);
    this.model.dispose();
  }
}
