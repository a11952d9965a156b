/**
 * danflow's public surface: create or load a Detector, fit it on normal images, localise
 * anomalies. Everything else in src/ is internal and may change between versions.
 */
export { createDetector, loadDetector } from './api/create.js';
export type { CreateDetectorOptions, LoadDetectorOptions } from './api/create.js';
export type { Detector } from './api/detector.js';
export type { DetectorConfig, DetectorOptions } from './api/config.js';
export type {
  CalibrateOptions,
  DetectorFitOptions,
  DetectorFitResult,
  FitOptions,
  LearningRateSchedule,
  LocalizeOptions,
  LocalizeResult,
  ValidationScores,
} from './api/options.js';
export type { DetectorManifest } from './api/manifest.js';
export { DEFAULTS } from './api/defaults.js';
export { CHOICES } from './api/choices.js';
export type { ValidationMetric, ValidationOptions } from './fitting/validation.js';
export type { Augmentation } from './fitting/augment.js';
export type { ScoreStats } from './fitting/calibration.js';
export type { DetectionMethod } from './methods/config.js';
export type { ImageScoreRule } from './methods/image-score.js';
export type { Attention, FlowConfig } from './methods/danflow/config.js';
export type { PatchCoreConfig } from './methods/patchcore/config.js';
export { PRETRAINED_WEIGHTS } from './backbones/config.js';
export type { BackboneChoice, BuiltinBackbone, TfjsBackboneConfig, TfjsPreprocess, WeightsSpec } from './backbones/config.js';
export { MOBILENETV2_BOTTLENECK_LAYERS, MOBILENETV2_PRESET_LAYERS } from './backbones/mobilenetv2.js';
export { registerBackendCandidate, useBackend } from './backend/registry.js';
export type { BackendCandidate } from './backend/candidates.js';
export type { BackendName, BackendRequest } from './backend/names.js';
export type { EngineName, EngineRequest } from './engine/names.js';
export type { ImageInput } from './image/input.js';
export { DanflowError, isDanflowError } from './core/errors.js';
export type { DanflowErrorCode } from './core/errors.js';
export { env } from './core/env.js';
export type { DanflowEnv } from './core/env.js';
export type { ProgressCallback, ProgressEvent } from './core/progress.js';
export type { BinaryMask, RawImage, ScoreMap } from './core/types.js';
export { VERSION } from './core/version.js';
export * as metrics from './metrics/index.js';
export * as visualize from './visualize/index.js';
export * as synthetic from './synthetic/index.js';
export { describeConfig } from './api/describe.js';
