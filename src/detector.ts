import * as tf from '@tensorflow/tfjs-core';
import './nn/register-gradients.js';
import { useBackend } from './backend/registry.js';
import type { BackendName, BackendRequest } from './backend/names.js';
import { resolveConfig, type DetectorConfig, type DetectorOptions } from './config.js';
import { validateConfig } from './config-validate.js';
import { DanflowError } from './errors.js';
import { log } from './env.js';
import { imageToTensor, resizeForModel, type ImageInput } from './image/input.js';
import { exportStateDict, readStateDict } from './io/state-dict.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, WEIGHTS_FILE, type ModelManifest, type SavedModel } from './io/model-format.js';
import { readModel, writeModel, type LoadSource, type SaveTarget } from './io/model-store.js';
import { sha256Hex } from './io/sha256.js';
import { loadWeightBytes } from './io/load-bytes.js';
import { gaussianBlur } from './localize/gaussian.js';
import { scoreStats, type ScoreStats } from './localize/threshold.js';
import { DanflowModel, type TensorSource } from './model/danflow-model.js';
import type { ProgressCallback } from './progress.js';
import { resolveFitOptions, throwIfAborted, trainOnFeatures, yieldToEventLoop, type FitOptions, type FitResult } from './train/fit.js';
import { augmentationTransforms } from './train/augment.js';
import { augmentedFeatures, cachedFeatures, type FeatureSource } from './train/feature-source.js';
import type { BinaryMask, RawImage, ScoreMap } from './types.js';
import { paintValidationImages, scoreValidation, validationMaps, f1Threshold, type ValidationOptions, type ValidationScores, type ValidationSet } from './validation/synthetic-validation.js';
import { restoreParams, snapshotParams, type ParamSnapshot } from './model/snapshot.js';
import { VERSION } from './version.js';
import { MEMORY_BANK_KEY, PatchCoreHead, patchScales } from './patchcore/patchcore.js';
import { MemoryBank } from './patchcore/memory-bank.js';
import { readSafetensors } from './io/safetensors.js';

export interface LocalizeOptions {
  /** Gaussian smoothing of the map in input-size pixels. Default 4; 0 returns the reference's raw map. */
  sigma?: number;
  /** Map values ≥ threshold are defects. Default: the detector's calibrated threshold. */
  threshold?: number;
  /** Images per forward pass when an array is given. Default 8. */
  batchSize?: number;
}

export interface LocalizeResult {
  /** Image anomaly score: the maximum of the (smoothed) map at the model's input resolution. */
  score: number;
  /** Per-pixel anomaly map at the original image size; higher is more anomalous, in [−1, 0]. */
  anomalyMap: ScoreMap;
  /** 1 where anomalyMap ≥ threshold (all 0 when the detector has no threshold). */
  mask: BinaryMask;
  isAnomalous: boolean;
  /** The threshold used, or undefined when neither the call nor the detector had one. */
  threshold: number | undefined;
}

export interface CalibrateOptions {
  /** Quantile of the normal images' scores used as threshold. Default 0.99. */
  quantile?: number;
  sigma?: number;
  onProgress?: ProgressCallback;
}

export interface DetectorFitOptions extends FitOptions {
  /** Derive the threshold from the training images' scores after fitting. Default true. */
  calibrate?: boolean | CalibrateOptions;
  /**
   * Synthetic-anomaly validation: hold out normal images, paint defects with exact masks on them,
   * evaluate pixel AUROC / AUPRO every N epochs, keep (and restore) the best weights, stop early
   * on patience, and set the threshold to the F1-optimal one on those defects. Off by default
   * (the reference's loss-only training).
   */
  validation?: boolean | (Omit<ValidationOptions, 'images'> & { images?: ImageInput[] });
}

export interface DetectorFitResult extends FitResult {
  validation?: { history: ValidationScores[]; best: ValidationScores; stoppedEarly: boolean; restored: boolean };
}

const DEFAULT_SIGMA = 4;
const DEFAULT_QUANTILE = 0.99;

/**
 * A DANFlow anomaly detector: fit on normal images, then localise anomalies. Owns its tensors;
 * call dispose() when done.
 */
export class Detector {
  /** Decision threshold on map values / scores; set by fit() (calibration), calibrate() or by hand. */
  threshold: number | undefined;
  scoreStats: ScoreStats | undefined;
  private training: ModelManifest['training'] = null;
  /** Set for method 'patchcore' once fitted (or loaded). */
  private patchcore: PatchCoreHead | undefined;
  private disposed = false;

  private constructor(
    private readonly model: DanflowModel,
    readonly backend: BackendName,
  ) {}

  /** @internal */
  static async create(config: DetectorConfig, backend: BackendName, source: TensorSource, permutations?: number[][][]): Promise<Detector> {
    return new Detector(new DanflowModel(config, permutations, source), backend);
  }

  get config(): DetectorConfig {
    return this.model.config;
  }

  /** Trainable parameters (flows + per-scale LayerNorms), the paper's "A.d Params". 0 for PatchCore. */
  get trainableParameters(): number {
    return this.model.trainableParameterCount();
  }

  get method(): 'danflow' | 'patchcore' {
    return this.config.method ?? 'danflow';
  }

  /** Raw anomaly maps [N, S, S] at input size from backbone features (no smoothing). */
  private rawMaps(features: tf.Tensor4D[]): tf.Tensor3D {
    if (this.method === 'patchcore') {
      if (!this.patchcore) throw new DanflowError('BAD_ARGUMENT', 'This PatchCore detector has no memory bank yet: call fit() with normal images first.');
      return this.patchcore.anomalyMap(features, this.config.inputSize);
    }
    return this.model.anomalyMap(this.model.head(features));
  }

  private check(): void {
    if (this.disposed) throw new DanflowError('DISPOSED', 'This detector was disposed; create or load a new one.');
  }

  /** Decodes and resizes a batch of inputs to model tensors, returning original sizes. */
  private async prepare(images: ImageInput[], offset: number): Promise<{ batch: tf.Tensor4D; sizes: [number, number][] }> {
    const size = this.config.inputSize;
    const resized: tf.Tensor3D[] = [];
    const sizes: [number, number][] = [];
    try {
      for (let i = 0; i < images.length; i++) {
        const img = await imageToTensor(images[i], `image ${offset + i}`);
        sizes.push([img.shape[0], img.shape[1]]);
        resized.push(resizeForModel(img, size));
        img.dispose();
      }
      return { batch: tf.stack(resized) as tf.Tensor4D, sizes };
    } finally {
      tf.dispose(resized);
    }
  }

  /** Backbone features for every image, batch by batch (the backbone is frozen, so they are cached). */
  private async extractAll(images: ImageInput[], batchSize: number, onProgress?: ProgressCallback, signal?: AbortSignal): Promise<tf.Tensor4D[][]> {
    const cache: tf.Tensor4D[][] = [];
    try {
      for (let i = 0; i < images.length; i += batchSize) {
        throwIfAborted(signal, 'fit');
        const { batch } = await this.prepare(images.slice(i, i + batchSize), i);
        const feats = tf.tidy(() => this.model.backboneFeatures(batch));
        batch.dispose();
        for (let j = 0; j < feats[0].shape[0]; j++) {
          cache.push(feats.map((f) => tf.tidy(() => tf.slice(f, [j, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D)));
        }
        tf.dispose(feats);
        onProgress?.({ type: 'features', done: Math.min(i + batchSize, images.length), total: images.length });
        await yieldToEventLoop();
      }
      return cache;
    } catch (e) {
      tf.dispose(cache.flat());
      throw e;
    }
  }

  /** Train the flows (and norms) on normal images. */
  async fit(images: ImageInput[], options: DetectorFitOptions = {}): Promise<DetectorFitResult> {
    this.check();
    if (!Array.isArray(images) || images.length === 0) {
      throw new DanflowError('EMPTY_DATASET', 'fit() needs at least one normal (defect-free) image; got none. Pass an array of images, e.g. file paths of your "good" samples.');
    }
    const v = options.validation === true ? {} : options.validation || undefined;
    let train = images;
    let heldOut: ImageInput[] | undefined = v?.images;
    if (v && !heldOut) {
      const k = Math.max(2, Math.round(images.length * (v.holdOut ?? 0.15)));
      if (images.length - k < 1) throw new DanflowError('EMPTY_DATASET', `fit(): validation needs to hold out ${k} images but only ${images.length} were given; pass validation.images or more training images.`);
      // Evenly spaced, so the held-out set covers the whole (often ordered) dataset.
      const step = images.length / k;
      const pick = new Set(Array.from({ length: k }, (_, i) => Math.floor(i * step + step / 2)));
      heldOut = images.filter((_, i) => pick.has(i));
      train = images.filter((_, i) => !pick.has(i));
    }
    const fitOptions = resolveFitOptions(options);
    const batchSize = fitOptions.batchSize;
    const cache = await this.extractAll(train, batchSize, options.onProgress, options.signal);
    let valSet: ValidationSet | undefined;
    let augmentedImages: tf.Tensor3D[] | undefined;
    try {
      if (v && heldOut) valSet = await this.buildValidationSet(heldOut, v, batchSize);
      const history: ValidationScores[] = [];
      let best: { scores: ValidationScores; snapshot: ParamSnapshot } | undefined;
      let sinceBest = 0;
      const sigma = (typeof options.calibrate === 'object' ? options.calibrate.sigma : undefined) ?? DEFAULT_SIGMA;
      const stateKeys = this.model.params.keys().filter((k) => !k.startsWith('feature_extractor.'));
      const every = v?.every ?? 1;
      const hook = valSet
        ? async (epoch: number) => {
            if (epoch % every !== 0) return;
            const scores = scoreValidation(await this.validationMaps(valSet!, sigma), valSet!.masks, epoch, v!.metric ?? 'mean');
            history.push(scores);
            if (!best || scores.score > best.scores.score) {
              best = { scores, snapshot: await snapshotParams(this.model.params, stateKeys) };
              sinceBest = 0;
            } else sinceBest++;
            const stop = v!.patience !== undefined && sinceBest >= v!.patience;
            return { stop, validation: { pixelAuroc: scores.pixelAuroc, aupro: scores.aupro, score: scores.score } };
          }
        : undefined;
      let result: DetectorFitResult;
      if (this.method === 'patchcore') {
        const t0 = Date.now();
        this.patchcore?.dispose();
        this.patchcore = await PatchCoreHead.fit(cache, this.config.patchcore!, this.model.backbone.scales.length, this.config.seed);
        result = { epochs: 0, steps: 0, epochLosses: [], seconds: (Date.now() - t0) / 1000 };
        await hook?.(0);
      } else {
        let source: FeatureSource = cachedFeatures(cache);
        if (fitOptions.augment.length > 0) {
          augmentedImages = await this.decodeAll(train, batchSize);
          source = augmentedFeatures(augmentedImages, augmentationTransforms(fitOptions.augment), (b) => this.model.backboneFeatures(b), this.config.seed);
        }
        result = await trainOnFeatures(this.model, source, options, this.config.seed, hook);
      }
      if (valSet && best) {
        const restore = v!.restoreBest !== false && best.scores.epoch !== result.epochs && this.method === 'danflow';
        if (restore) restoreParams(this.model.params, best.snapshot);
        result.validation = { history, best: best.scores, stoppedEarly: result.epochs < (options.epochs ?? 10), restored: restore };
      }
      this.training = { epochs: result.epochs, steps: result.steps, finalLoss: result.epochLosses.at(-1) ?? null, seconds: result.seconds };
      if (options.calibrate !== false) {
        const c = typeof options.calibrate === 'object' ? options.calibrate : {};
        const scores: number[] = [];
        for (const feats of cache) scores.push(...(await this.scoresFromFeatures(feats, sigma)));
        this.setCalibration(scores, sigma, c.quantile ?? DEFAULT_QUANTILE, 'train');
        // With painted defects available, the spec's rule applies: the F1-optimal pixel threshold.
        if (valSet && c.quantile === undefined) this.threshold = f1Threshold(await this.validationMaps(valSet, sigma), valSet.masks);
      }
      return result;
    } finally {
      tf.dispose(cache.flat());
      if (augmentedImages) tf.dispose(augmentedImages);
      valSet?.dispose();
    }
  }

  /** Images decoded and resized to input size, kept for per-epoch augmentation. */
  private async decodeAll(images: ImageInput[], batchSize: number): Promise<tf.Tensor3D[]> {
    const out: tf.Tensor3D[] = [];
    try {
      for (let i = 0; i < images.length; i += batchSize) {
        const { batch } = await this.prepare(images.slice(i, i + batchSize), i);
        out.push(...(tf.unstack(batch) as tf.Tensor3D[]));
        batch.dispose();
      }
      return out;
    } catch (e) {
      tf.dispose(out);
      throw e;
    }
  }

  /**
   * Score the detector on synthetic defects painted on the given normal images (the same
   * procedure fit's validation uses): pixel AUROC and AUPRO at input resolution.
   */
  async validate(normalImages: ImageInput[], options: Omit<ValidationOptions, 'images' | 'holdOut' | 'every' | 'patience' | 'restoreBest'> & { sigma?: number } = {}): Promise<ValidationScores> {
    this.check();
    if (normalImages.length === 0) throw new DanflowError('EMPTY_DATASET', 'validate() needs at least one normal image to paint defects on.');
    const set = await this.buildValidationSet(normalImages, options, 8);
    try {
      return scoreValidation(await this.validationMaps(set, options.sigma ?? DEFAULT_SIGMA), set.masks, this.training?.epochs ?? 0, options.metric ?? 'mean');
    } finally {
      set.dispose();
    }
  }

  private validationMaps(set: ValidationSet, sigma: number): Promise<ScoreMap[]> {
    return validationMaps((f) => this.rawMaps(f), this.config.inputSize, set, sigma);
  }

  /** Decode held-out normal images at input size, paint synthetic defects, cache their features. */
  private async buildValidationSet(images: ImageInput[], v: ValidationOptions, batchSize: number): Promise<ValidationSet> {
    const size = this.config.inputSize;
    const raws: RawImage[] = [];
    for (let i = 0; i < images.length; i++) {
      const t = await imageToTensor(images[i], `validation image ${i}`);
      const r = tf.tidy(() => tf.round(resizeForModel(t, size)));
      raws.push({ data: Uint8Array.from(await r.data()), width: size, height: size, channels: 3 });
      tf.dispose([t, r]);
    }
    const painted = paintValidationImages(raws, v.copies ?? 2, v.seed ?? this.config.seed, v.kinds);
    const features = await this.extractAll(painted.images, batchSize);
    return { features, masks: painted.masks, dispose: () => tf.dispose(features.flat()) };
  }

  private async scoresFromFeatures(features: tf.Tensor4D[], sigma: number): Promise<number[]> {
    const maxes = tf.tidy(() => tf.max(gaussianBlur(this.rawMaps(features), sigma), [1, 2]));
    const values = Array.from(await maxes.data());
    maxes.dispose();
    return values;
  }

  private setCalibration(scores: number[], sigma: number, quantile: number, source: ScoreStats['source']): void {
    const stats = scoreStats(scores, sigma, source);
    this.scoreStats = stats;
    const sorted = [...scores].sort((a, b) => a - b);
    const pos = (sorted.length - 1) * quantile;
    const lo = Math.floor(pos);
    this.threshold = sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (pos - lo);
  }

  /** Set the threshold from the scores of normal images (e.g. a held-out validation set). */
  async calibrate(normalImages: ImageInput[], options: CalibrateOptions = {}): Promise<ScoreStats> {
    this.check();
    if (normalImages.length === 0) throw new DanflowError('EMPTY_DATASET', 'calibrate() needs at least one normal image.');
    const sigma = options.sigma ?? DEFAULT_SIGMA;
    const results: LocalizeResult[] = await this.localize(normalImages, { sigma });
    this.setCalibration(results.map((r) => r.score), sigma, options.quantile ?? DEFAULT_QUANTILE, 'validation');
    return this.scoreStats!;
  }

  localize(images: ImageInput[], options?: LocalizeOptions): Promise<LocalizeResult[]>;
  localize(image: ImageInput, options?: LocalizeOptions): Promise<LocalizeResult>;
  async localize(input: ImageInput | ImageInput[], options: LocalizeOptions = {}): Promise<LocalizeResult | LocalizeResult[]> {
    this.check();
    const many = Array.isArray(input);
    const images = many ? input : [input];
    const sigma = options.sigma ?? DEFAULT_SIGMA;
    const threshold = options.threshold ?? this.threshold;
    if (threshold === undefined && !this.warnedNoThreshold) {
      this.warnedNoThreshold = true;
      log('warn', 'this detector has no threshold (not fitted or calibrated): masks are empty. Pass { threshold } or call calibrate().');
    }
    const batchSize = options.batchSize ?? 8;
    const out: LocalizeResult[] = [];
    for (let i = 0; i < images.length; i += batchSize) {
      const { batch, sizes } = await this.prepare(images.slice(i, i + batchSize), i);
      const maps = tf.tidy(() => gaussianBlur(this.rawMaps(this.model.backboneFeatures(batch)), sigma));
      batch.dispose();
      try {
        for (let j = 0; j < sizes.length; j++) out.push(await this.result(maps, j, sizes[j], threshold));
      } finally {
        maps.dispose();
      }
    }
    return many ? out : out[0];
  }

  private warnedNoThreshold = false;

  private async result(maps: tf.Tensor3D, j: number, [h, w]: [number, number], threshold: number | undefined): Promise<LocalizeResult> {
    const s = this.config.inputSize;
    const [native, full] = tf.tidy(() => {
      const m = tf.slice(maps, [j, 0, 0], [1, s, s]);
      const resized = h === s && w === s ? m : tf.image.resizeBilinear(tf.expandDims(m, 3) as tf.Tensor4D, [h, w], false, true);
      return [tf.max(m), tf.reshape(resized, [h * w])];
    });
    const score = (await native.data())[0];
    const data = (await full.data()) as Float32Array;
    tf.dispose([native, full]);
    const mask = new Uint8Array(h * w);
    if (threshold !== undefined) for (let k = 0; k < mask.length; k++) mask[k] = data[k] >= threshold ? 1 : 0;
    return {
      score,
      anomalyMap: { width: w, height: h, data },
      mask: { width: w, height: h, data: mask },
      isAnomalous: threshold !== undefined && score >= threshold,
      threshold,
    };
  }

  /** @internal Raw per-scale outputs for tests and tools: z and log-det of a batch. */
  forwardRaw(batch: tf.Tensor4D): { z: tf.Tensor4D; logdet: tf.Tensor1D }[] {
    return this.model.head(this.model.backboneFeatures(batch));
  }

  /** @internal */
  get internals(): DanflowModel {
    return this.model;
  }

  /** Serialise to the danflow model format (manifest + PyTorch-layout safetensors). */
  async serialize(options: { includeBackbone?: boolean } = {}): Promise<SavedModel> {
    this.check();
    const includeBackbone = options.includeBackbone ?? true;
    if (this.method === 'patchcore' && !this.patchcore) throw new DanflowError('BAD_ARGUMENT', 'Nothing to save yet: fit() this PatchCore detector first.');
    const bank = this.patchcore?.bank.bank;
    const extra = bank ? { [MEMORY_BANK_KEY]: { dtype: 'F32' as const, shape: bank.shape, data: (await bank.data()) as Float32Array } } : undefined;
    const weights = await exportStateDict(this.model, { includeBackbone, extra });
    const manifest: ModelManifest = {
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      sdkVersion: VERSION,
      createdAt: new Date().toISOString(),
      config: this.config,
      preprocessing: { ...this.model.backbone.preprocessing, inputSize: this.config.inputSize, resize: 'bilinear-half-pixel' },
      permutations: await this.model.permutationArrays(),
      threshold: this.threshold ?? null,
      scoreStats: this.scoreStats ?? null,
      training: this.training,
      weights: { file: WEIGHTS_FILE, format: 'safetensors', layout: 'pytorch-state-dict', byteLength: weights.length, sha256: await sha256Hex(weights), includesBackbone: includeBackbone },
    };
    return { manifest, weights };
  }

  /**
   * Save everything needed to reproduce this detector. Node: a directory path (or `x.danflow` for
   * one file); browser: `indexeddb://name` or `downloads://name`. Never leaves a half-written model.
   */
  async save(target: SaveTarget, options: { includeBackbone?: boolean } = {}): Promise<void> {
    await writeModel(target, await this.serialize(options));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.patchcore?.dispose();
    this.model.dispose();
  }

  /** @internal */
  attachPatchCore(head: PatchCoreHead): void {
    this.patchcore = head;
  }

  /** @internal */
  restoreMeta(manifest: ModelManifest): void {
    this.threshold = manifest.threshold ?? undefined;
    this.scoreStats = manifest.scoreStats ?? undefined;
    this.training = manifest.training;
  }
}

/** Backbone weights for a config: seeded random, a safetensors checkpoint or a TF.js model (hub/URL/path/bytes). */
async function backboneSource(config: DetectorConfig, weights: DetectorOptions['weights'], onProgress?: ProgressCallback): Promise<TensorSource> {
  if (weights === undefined && config.weights === 'random') return () => undefined;
  const { loadBackboneSource } = await import('./backbones/weights.js');
  return loadBackboneSource(config, weights, { onProgress });
}

export interface CreateDetectorOptions extends DetectorOptions {
  onProgress?: ProgressCallback;
}

/** Build a new, untrained detector. */
export async function createDetector(options: CreateDetectorOptions = {}): Promise<Detector> {
  const config = resolveConfig(options);
  validateConfig(config);
  const backend = await useBackend(options.backend ?? 'auto');
  const source = await backboneSource(config, options.weights, options.onProgress);
  return Detector.create(config, backend, source);
}

export interface LoadDetectorOptions {
  backend?: BackendRequest;
  /** 'danflow' (default): a model saved by detector.save(). 'pytorch': a reference state_dict in safetensors. */
  from?: 'danflow' | 'pytorch';
  /** Required with from: 'pytorch' — the settings the reference model was trained with. */
  config?: DetectorOptions;
  /** Backbone weights when the saved model does not include them. */
  weights?: DetectorOptions['weights'];
  onProgress?: ProgressCallback;
}

/** Load a saved detector, or import a PyTorch reference checkpoint with `from: 'pytorch'`. */
export async function loadDetector(source: LoadSource, options: LoadDetectorOptions = {}): Promise<Detector> {
  if (options.from === 'pytorch') {
    if (!options.config) throw new DanflowError('BAD_ARGUMENT', "loadDetector(…, { from: 'pytorch' }) needs `config` with the reference's settings, e.g. { backbone: 'resnet18', inputSize: 256, flowSteps: 3, numDw: 3, doubleSubnets: true, attention: 'eca' }.");
    const config = resolveConfig({ ...options.config, weights: 'checkpoint' });
    validateConfig(config);
    const backend = await useBackend(options.backend ?? 'auto');
    const bytes = await loadWeightBytes(source, { onProgress: options.onProgress });
    return fromStateDict(config, backend, bytes, 'the PyTorch checkpoint', false);
  }
  const saved = await readModel(source);
  const backend = await useBackend(options.backend ?? 'auto');
  const config = saved.manifest.config;
  validateConfig(config);
  let backboneFallback: TensorSource | undefined;
  if (!saved.manifest.weights.includesBackbone) backboneFallback = await backboneSource(config, options.weights ?? config.weights, options.onProgress);
  const det = await fromStateDict(config, backend, saved.weights, typeof source === 'string' ? source : 'the model', !saved.manifest.weights.includesBackbone, backboneFallback);
  det.restoreMeta(saved.manifest);
  return det;
}

async function fromStateDict(config: DetectorConfig, backend: BackendName, bytes: Uint8Array, what: string, skipBackbone: boolean, backboneFallback?: TensorSource): Promise<Detector> {
  // A throwaway spec listing (no tensors) tells the reader what to expect.
  const probe = DanflowModel.describe(config);
  const contents = readStateDict(bytes, probe.specs, probe.flows, { skipBackbone, what });
  const source: TensorSource = (spec) => contents.source(spec) ?? backboneFallback?.(spec);
  const det = await Detector.create(config, backend, source, contents.permutations);
  if (config.method === 'patchcore') {
    const file = readSafetensors(bytes);
    if (!file.has(MEMORY_BANK_KEY)) {
      det.dispose();
      throw new DanflowError('WEIGHTS_MISMATCH', `${what} is a PatchCore model without "${MEMORY_BANK_KEY}"; it was saved before fitting or is corrupt.`);
    }
    const t = file.get(MEMORY_BANK_KEY);
    det.attachPatchCore(new PatchCoreHead(new MemoryBank(tf.tensor2d(t.data, t.shape as [number, number])), patchScales(config.patchcore!, det.internals.backbone.scales.length)));
  }
  return det;
}
