import type { BackendName } from '../backend/names.js';
import type { EngineName } from '../engine/names.js';
import type { ScoreStats } from '../fitting/calibration.js';
import type { ValidationOptions, ValidationScores } from '../fitting/validation.js';
import type { ImageInput } from '../image/input.js';
import type { SaveTarget } from '../io/model-store.js';
import type { DetectionMethod, DetectorConfig } from '../methods/config.js';
import type { CalibrateOptions, DetectorFitOptions, DetectorFitResult, LocalizeOptions, LocalizeResult } from './options.js';

/**
 * An anomaly detector: fit it on normal images, then localise anomalies in new ones. Created by
 * `createDetector` or `loadDetector`. It owns GPU/wasm memory: call `dispose()` when done.
 */
export interface Detector {
  /** The backend the detector's tensors live on. */
  readonly backend: BackendName;
  /** What runs localize: 'onnxruntime' (the exported graph in ONNX Runtime) or 'tfjs'. Training always runs on tfjs. */
  readonly engine: EngineName;
  /** The fully resolved settings (what `save` stores). */
  readonly config: DetectorConfig;
  readonly method: DetectionMethod;
  /** Trainable parameters (flows + per-scale LayerNorms), the paper's "A.d Params"; 0 for PatchCore. */
  readonly trainableParameters: number;
  /** Decision threshold on image scores (`isAnomalous`); set by fit (calibration), calibrate(), or by hand. */
  threshold: number | undefined;
  /** Threshold on map values for the masks; set with `threshold`. */
  pixelThreshold: number | undefined;
  /** Statistics of normal images' scores, from the last calibration. */
  readonly scoreStats: ScoreStats | undefined;
  /**
   * The map smoothing (Gaussian σ, input pixels) localize, calibrate and export use unless told
   * otherwise: `config.sigma`, which fit's synthetic validation picks when it is 'auto'; 4 before that.
   */
  readonly sigma: number;

  /** Trains on normal images (the flow) or builds the memory bank (PatchCore), then calibrates. */
  fit(images: ImageInput[], options?: DetectorFitOptions): Promise<DetectorFitResult>;

  /** Anomaly map, score and mask of one image, or of each image of an array (batched internally). */
  localize(images: ImageInput[], options?: LocalizeOptions): Promise<LocalizeResult[]>;
  localize(image: ImageInput, options?: LocalizeOptions): Promise<LocalizeResult>;

  /** Sets the threshold from the scores of normal images (e.g. a held-out validation set). */
  calibrate(normalImages: ImageInput[], options?: CalibrateOptions): Promise<ScoreStats>;

  /**
   * Scores the detector on synthetic defects painted on the given normal images (the procedure
   * fit's validation uses): pixel AUROC and AUPRO at input resolution.
   */
  validate(normalImages: ImageInput[], options?: Pick<ValidationOptions, 'copies' | 'kinds' | 'seed' | 'metric'> & { sigma?: number }): Promise<ValidationScores>;

  /**
   * Saves everything needed to reproduce this detector. Node: a directory path (or `x.danflow` for
   * one file); browser: `indexeddb://name` or `downloads://name`. Never leaves a half-written model.
   */
  save(target: SaveTarget, options?: { includeBackbone?: boolean }): Promise<void>;

  /**
   * The network as an ONNX model (IR 8, opset 17; README "ONNX export"): input `image` float32
   * [N, 3, S, S], RGB in [0, 1]; outputs `anomaly_map` [N, 1, S, S] (= localize with sigma 0, at
   * input size) and `score` [N] (the image score under the detector's rule at the default sigma).
   * Thresholds, config, SDK version, score rule and sigma are in the metadata. Returns the bytes;
   * in Node, also writes them to `path` when given.
   */
  exportOnnx(path?: string): Promise<Uint8Array>;

  dispose(): void;
}
