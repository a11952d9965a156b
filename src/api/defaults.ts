/**
 * Every default of the public API in one place: the library applies them, the CLI prints and
 * applies the same ones, and the README's tables quote them.
 */
import { REFERENCE_SIGMA } from '../methods/config.js';
import { PATCHCORE_DEFAULTS } from '../methods/patchcore/config.js';

export const DEFAULTS = {
  /** createDetector */
  detector: {
    method: 'danflow',
    backbone: 'resnet18',
    weights: 'random',
    flowSteps: 3,
    numDw: 3,
    doubleSubnets: true,
    attention: 'eca',
    seed: 0,
    backend: 'auto',
    /** What runs localize: onnxruntime when its package is installed, else tfjs (training is always tfjs). */
    engine: 'auto',
    imageScore: 'auto',
    /** Map smoothing: chosen by fit's synthetic validation among validation.sigmas, else localize.sigma. */
    sigma: 'auto',
  },
  /** createDetector({ method: 'patchcore', patchcore }) */
  patchcore: PATCHCORE_DEFAULTS,
  /** fit: the reference trains 200 epochs at batch 32; these fit on CPU/wasm memory and time. */
  fit: {
    epochs: 10,
    batchSize: 8,
    learningRate: 1e-3,
    weightDecay: 1e-5,
    shuffle: true,
    learningRateSchedule: 'constant',
    warmupEpochs: 0,
    featureNoise: 0,
  },
  /** fit({ validation }) and validate() */
  validation: {
    holdOut: 0.15,
    minHoldOut: 2,
    every: 1,
    metric: 'mean',
    copies: 2,
    restoreBest: true,
    /** Smoothing candidates (σ in input pixels) when the detector's sigma is 'auto'. */
    sigmas: [0, 2, 4, 6, 8, 12, 16],
  },
  /** localize and the score statistics: Gaussian smoothing as anomalib's (σ 4 input pixels) unless the model stores its own. */
  localize: {
    sigma: REFERENCE_SIGMA,
    batchSize: 8,
  },
  /** Thresholds from normal scores: their 0.99 quantile. */
  calibration: {
    quantile: 0.99,
  },
} as const;
