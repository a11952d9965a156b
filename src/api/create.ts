import type { BackendRequest } from '../backend/names.js';
import type { EngineRequest } from '../engine/names.js';
import { useBackend } from '../backend/registry.js';
import { BACKBONE_PREFIX } from '../backbones/types.js';
import { DanflowError } from '../core/errors.js';
import type { ProgressCallback } from '../core/progress.js';
import type { LoadSource } from '../io/model-store.js';
import type { DetectorConfig } from '../methods/config.js';
import { describeModel, Model } from '../methods/model.js';
import { loadFastKernels } from '../nn/fast-kernels.js';
import type { TensorSource } from '../nn/param-spec.js';
import { resolveConfig, type DetectorOptions } from './config.js';
import type { Detector } from './detector.js';
import { DetectorImpl } from './detector-impl.js';
import { DEFAULTS } from './defaults.js';
import { asDetectorManifest } from './manifest.js';
import { validateConfig } from './validate-config.js';

export interface CreateDetectorOptions extends DetectorOptions {
  onProgress?: ProgressCallback;
}

export interface LoadDetectorOptions {
  backend?: BackendRequest;
  /** What runs localize; see DetectorOptions.engine. Default 'auto'. */
  engine?: EngineRequest;
  /** 'danflow' (default): a model saved by detector.save(). 'pytorch': a reference state_dict in safetensors. */
  from?: 'danflow' | 'pytorch';
  /** Required with from: 'pytorch' — the settings the reference model was trained with. */
  config?: DetectorOptions;
  /** Backbone weights when the saved model does not include them. */
  weights?: DetectorOptions['weights'];
  onProgress?: ProgressCallback;
}

/** The engine for a request; the selection code (and onnxruntime's loader) loads on first use. */
async function resolveEngine(request: EngineRequest) {
  const { resolveEngine: resolve } = await import('../engine/select.js');
  return resolve(request);
}

/** Backbone weights for a config: seeded random, a safetensors checkpoint or a TF.js model (hub/URL/path/bytes). */
async function backboneSource(config: DetectorConfig, weights: DetectorOptions['weights'], onProgress?: ProgressCallback): Promise<TensorSource> {
  if (weights === undefined && config.weights === 'random') return () => undefined;
  // Loaded on demand: apps on random or saved weights never ship the checkpoint readers.
  const { loadBackboneSource } = await import('../backbones/weights.js');
  return loadBackboneSource(config, weights, { onProgress });
}

/**
 * The backend and engine a detector runs on. danflow's own kernels (nn/kernels) are registered
 * here too, so that inference on wasm and cpu gets them (the channel permutation) as well as fit.
 */
async function selectRuntime(options: { backend?: BackendRequest; engine?: EngineRequest }) {
  const [backend] = await Promise.all([useBackend(options.backend ?? DEFAULTS.detector.backend), loadFastKernels()]);
  const requested = options.engine ?? DEFAULTS.detector.engine;
  return { backend, engine: await resolveEngine(requested), requested };
}

/** Builds a new, untrained detector. */
export async function createDetector(options: CreateDetectorOptions = {}): Promise<Detector> {
  const config = resolveConfig(options);
  validateConfig(config);
  const runtime = await selectRuntime(options);
  const source = await backboneSource(config, options.weights, options.onProgress);
  return new DetectorImpl(new Model(config, source), runtime);
}

/** A detector from a state_dict in the reference's layout (a danflow weights file or a PyTorch checkpoint). */
async function fromStateDict(config: DetectorConfig, bytes: Uint8Array, what: string, backboneFallback?: TensorSource): Promise<Model> {
  const { readStateDict } = await import('../io/state-dict.js');
  const specs = describeModel(config);
  const stateDict = readStateDict(bytes, specs, { skipPrefix: backboneFallback ? BACKBONE_PREFIX : undefined, what });
  const source: TensorSource = (spec) => stateDict.source(spec) ?? backboneFallback?.(spec);
  return new Model(config, source, stateDict);
}

/** Loads a saved detector, or imports a PyTorch reference checkpoint with `from: 'pytorch'`. The file readers are loaded on first use. */
export async function loadDetector(source: LoadSource, options: LoadDetectorOptions = {}): Promise<Detector> {
  if (options.from === 'pytorch') {
    if (!options.config) throw new DanflowError('BAD_ARGUMENT', "loadDetector(…, { from: 'pytorch' }) needs `config` with the reference's settings, e.g. { backbone: 'resnet18', inputSize: 256, flowSteps: 3, numDw: 3, doubleSubnets: true, attention: 'eca' }.");
    const config = resolveConfig({ ...options.config, weights: 'checkpoint' });
    validateConfig(config);
    const runtime = await selectRuntime(options);
    const { loadWeightBytes } = await import('../io/load-bytes.js');
    const bytes = await loadWeightBytes(source, { onProgress: options.onProgress });
    return new DetectorImpl(await fromStateDict(config, bytes, 'the PyTorch checkpoint'), runtime);
  }
  const { readModel } = await import('../io/model-store.js');
  const saved = await readModel(source);
  const where = typeof source === 'string' ? source : 'the model';
  const manifest = asDetectorManifest(saved.manifest, where);
  const runtime = await selectRuntime(options);
  const config = manifest.config;
  validateConfig(config);
  const fallback = manifest.weights.includesBackbone ? undefined : await backboneSource(config, options.weights ?? config.weights, options.onProgress);
  return new DetectorImpl(await fromStateDict(config, saved.weights, where, fallback), runtime, manifest);
}
