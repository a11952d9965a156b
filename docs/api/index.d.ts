/// <reference types="long" />
import { R as RawImage, S as ScoreMap, B as BinaryMask } from './types.js';
import * as tf from '@tensorflow/tfjs-core';

type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu' | 'tensorflow';
type BackendRequest = BackendName | 'auto';

/** Which implementation runs localize: tfjs (the model's own ops) or ONNX Runtime (the exported graph). */
type EngineName = 'tfjs' | 'onnxruntime';
/** 'auto': onnxruntime when its package loads here, else tfjs. */
type EngineRequest = 'auto' | EngineName;

/**
 * Typed progress events shared by every long-running call (downloads, fitting, evaluation), so one
 * `onProgress` handler can drive a progress bar for all of them.
 */
type ProgressEvent = {
    type: 'download';
    url: string;
    loaded: number;
    total: number | undefined;
    cached: boolean;
} | {
    type: 'features';
    done: number;
    total: number;
} | {
    type: 'step';
    epoch: number;
    epochs: number;
    step: number;
    steps: number;
    loss: number;
} | {
    type: 'epoch';
    epoch: number;
    epochs: number;
    loss: number;
    seconds: number;
    validation?: Record<string, number>;
} | {
    type: 'eval';
    done: number;
    total: number;
} | {
    type: 'stage';
    name: string;
    message: string;
};
type ProgressCallback = (event: ProgressEvent) => void;

declare const MODEL_FORMAT = "danflow-model";
/**
 * The container half of a saved model's manifest: what the stores and the integrity checks need.
 * The API layer adds the detector's own fields (config, thresholds, …) to the same JSON object.
 */
interface ModelManifest {
    format: typeof MODEL_FORMAT;
    formatVersion: number;
    sdkVersion: string;
    createdAt: string;
    weights: {
        file: string;
        format: 'safetensors';
        layout: 'pytorch-state-dict';
        byteLength: number;
        sha256: string;
        includesBackbone: boolean;
    };
}

/** Where a model can be saved: a Node path, `indexeddb://name` or `downloads://name` in browsers. */
type SaveTarget = string;
/** Where a model can be loaded from: the above, an http(s) URL, or the packed bytes. */
type LoadSource = string | Uint8Array | ArrayBuffer;

/**
 * Built-in feature extractors (spec §2). Reference configs (recommendations, not defaults):
 * ResNets: input 256, flowSteps 3, numDw 3; `deit_base_distilled_patch16_384`: input 384,
 * flowSteps 2, numDw 1. `mobilenetv2` is a preset for Keras MobileNetV2 α = 0.35 models in
 * TF.js layers format (model.json + weights.bin, e.g. Teachable Machine exports) whose weights
 * the user supplies; features `block_3_expand_relu`, `block_6_expand_relu`, `block_13_expand_relu`.
 */
type BuiltinBackbone = 'resnet18' | 'wide_resnet50_2' | 'deit_base_distilled_patch16_384' | 'cait_m48_448' | 'mobilenetv2';
/** How raw RGB is scaled for a custom TF.js backbone: 'tf' is x/127.5 − 1 (Keras MobileNet), 'imagenet' is (x/255 − mean)/std. */
type TfjsPreprocess = 'tf' | 'imagenet';
/**
 * A custom backbone read from a TF.js layers model (model.json + weight shards) with named
 * intermediate outputs. At present the topology must be a Keras MobileNetV2 (any width `alpha`);
 * `layers` name its activations, e.g. `['block_3_expand_relu', 'block_6_expand_relu', 'block_13_expand_relu']`.
 * Other architectures are rejected with the error code 'UNSUPPORTED'.
 */
interface TfjsBackboneConfig {
    type: 'tfjs';
    /** model.json: local path (or its directory), URL or `hf:` id. Used as the weights unless `weights` is given. */
    model: string;
    /** Output layer names, one feature scale each, in increasing stride order. */
    layers: string[];
    /** Default input size for this backbone (the detector's `inputSize` wins). Default 224. */
    inputSize?: number;
    /** Default 'tf'. */
    preprocess?: TfjsPreprocess;
    /** MobileNetV2 width multiplier. Default 0.35. */
    alpha?: number;
}
type BackboneChoice = BuiltinBackbone | TfjsBackboneConfig;
/**
 * Where backbone weights come from: 'random' (seeded, offline), 'pretrained' (the backbone's
 * default checkpoint, see PRETRAINED_WEIGHTS), a Hugging Face id `hf:timm/…`, a URL, a local path,
 * or the bytes. For `mobilenetv2` / `{ type: 'tfjs' }`: the model.json (shards are read from beside it).
 */
type WeightsSpec = 'random' | 'pretrained' | (string & {}) | Uint8Array;
/**
 * Pretrained checkpoints `weights: 'pretrained'` resolves to (Hugging Face, safetensors), with their
 * download size (float32: 4 bytes per parameter). The MobileNetV2 preset has none: its weights are
 * a TF.js model the user supplies.
 */
declare const PRETRAINED_WEIGHTS: Readonly<Partial<Record<BuiltinBackbone, {
    id: string;
    megabytes: number;
}>>>;

type Attention = 'none' | 'eca' | 'gcnet';
interface FlowConfig {
    /** Coupling steps per scale (reference: 3 for resnet18, 2 for deit). */
    flowSteps: number;
    /** Depthwise conv repetitions inside each EIRB subnet (reference: 3 for resnet18, 1 for deit). */
    numDw: number;
    /** Two subnets per step (the paper's setting) or FastFlow's single subnet. */
    doubleSubnets: boolean;
    attention: Attention;
    /**
     * Kernel of the EIRB depthwise convs: 3 (the paper's, default) or 1, which makes every flow step
     * act on each feature position alone (no spatial context). 1 localised small defects better on
     * MobileNetV2 features (README, "Recipe"). Absent in models saved before it existed: means 3.
     */
    dwKernel?: 1 | 3;
}

interface PatchCoreConfig {
    /** Fraction of normal patches kept in the memory bank. Default 0.1. */
    coresetRatio: number;
    /** Feature scales (indices into the backbone's maps) pooled into patch features. Default: all but the first. */
    scales: number[];
}

/**
 * How a whole image gets one anomaly score from its map (the OK/NG decision compares it with the
 * detector's threshold):
 * - `max`: the maximum of the smoothed map — the reference's rule;
 * - `top`: the mean of the `fraction` highest pixels of the smoothed map (robust to a single hot pixel);
 * - `mean`: the mean of the smoothed map (large, diffuse anomalies);
 * - `likelihood`: the flow's negative log-likelihood per feature dimension, averaged over scales
 *   (flows only: how unlikely the whole image's features are, not just its worst spot).
 */
type ImageScoreRule = {
    rule: 'max';
} | {
    rule: 'top';
    fraction: number;
} | {
    rule: 'mean';
} | {
    rule: 'likelihood';
};
/**
 * 'danflow' (default): the normalizing flow. 'patchcore': a compact PatchCore-style detector —
 * nearest-neighbour distance of each locally pooled patch feature to a memory bank of normal
 * patches (random coreset); no training epochs, often the stronger choice for small datasets.
 */
type DetectionMethod = 'danflow' | 'patchcore';
/**
 * Fully resolved settings of a detector's network: what the saved model stores and what
 * reproduces it. The flow settings are stored for every method (they are the defaults a later
 * switch to the flow would use), as models have always been saved.
 */
interface DetectorConfig extends FlowConfig {
    /** Absent in models saved before methods existed: means 'danflow'. */
    method?: DetectionMethod;
    patchcore?: PatchCoreConfig;
    backbone: BackboneChoice;
    weights: string;
    inputSize: number;
    seed: number;
    /**
     * How an image's score is computed from its map (see ImageScoreRule). 'auto': fit picks the rule
     * by synthetic validation (the reference's max without validation) and stores it here. Absent in
     * models saved before it existed: means max.
     */
    imageScore?: ImageScoreRule | 'auto';
    /**
     * Gaussian smoothing of the maps (σ in input pixels) that localize, scores and thresholds use by
     * default. 'auto': fit picks it by synthetic validation (4, anomalib's, without validation) and
     * stores it here. Absent in models saved before it existed: means 4.
     */
    sigma?: number | 'auto';
}

/** How raw 0..255 RGB is normalised before the backbone. */
interface Preprocessing {
    mean: [number, number, number];
    std: [number, number, number];
}

interface TrainResult {
    /** Epochs run (0 for methods without epochs). */
    epochs: number;
    steps: number;
    /** Mean loss of each epoch (empty for methods without a loss). */
    epochLosses: number[];
    seconds: number;
}

/** What createDetector accepts; every field has a default (DEFAULTS.detector). */
interface DetectorOptions extends Partial<FlowConfig> {
    method?: DetectionMethod;
    patchcore?: Partial<PatchCoreConfig>;
    backbone?: BackboneChoice;
    /**
     * 'random' (seeded, offline), 'pretrained' (the backbone's default checkpoint, downloaded once
     * and cached), a Hugging Face id `hf:timm/…`, a URL, a local path, or bytes. For `mobilenetv2` /
     * `{ type: 'tfjs' }`: the model.json (its weight shards are read from beside it).
     */
    weights?: WeightsSpec;
    /** Square side the image is resized to before the backbone. Default per backbone: 256 ResNets, 384 DeiT, 448 CaiT, 224 MobileNetV2. */
    inputSize?: number;
    backend?: BackendRequest;
    /**
     * What runs localize (and so calibrate, eval, the CLI and the report): 'auto' (default) uses ONNX
     * Runtime when its package is installed (onnxruntime-node in Node; onnxruntime-web in browsers,
     * given through env.onnxruntime), else tfjs; 'onnxruntime' insists (an ENGINE_UNAVAILABLE error
     * names the install command). Training always runs on tfjs.
     */
    engine?: EngineRequest;
    /** Seed for random backbone weights, flow initialisation, permutations and shuffling. */
    seed?: number;
    /**
     * How an image's score is computed from its map: 'auto' (default: chosen by fit's synthetic
     * validation among max, top 1 %, top 5 %, mean and — for flows — likelihood; max without
     * validation), 'max' (the reference), 'mean', 'likelihood', or `{ rule: 'top', fraction }`.
     */
    imageScore?: 'auto' | 'max' | 'mean' | 'likelihood' | ImageScoreRule;
    /**
     * Gaussian smoothing of the maps, σ in input pixels, that localize (and so scores, thresholds,
     * eval, export) uses unless a call says otherwise: 'auto' (default: chosen by fit's synthetic
     * validation among `validation.sigmas`; 4, anomalib's, without validation) or a number ≥ 0.
     */
    sigma?: number | 'auto';
}

/** Statistics of image scores on normal images, stored with the model to derive thresholds. */
interface ScoreStats {
    count: number;
    mean: number;
    std: number;
    min: number;
    max: number;
    /** Quantiles keyed by probability, e.g. { "0.5": …, "0.99": … }. */
    quantiles: Record<string, number>;
    /** The smoothing sigma the scores were computed with (thresholds only transfer at the same sigma). */
    sigma: number;
    source: 'train' | 'validation';
}

/**
 * Everything `fit` and `localize` accept as an image. In Node: file paths and encoded bytes
 * (PNG/JPEG/BMP/…). In browsers: ImageData, ImageBitmap, <img>, <canvas>, OffscreenCanvas, Blob.
 */
type ImageInput = RawImage | tf.Tensor3D | string | Uint8Array | ArrayBuffer | {
    data: Uint8ClampedArray;
    width: number;
    height: number;
} | Blob | object;

/**
 * Model selection without labelled defects: held-out normal images get synthetic defects painted
 * on them (exact masks), and the model is scored on how well its maps find those defects. The
 * reference picks epochs by test labels, which a user cannot do; validation loss alone is a poor
 * signal for localisation (a lower loss can give worse maps).
 */
type ValidationMetric = 'pixelAuroc' | 'aupro' | 'mean';
interface ValidationOptions {
    /** Held-out normal images. Default: hold out `holdOut` of the training images. */
    images?: ImageInput[];
    /** Fraction of the training images held out when `images` is not given. Default 0.15 (at least 2). */
    holdOut?: number;
    /** Evaluate every N epochs. Default 1. */
    every?: number;
    /** Stop after this many evaluations without improvement. Default: never stop early. */
    patience?: number;
    /** What "best" means. Default 'mean' (of pixel AUROC and AUPRO). */
    metric?: ValidationMetric;
    /** Synthetic anomalous copies painted per held-out image. Default 2. */
    copies?: number;
    /** Defect kinds to paint (see `synthetic.DEFECT_KINDS`). Default: all. */
    kinds?: string[];
    /** Restore the best evaluated weights at the end. Default true. */
    restoreBest?: boolean;
    /** Seed of the painted defects. Default: the detector's seed. */
    seed?: number;
    /**
     * Map smoothings (σ, input pixels) to choose from after training when the detector's `sigma` is
     * 'auto': the one whose maps score best on the painted defects. Default [0, 2, 4, 6, 8, 12, 16].
     */
    sigmas?: readonly number[];
}
interface ValidationScores {
    epoch: number;
    pixelAuroc: number;
    aupro: number;
    /** The value the metric option selects. */
    score: number;
}
/** A smoothing candidate's scores on the painted defects. */
type SigmaScores = ValidationScores & {
    sigma: number;
};

/**
 * Training-time image augmentations (the reference's augmented-MVTec recipe): horizontal and
 * vertical flips and 90° rotations. They suit objects and textures without a canonical
 * orientation (tiles, treads, carpets); leave them off for parts with a fixed pose (screws on a
 * fixture, transistors), where a flipped normal image is itself an anomaly.
 */
type Augmentation = 'hflip' | 'vflip' | 'rot90';

interface FitResult extends TrainResult {
    validation?: {
        history: ValidationScores[];
        best: ValidationScores;
        stoppedEarly: boolean;
        restored: boolean;
        /** Image AUROC of each image-score rule on the painted validation set (when `imageScore` was 'auto'). */
        imageScores?: {
            rule: ImageScoreRule;
            imageAuroc: number;
        }[];
        /** The painted-defect scores of each map smoothing (when the detector's `sigma` was 'auto'). */
        sigmas?: SigmaScores[];
    };
}

type LearningRateSchedule = 'constant' | 'cosine';
interface FitOptions {
    /** Passes over the training images. Default 10 (the reference trains 200). */
    epochs?: number;
    /** Default 8 (the reference uses 32; smaller batches keep memory low on CPU/wasm). */
    batchSize?: number;
    /** Adam learning rate. Default 1e-3. */
    learningRate?: number;
    /** L2 penalty added to the gradient, as PyTorch Adam's weight_decay. Default 1e-5. */
    weightDecay?: number;
    onProgress?: ProgressCallback;
    /** Aborting stops after the current step with an ABORTED error; the weights trained so far stay. */
    signal?: AbortSignal;
    /** Shuffle each epoch (seeded by the detector's seed). Default true. */
    shuffle?: boolean;
    /**
     * 'constant' (the reference) or 'cosine': the rate decays as lr·½(1 + cos(π·t/T)) over the T
     * steps of all epochs, after `warmupEpochs` of linear warm-up.
     */
    learningRateSchedule?: LearningRateSchedule;
    /** Epochs of linear learning-rate warm-up (cosine schedule only). Default 0. */
    warmupEpochs?: number;
    /**
     * Standard deviation of Gaussian noise added to the normalised features during training only.
     * A small amount (0.3–0.5) keeps the flow from collapsing onto low-dimensional feature sets,
     * e.g. MobileNetV2's ReLU outputs that are exactly 0. Default 0 (the reference).
     */
    featureNoise?: number;
    /**
     * Random flips / 90° rotations of the training images, a new pick per image and epoch (the
     * backbone then runs every epoch instead of once). Default none (the reference).
     */
    augment?: Augmentation[];
}
interface CalibrateOptions {
    /** Quantile of the normal images' scores used as threshold. Default 0.99. */
    quantile?: number;
    /** Smoothing of the maps the scores come from. Default: the detector's (`detector.sigma`). */
    sigma?: number;
    onProgress?: ProgressCallback;
}
interface DetectorFitOptions extends FitOptions {
    /** Derive the threshold from the training images' scores after fitting. Default true. */
    calibrate?: boolean | CalibrateOptions;
    /**
     * Synthetic-anomaly validation: hold out normal images, paint defects with exact masks on them,
     * evaluate pixel AUROC / AUPRO every N epochs, keep (and restore) the best weights, stop early
     * on patience, and set the threshold to the F1-optimal one on those defects. Off by default
     * (the reference's loss-only training).
     */
    validation?: boolean | ValidationOptions;
}
type DetectorFitResult = FitResult;

interface LocalizeOptions {
    /**
     * Gaussian smoothing of the map in input-size pixels. Default: the detector's (`detector.sigma`:
     * chosen by fit's synthetic validation, else 4); 0 returns the reference's raw map.
     */
    sigma?: number;
    /** An image is anomalous when its score ≥ threshold. Default: the detector's threshold. */
    threshold?: number;
    /** Mask pixels are those with map value ≥ pixelThreshold. Default: the detector's pixel threshold. */
    pixelThreshold?: number;
    /** Images per forward pass when an array is given. Default 8. */
    batchSize?: number;
}
interface LocalizeResult {
    /**
     * Image anomaly score under the detector's rule (`config.imageScore`; the reference's is the
     * maximum of the smoothed map at the input resolution). Its scale depends on the method and the
     * rule: DANFlow maps are −exp(−½·mean z²), so map-based flow scores lie in [−1, 0] (closer to 0 =
     * less likely under the normal data); the flow's likelihood rule gives a negative log-likelihood
     * per dimension; PatchCore's are nearest-neighbour feature distances (≥ 0, often 5–30). Compare
     * scores of one model only, or use `normalizedScore`.
     */
    score: number;
    /** The hottest pixel of the smoothed map at the input resolution (= score under the max rule). */
    maxPixel: number;
    /**
     * The score on a 0…1 scale where 0.5 is the detector's threshold: (score − threshold) /
     * (max − min of the normal training scores) + 0.5, clipped (anomalib's normalisation).
     * Undefined without a calibrated threshold, or when `sigma` differs from the calibration's.
     */
    normalizedScore: number | undefined;
    /** Per-pixel anomaly map at the original image size; higher is more anomalous. */
    anomalyMap: ScoreMap;
    /** 1 where anomalyMap ≥ pixelThreshold (all 0 when the detector has none). */
    mask: BinaryMask;
    /** score ≥ threshold: the OK/NG decision. */
    isAnomalous: boolean;
    /** The score threshold used, or undefined when neither the call nor the detector had one. */
    threshold: number | undefined;
    /** The map threshold the mask used. */
    pixelThreshold: number | undefined;
}

/**
 * An anomaly detector: fit it on normal images, then localise anomalies in new ones. Created by
 * `createDetector` or `loadDetector`. It owns GPU/wasm memory: call `dispose()` when done.
 */
interface Detector {
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
    validate(normalImages: ImageInput[], options?: Pick<ValidationOptions, 'copies' | 'kinds' | 'seed' | 'metric'> & {
        sigma?: number;
    }): Promise<ValidationScores>;
    /**
     * Saves everything needed to reproduce this detector. Node: a directory path (or `x.danflow` for
     * one file); browser: `indexeddb://name` or `downloads://name`. Never leaves a half-written model.
     */
    save(target: SaveTarget, options?: {
        includeBackbone?: boolean;
    }): Promise<void>;
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

interface CreateDetectorOptions extends DetectorOptions {
    onProgress?: ProgressCallback;
}
interface LoadDetectorOptions {
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
/** Builds a new, untrained detector. */
declare function createDetector(options?: CreateDetectorOptions): Promise<Detector>;
/** Loads a saved detector, or imports a PyTorch reference checkpoint with `from: 'pytorch'`. The file readers are loaded on first use. */
declare function loadDetector(source: LoadSource, options?: LoadDetectorOptions): Promise<Detector>;

/** The JSON half of a saved detector: everything needed to rebuild it except the tensor bytes. */
interface DetectorManifest extends ModelManifest {
    config: DetectorConfig;
    preprocessing: Preprocessing & {
        inputSize: number;
        resize: 'bilinear-half-pixel';
    };
    /** Fixed channel permutations per scale, per step (also inside the weights as w_perm). */
    permutations: number[][][];
    /** Decision threshold on image scores. */
    threshold: number | null;
    /** Threshold on map values for masks; absent in models saved before it existed: the same as `threshold`. */
    pixelThreshold?: number | null;
    scoreStats: ScoreStats | null;
    training: {
        epochs: number;
        steps: number;
        finalLoss: number | null;
        seconds: number;
    } | null;
}

declare const DEFAULTS: {
    /** createDetector */
    readonly detector: {
        readonly method: "danflow";
        readonly backbone: "resnet18";
        readonly weights: "random";
        readonly flowSteps: 3;
        readonly numDw: 3;
        readonly doubleSubnets: true;
        readonly attention: "eca";
        readonly seed: 0;
        readonly backend: "auto";
        /** What runs localize: onnxruntime when its package is installed, else tfjs (training is always tfjs). */
        readonly engine: "auto";
        readonly imageScore: "auto";
        /** Map smoothing: chosen by fit's synthetic validation among validation.sigmas, else localize.sigma. */
        readonly sigma: "auto";
    };
    /** createDetector({ method: 'patchcore', patchcore }) */
    readonly patchcore: {
        readonly coresetRatio: 0.1;
    };
    /** fit: the reference trains 200 epochs at batch 32; these fit on CPU/wasm memory and time. */
    readonly fit: {
        readonly epochs: 10;
        readonly batchSize: 8;
        readonly learningRate: 0.001;
        readonly weightDecay: 0.00001;
        readonly shuffle: true;
        readonly learningRateSchedule: "constant";
        readonly warmupEpochs: 0;
        readonly featureNoise: 0;
    };
    /** fit({ validation }) and validate() */
    readonly validation: {
        readonly holdOut: 0.15;
        readonly minHoldOut: 2;
        readonly every: 1;
        readonly metric: "mean";
        readonly copies: 2;
        readonly restoreBest: true;
        /** Smoothing candidates (σ in input pixels) when the detector's sigma is 'auto'. */
        readonly sigmas: readonly [0, 2, 4, 6, 8, 12, 16];
    };
    /** localize and the score statistics: Gaussian smoothing as anomalib's (σ 4 input pixels) unless the model stores its own. */
    readonly localize: {
        readonly sigma: 4;
        readonly batchSize: 8;
    };
    /** Thresholds from normal scores: their 0.99 quantile. */
    readonly calibration: {
        readonly quantile: 0.99;
    };
};

/** The accepted values of each enumerated option, for UIs and command lines that offer a choice. */
declare const CHOICES: {
    readonly method: DetectionMethod[];
    readonly backbone: string[];
    readonly backend: readonly ["auto", ...BackendName[]];
    readonly engine: readonly EngineRequest[];
    readonly attention: readonly Attention[];
    readonly augment: readonly Augmentation[];
    readonly imageScore: readonly ["auto", "max", "top", "mean", "likelihood"];
};

/** Feature layers of the `mobilenetv2` preset (strides 4/8/16; 48/96/192 channels at α = 0.35). */
declare const MOBILENETV2_PRESET_LAYERS: string[];
/**
 * The block outputs the preset's expand layers are computed from (8/16/32 channels at α 0.35). The
 * expand activations are a 6× linear lift of these followed by ReLU6 — rank-deficient and a third
 * to two thirds exact zeros — on which a flow's likelihood is unbounded; flows train faster and
 * localise better on these (README, "Recipe").
 */
declare const MOBILENETV2_BOTTLENECK_LAYERS: string[];

/**
 * One way of getting a tfjs backend running. `load` imports the backend package (lazily, so apps
 * only pay for what they use) and must throw with a human reason when it cannot work here.
 */
interface BackendCandidate {
    name: BackendName;
    /** Higher is tried first by `auto`. */
    priority: number;
    /** Whether `auto` should consider it in this environment. */
    autoEligible: boolean;
    /** Imports/registers the backend. `auto` is true when the caller did not ask for it by name. */
    load(auto: boolean): Promise<void>;
    /** Runs once the backend is active (first-use set-up). */
    ready?(): void;
}

/** Replace or add a candidate (tests, or apps that bring their own backend package). */
declare function registerBackendCandidate(candidate: BackendCandidate): void;
/**
 * Make `request` the active tfjs backend and return its name. `auto` walks the eligible candidates
 * by priority and stops at the first that initialises.
 */
declare function useBackend(request?: BackendRequest): Promise<BackendName>;

/**
 * Every failure the SDK reports on purpose is a DanflowError with a stable `code`, so callers can
 * branch on the kind of problem while the message tells a person what went wrong and how to fix it.
 */
type DanflowErrorCode = 'BACKEND_UNAVAILABLE' | 'BAD_IMAGE' | 'BAD_CONFIG' | 'BAD_ARGUMENT' | 'EMPTY_DATASET' | 'NAN_LOSS' | 'MODEL_FORMAT' | 'MODEL_VERSION' | 'WEIGHTS_MISMATCH' | 'CHECKSUM' | 'NOT_FOUND' | 'OFFLINE' | 'DOWNLOAD' | 'ABORTED' | 'DISPOSED' | 'DATASET_LAYOUT' | 'METRIC_INPUT' | 'UNSUPPORTED' | 'TOO_LARGE' | 'OVERLOADED' | 'TIMEOUT' | 'UNAVAILABLE' | 'UNAUTHORIZED' | 'INTERNAL' | 'ONNX_EXPORT' | 'ENGINE_UNAVAILABLE';
declare class DanflowError extends Error {
    readonly code: DanflowErrorCode;
    /** Extra structured detail (e.g. the per-backend failures), for programs rather than people. */
    readonly details?: unknown;
    constructor(code: DanflowErrorCode, message: string, options?: {
        cause?: unknown;
        details?: unknown;
    });
}
declare function isDanflowError(e: unknown, code?: DanflowErrorCode): e is DanflowError;

/**
 * One mutable settings object, in the manner of transformers.js `env`: set it once at start-up
 * instead of threading options through every call.
 */
interface DanflowEnv {
    /** Directory for downloaded weights in Node. Default: $DANFLOW_CACHE, else ~/.cache/danflow. */
    cacheDir: string | undefined;
    /** Whether downloads may be cached (Node: cacheDir; browser: Cache API). */
    useCache: boolean;
    /** Hugging Face hub endpoint used to resolve `hf:` ids. Default: $HF_ENDPOINT or https://huggingface.co */
    hubEndpoint: string;
    /** When false, any network download fails immediately with an OFFLINE error. */
    allowRemote: boolean;
    /** The fetch implementation used for downloads (override for proxies or tests). */
    fetch: typeof globalThis.fetch | undefined;
    /** Where the wasm backend finds its .wasm binaries (browser builds usually need to set this). */
    wasmPaths: string | undefined;
    logLevel: 'silent' | 'warn' | 'info' | 'debug';
    /**
     * Threads for the work: the onnxruntime engine's intra-op threads (read when a session is
     * created; changing it makes the next localize create a new session) and, in Node, the wasm
     * backend's XNNPACK thread pool (read when the wasm backend is first created). Default
     * (undefined): every core in Node. In browsers tfjs's wasm backend stays on one thread (its
     * threaded build hangs under bundlers) and onnxruntime-web gets half the cores (at most 4) where the
     * page is cross-origin isolated.
     */
    numThreads: number | undefined;
    /**
     * Which kernels a training step runs on the wasm and cpu backends: 'danflow' (default), danflow's
     * own (train-mode BatchNorm fused with ReLU6 and its backward, the depthwise and 1×1 weight
     * gradients, the channel permutation; WebAssembly SIMD on wasm), or 'tfjs', tfjs's composite ops
     * (slower; kept for comparison; both match the reference's golden gradients).
     * $DANFLOW_TRAINING_KERNELS sets the default.
     */
    trainingKernels: 'danflow' | 'tfjs';
    /**
     * The onnxruntime module for `engine: 'onnxruntime'` / `'auto'`, for bundled browser apps:
     * `env.onnxruntime = await import('onnxruntime-web')`. Default: loaded by name on first use
     * (onnxruntime-node in Node; onnxruntime-web in browsers through an import map).
     */
    onnxruntime: object | undefined;
}
declare const env: DanflowEnv;

/** The package version, injected at build time from package.json. */
declare const VERSION: string;

/**
 * ROC AUC and ROC curve, exact (ties handled like scikit-learn's `roc_auc_score` / `roc_curve`),
 * plus the shared machinery the other metrics use.
 *
 * Approach (memory- and time-conscious, since pixel metrics see 10M+ samples):
 *  1. One validation pass counts positives/negatives and rejects NaN; a second pass copies the
 *     scores into two typed arrays, one for positives and one for negatives (Float32Array when
 *     every score is exactly representable as float32, as anomaly maps are; Float64Array
 *     otherwise, so no two distinct inputs are ever merged).
 *  2. Each array is sorted with an LSD radix sort on order-preserving integer keys made from the
 *     IEEE-754 bit patterns (2 passes of 16 bits for float32, 4 for float64; 8-bit digits for
 *     small inputs). That is O(n), several times faster than `TypedArray.prototype.sort` and far
 *     faster (and leaner) than sorting JS objects with a comparator.
 *  3. The two sorted arrays are merged from the top, one step per distinct score value, which
 *     gives the (positives, negatives) counted at every threshold `score >= t`: exactly the points
 *     of sklearn's `_binary_clf_curve`. The trapezoid area is accumulated in integers
 *     (Σ ΔN·(2·TP_before + ΔP)), exact up to ~1.3e8 samples, and divided once by 2·P·N.
 */

/** Scores: a flat array of numbers, one ScoreMap, or a list of ScoreMaps (pixel-level). */
type ScoreInput = ArrayLike<number> | ScoreMap | readonly ScoreMap[];
/**
 * Labels matching {@link ScoreInput}: a flat array (a label is positive when it is `true` or a
 * number > 0), one BinaryMask, or a list of BinaryMasks (a pixel is positive when its value > 0).
 */
type LabelInput = ArrayLike<number | boolean> | BinaryMask | readonly BinaryMask[];
interface RocCurve {
    /** False-positive rate at each threshold, non-decreasing, starting at 0 and ending at 1. */
    fpr: Float64Array;
    /** True-positive rate at each threshold, non-decreasing, starting at 0 and ending at 1. */
    tpr: Float64Array;
    /**
     * Decreasing thresholds (prediction = score >= threshold); `thresholds[0]` is `Infinity`
     * (nothing predicted positive), as in scikit-learn >= 1.3.
     */
    thresholds: Float64Array;
}
/**
 * Area under the ROC curve, exactly as scikit-learn's `roc_auc_score` (ties: trapezoid between
 * distinct thresholds, so all-equal scores give 0.5).
 *
 * `auroc(scores, labels)` for image-level AUROC (labels 0/1 or booleans), or
 * `auroc(maps, masks)` for pixel-level AUROC over every pixel of every map (mask pixel > 0 =
 * anomalous). Throws DanflowError('METRIC_INPUT') on length/size mismatches, NaN scores, or when
 * one class is missing (AUROC is then undefined).
 */
declare function auroc(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): number;
declare function auroc(maps: ScoreMap | readonly ScoreMap[], masks: BinaryMask | readonly BinaryMask[]): number;
declare function auroc(scores: ScoreInput, labels: LabelInput): number;
/**
 * ROC curve at every distinct score (scikit-learn `roc_curve(..., drop_intermediate=False)`),
 * starting at (0, 0) with threshold `Infinity`. Same inputs and errors as {@link auroc}.
 */
declare function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): RocCurve;
declare function rocCurve(maps: ScoreMap | readonly ScoreMap[], masks: BinaryMask | readonly BinaryMask[]): RocCurve;
declare function rocCurve(scores: ScoreInput, labels: LabelInput): RocCurve;

/**
 * Maximum F1 over all thresholds (prediction = score >= threshold), exact on ties: the candidate
 * thresholds are the distinct score values, as in scikit-learn's `precision_recall_curve`.
 *
 * Uses the same sort-once / sweep-distinct-thresholds machinery as {@link auroc} (typed arrays,
 * radix sort, O(n)). F1 is evaluated as 2·TP / (TP + FP + P); equal F1 values (equal rationals give
 * identical doubles) are broken towards the lowest threshold, like `argmax` over sklearn's
 * ascending thresholds.
 */

interface F1Result {
    /** The best F1 score. */
    f1: number;
    /** The threshold achieving it (prediction = score >= threshold); a score value from the input. */
    threshold: number;
    /** Precision TP / (TP + FP) at that threshold. */
    precision: number;
    /** Recall TP / P at that threshold. */
    recall: number;
}
/**
 * Best F1 over every distinct threshold. `f1Max(scores, labels)` or `f1Max(maps, masks)`
 * (pixel-level, mask pixel > 0 = anomalous). Needs at least one positive; negatives are optional.
 * Throws DanflowError('METRIC_INPUT') on mismatched inputs, NaN scores, or no positives.
 */
declare function f1Max(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): F1Result;
declare function f1Max(maps: ScoreMap | readonly ScoreMap[], masks: BinaryMask | readonly BinaryMask[]): F1Result;
declare function f1Max(scores: ScoreInput, labels: LabelInput): F1Result;

type Connectivity = 4 | 8;
interface ConnectedComponents {
    /** Component label per pixel (row-major): 0 = background, 1..count = component. */
    labels: Int32Array;
    /** Number of components. */
    count: number;
    /** Pixel count per label: `sizes[k]` for component k (1..count); `sizes[0]` = background pixels. */
    sizes: Uint32Array;
}
/**
 * Labels the foreground (value > 0) components of a single-channel mask.
 * Throws DanflowError('METRIC_INPUT') on a bad size or connectivity.
 */
declare function connectedComponents(mask: {
    width: number;
    height: number;
    data: ArrayLike<number>;
}, connectivity?: Connectivity): ConnectedComponents;

/**
 * AUPRO: area under the per-region-overlap curve, as in the MVTec AD evaluation (and anomalib).
 *
 * For a threshold t (prediction = score >= t):
 *  - PRO(t) = mean over every connected ground-truth region of every image of
 *    (region pixels predicted positive / region size);
 *  - FPR(t) = predicted-positive normal pixels (mask == 0) / all normal pixels.
 * The curve, starting at (0, 0), has one point per distinct score. AUPRO integrates PRO over
 * FPR ∈ [0, fprLimit] with the trapezoid rule (PRO interpolated linearly at exactly fprLimit) and
 * divides by fprLimit.
 *
 * Exact and O(n): regions are labelled once (flood fill); normal pixels' scores go into one typed
 * array, region pixels' scores into another with their region ids as a payload; both are radix
 * sorted once (see auroc.ts) and swept from the highest score down, one step per distinct value.
 * Since PRO = (1/R)·Σ over predicted region pixels of 1/size(region), each region pixel just adds
 * 1/size to a compensated (Neumaier) running sum, so no per-threshold pass over the regions is
 * needed. The sweep for `aupro` stops as soon as the FPR passes the limit.
 */

interface ProCurveOptions {
    /** Pixel connectivity of ground-truth regions: 8 (default, diagonal neighbours join) or 4. */
    connectivity?: Connectivity;
}
interface AuproOptions extends ProCurveOptions {
    /** Upper FPR integration limit, in (0, 1]; default 0.3 (the usual AUPRO@30%). */
    fprLimit?: number;
}
interface ProCurve {
    /** False-positive rate over normal pixels, non-decreasing from 0 to 1. */
    fpr: Float64Array;
    /** Mean per-region overlap, non-decreasing from 0 to 1. */
    pro: Float64Array;
    /** Decreasing thresholds (prediction = map >= threshold); `thresholds[0]` is `Infinity`. */
    thresholds: Float64Array;
}
/**
 * The PRO curve at every distinct score (plus the (0, 0) start), for plotting or custom limits.
 * Same inputs and errors as {@link aupro}.
 */
declare function proCurve(maps: ScoreMap | readonly ScoreMap[], masks: BinaryMask | readonly BinaryMask[], opts?: ProCurveOptions): ProCurve;
/**
 * Normalised area under the PRO curve for FPR in [0, fprLimit] (default 0.3), exact over all
 * distinct thresholds. `maps[i]` and `masks[i]` must have the same size (mask pixel > 0 =
 * anomalous). Throws DanflowError('METRIC_INPUT') on mismatched inputs, NaN scores, a bad option,
 * or when there is no anomalous region or no normal pixel.
 */
declare function aupro(maps: ScoreMap | readonly ScoreMap[], masks: BinaryMask | readonly BinaryMask[], opts?: AuproOptions): number;

/** Evaluation metrics (spec §6): pixel / image AUROC, AUPRO, and F1-max thresholding. */

type index$2_AuproOptions = AuproOptions;
type index$2_ConnectedComponents = ConnectedComponents;
type index$2_Connectivity = Connectivity;
type index$2_F1Result = F1Result;
type index$2_LabelInput = LabelInput;
type index$2_ProCurve = ProCurve;
type index$2_ProCurveOptions = ProCurveOptions;
type index$2_RocCurve = RocCurve;
type index$2_ScoreInput = ScoreInput;
declare const index$2_aupro: typeof aupro;
declare const index$2_auroc: typeof auroc;
declare const index$2_connectedComponents: typeof connectedComponents;
declare const index$2_f1Max: typeof f1Max;
declare const index$2_proCurve: typeof proCurve;
declare const index$2_rocCurve: typeof rocCurve;
declare namespace index$2 {
  export { type index$2_AuproOptions as AuproOptions, type index$2_ConnectedComponents as ConnectedComponents, type index$2_Connectivity as Connectivity, type index$2_F1Result as F1Result, type index$2_LabelInput as LabelInput, type index$2_ProCurve as ProCurve, type index$2_ProCurveOptions as ProCurveOptions, type index$2_RocCurve as RocCurve, type index$2_ScoreInput as ScoreInput, index$2_aupro as aupro, index$2_auroc as auroc, index$2_connectedComponents as connectedComponents, index$2_f1Max as f1Max, index$2_proCurve as proCurve, index$2_rocCurve as rocCurve };
}

/**
 * Heatmap colouring: the Turbo colormap (Google, 2019; a perceptually smoother jet) as a 256-entry
 * lookup table built from its published polynomial approximation, plus classic jet, and the
 * normalisation that maps anomaly values to [0, 1] with one range for a whole test set (so colours
 * are comparable between images, as in the paper's figures).
 */

type ColormapName = 'turbo' | 'jet';
/** 256 RGB triples (768 bytes) for the colormap; entry i is the colour of t = i / 255. */
declare function colormapLut(name?: ColormapName): Uint8Array;
/** The colour of t (clamped to [0, 1]; NaN counts as 0) as 0..255 RGB. */
declare function colormap(t: number, name?: ColormapName): [number, number, number];
/** A value range [lo, hi] used to map anomaly values to [0, 1]. */
interface NormRange {
    lo: number;
    hi: number;
}
interface RangeOptions {
    /**
     * Quantiles of all pixel values used as the ends of the range, e.g. [0.01, 0.999]: a few extreme
     * pixels (image borders) then do not wash out every other heatmap. Default [0, 1] = min … max.
     */
    quantiles?: readonly [number, number];
    /** At most this many pixels are sampled (evenly strided) to estimate quantiles. Default 1,000,000. */
    sample?: number;
}
/**
 * The range of a set of maps: min … max over every pixel of every map (NaN ignored), or the given
 * quantiles. A constant set gets a tiny positive width so normalising never divides by zero.
 */
declare function mapRange(maps: Iterable<ScoreMap | ArrayLike<number>>, options?: RangeOptions): NormRange;
/** Colours a map (values normalised with `range`) into an RGB image. */
declare function colorizeMap(map: ScoreMap, range: NormRange, name?: ColormapName): RawImage;
/** CSS `linear-gradient` stops of the colormap, for legends in HTML. */
declare function colormapCssGradient(name?: ColormapName, stops?: number): string;

/**
 * Pictures of results on plain RawImages (no canvas): heatmap overlays, mask pictures and outlines.
 * The CLI's PNGs, the HTML report and the browser example all draw with these.
 */

type Rgb = readonly [number, number, number];
/**
 * The boundary of a mask: the foreground pixels with at least one 4-neighbour that is background
 * or outside the image. A one-pixel-thick, closed line on the inside edge of every region.
 */
declare function maskOutline(mask: BinaryMask): BinaryMask;
/** Square dilation by `radius` pixels (radius 0 returns a copy). */
declare function dilateMask(mask: BinaryMask, radius: number): BinaryMask;
/** 1 where map ≥ threshold. */
declare function thresholdMap(map: ScoreMap, threshold: number): BinaryMask;
/** White-on-black RGB picture of a mask. */
declare function maskToRgb(mask: BinaryMask, on?: Rgb, off?: Rgb): RawImage;
/** `alpha`·top + (1 − alpha)·base, per pixel (both RGB, same size). */
declare function blend(base: RawImage, top: RawImage, alpha?: number): RawImage;
/** Paints `color` into a copy of `img` wherever `mask` is set. */
declare function paintMask(img: RawImage, mask: BinaryMask, color: Rgb): RawImage;
/** The heatmap panel: the coloured map over the image. */
declare function heatmapOverlay(image: RawImage, map: ScoreMap, range: NormRange, options?: {
    colormap?: ColormapName;
    alpha?: number;
}): RawImage;
/** The segmentation panel: the image with the predicted region's outline (and optionally the ground truth's). */
declare function segmentationOverlay(image: RawImage, predicted: BinaryMask, options?: {
    groundTruth?: BinaryMask;
    thickness?: number;
    color?: Rgb;
    gtColor?: Rgb;
}): RawImage;

/**
 * A fresh RGB uint8 copy of any RawImage: grey is replicated, alpha dropped, float values rounded
 * and clamped. Defects always work on (and compare against) this copy, never the caller's buffer.
 */
declare function toRgb8(image: RawImage, what?: string): RawImage;

/**
 * Turning results into pictures, on plain RawImages so it runs the same in Node, browsers and
 * workers: colour maps, heatmap overlays, mask pictures and outlines, and the resizes they need
 * (matching PyTorch's interpolation).
 */

/** Bilinear resize (half-pixel centres, as PyTorch); uint8 stays uint8 (rounded). */
declare function resizeImage(image: RawImage, width: number, height: number): RawImage;
/** Bilinear resize of an anomaly map (half-pixel centres, as PyTorch). */
declare function resizeMap(map: ScoreMap, width: number, height: number): ScoreMap;
/** Nearest-neighbour resize of a 0/1 mask with half-pixel centres (PyTorch's 'nearest-exact'); stays 0/1. */
declare function resizeMask(mask: BinaryMask, width: number, height: number): BinaryMask;

type index$1_ColormapName = ColormapName;
type index$1_NormRange = NormRange;
type index$1_RangeOptions = RangeOptions;
type index$1_Rgb = Rgb;
declare const index$1_blend: typeof blend;
declare const index$1_colorizeMap: typeof colorizeMap;
declare const index$1_colormap: typeof colormap;
declare const index$1_colormapCssGradient: typeof colormapCssGradient;
declare const index$1_colormapLut: typeof colormapLut;
declare const index$1_dilateMask: typeof dilateMask;
declare const index$1_heatmapOverlay: typeof heatmapOverlay;
declare const index$1_mapRange: typeof mapRange;
declare const index$1_maskOutline: typeof maskOutline;
declare const index$1_maskToRgb: typeof maskToRgb;
declare const index$1_paintMask: typeof paintMask;
declare const index$1_resizeImage: typeof resizeImage;
declare const index$1_resizeMap: typeof resizeMap;
declare const index$1_resizeMask: typeof resizeMask;
declare const index$1_segmentationOverlay: typeof segmentationOverlay;
declare const index$1_thresholdMap: typeof thresholdMap;
declare const index$1_toRgb8: typeof toRgb8;
declare namespace index$1 {
  export { type index$1_ColormapName as ColormapName, type index$1_NormRange as NormRange, type index$1_RangeOptions as RangeOptions, type index$1_Rgb as Rgb, index$1_blend as blend, index$1_colorizeMap as colorizeMap, index$1_colormap as colormap, index$1_colormapCssGradient as colormapCssGradient, index$1_colormapLut as colormapLut, index$1_dilateMask as dilateMask, index$1_heatmapOverlay as heatmapOverlay, index$1_mapRange as mapRange, index$1_maskOutline as maskOutline, index$1_maskToRgb as maskToRgb, index$1_paintMask as paintMask, index$1_resizeImage as resizeImage, index$1_resizeMap as resizeMap, index$1_resizeMask as resizeMask, index$1_segmentationOverlay as segmentationOverlay, index$1_thresholdMap as thresholdMap, index$1_toRgb8 as toRgb8 };
}

/** A seed: any finite number (its integer part's low 53 bits are used) or a string. */
type Seed = number | string;
interface Rng {
    /** Uniform in [0, 1). */
    next(): number;
    /** Uniform 32-bit unsigned integer. */
    uint32(): number;
    /** Uniform in [lo, hi). */
    range(lo: number, hi: number): number;
    /** Uniform integer in [lo, hi) — hi exclusive. */
    int(lo: number, hi: number): number;
    /** true with probability p. */
    chance(p: number): boolean;
    /** Approximately standard normal (sum of 6 uniforms: no log/cos, so engine-independent). */
    normal(): number;
    /** A uniformly chosen element of a non-empty list. */
    pick<T>(items: readonly T[]): T;
    /** A unit vector with uniformly distributed direction (rejection sampling, no trigonometry). */
    direction(): [number, number];
}

/**
 * Deterministic 2-D coherent noise: Perlin gradient noise, value noise and their fractal (fBm)
 * sums. Lattice tables come from a seeded shuffle, so the same seed gives the same field anywhere.
 */

/** A noise function of the plane, roughly in [−1, 1], with features about one unit apart. */
type Noise2D = (x: number, y: number) => number;
/** Perlin gradient noise with 256 random unit gradients (period 256 in both axes). */
declare function perlinNoise2D(seed: Seed): Noise2D;
/** Value noise: random values at lattice points, smoothly interpolated (blobbier than Perlin). */
declare function valueNoise2D(seed: Seed): Noise2D;
interface FbmOptions {
    /** Number of octaves summed (default 4). */
    octaves?: number;
    /** Frequency factor between octaves (default 2). */
    lacunarity?: number;
    /** Amplitude factor between octaves (default 0.5). */
    gain?: number;
}
/**
 * Fractal Brownian motion: octaves of `noise` at rising frequency and falling amplitude, divided
 * by the total amplitude so the result stays roughly in [−1, 1]. Each octave is shifted by an
 * irrational-ish offset so the octaves' lattices (and their zeros at integer points) don't line up.
 */
declare function fbm(noise: Noise2D, x: number, y: number, options?: FbmOptions): number;
interface NoiseFieldOptions extends FbmOptions {
    seed: Seed;
    /** Feature size in pixels along x (and y unless scaleY is given). */
    scale: number;
    /** Feature size in pixels along y; differing from scale makes anisotropic (streaky) noise. */
    scaleY?: number;
    /** Base noise (default 'perlin'). */
    kind?: 'perlin' | 'value';
}
/** A width×height field (row-major) of fBm noise sampled at pixel positions. */
declare function noiseField(width: number, height: number, options: NoiseFieldOptions): Float32Array;

declare const TEXTURE_KINDS: readonly ["fabric", "metal", "wood", "tile"];
type TextureKind = (typeof TEXTURE_KINDS)[number];
interface TextureOptions {
    width: number;
    height: number;
    seed: Seed;
}
/** One normal texture sample as RGB uint8. */
declare function generateTexture(kind: TextureKind, options: TextureOptions): RawImage;

/** Default defect size: fraction of the image's pixels in the mask. */
declare const DEFAULT_DEFECT_AREA: readonly [number, number];
/** Default per-channel change (0..255) above which a pixel counts as defective. */
declare const DEFAULT_CHANGE_EPSILON = 8;

interface CutPastePlacement {
    /** The cut rectangle in the source image (top-left corner and size, px). */
    source: {
        x: number;
        y: number;
        width: number;
        height: number;
    };
    /** Top-left corner of the paste before rotation (the patch centre is this + size / 2). */
    target: {
        x: number;
        y: number;
    };
    /** (cos, sin) of the rotation about the patch centre, or null when pasted upright. */
    rotation: [number, number] | null;
    /** Whether the patch came from a separate source image. */
    fromOtherImage: boolean;
}

declare const DEFECT_KINDS: readonly ["scratch", "hole", "stain", "crack", "perlinTexture", "cutPaste"];
type DefectKind = (typeof DEFECT_KINDS)[number];
interface DefectOptions {
    /** [min, max] mask area as a fraction of the image (default [0.005, 0.03]). */
    area?: readonly [number, number];
    /** Where the defect may go (1 = allowed), e.g. an object's foreground; default anywhere. */
    region?: BinaryMask;
    /** Per-channel change (0..255) above which a pixel is part of the defect (default 8). */
    epsilon?: number;
}
interface PerlinTextureOptions extends DefectOptions {
    /** Range of the foreign texture's opacity β (default [0.1, 1)). */
    beta?: readonly [number, number];
    /** Foreign texture to blend in (same size as the image); default a synthesised one. */
    texture?: RawImage;
}
interface CutPasteOptions extends DefectOptions {
    /** Image to cut the patch from (default the image itself). */
    source?: RawImage;
    /** Probability that the patch is rotated by a random angle (default 0.5). */
    rotateProbability?: number;
}
type AnyDefectOptions = PerlinTextureOptions & CutPasteOptions;
interface DefectResult {
    kind: DefectKind;
    image: RawImage;
    mask: BinaryMask;
    /** Mask pixels as a fraction of the image. */
    area: number;
}
interface PerlinTextureResult extends DefectResult {
    kind: 'perlinTexture';
    /** The opacity used. */
    beta: number;
}
interface CutPasteResult extends DefectResult {
    kind: 'cutPaste';
    placement: CutPastePlacement;
}
/** Thin curved line (cubic Bézier, 1–3 px), bright or dark. */
declare function scratch(image: RawImage, rng: Rng | Seed, options?: DefectOptions): DefectResult;
/** Dark wobbly ellipse with a soft rim and a faint raised lip. */
declare function hole(image: RawImage, rng: Rng | Seed, options?: DefectOptions): DefectResult;
/** Irregular noise blob tinted with a stain colour (oil, rust, grime, ink, …). */
declare function stain(image: RawImage, rng: Rng | Seed, options?: DefectOptions): DefectResult;
/** Dark jagged polyline with side branches. */
declare function crack(image: RawImage, rng: Rng | Seed, options?: DefectOptions): DefectResult;
/** DRAEM-style: a Perlin-thresholded region blended with a foreign texture at opacity β. */
declare function perlinTexture(image: RawImage, rng: Rng | Seed, options?: PerlinTextureOptions): PerlinTextureResult;
/** CutPaste: a patch of this (or another) image pasted elsewhere, maybe rotated; pixels copied exactly. */
declare function cutPaste(image: RawImage, rng: Rng | Seed, options?: CutPasteOptions): CutPasteResult;
/** Paints one defect of the given kind (options of other kinds are ignored). */
declare function paintDefect(kind: DefectKind, image: RawImage, rng: Rng | Seed, options?: AnyDefectOptions): DefectResult;

interface PaintSyntheticAnomalyOptions extends AnyDefectOptions {
    seed: Seed;
    /** Defect kinds to choose from, uniformly (default all kinds). */
    kinds?: readonly DefectKind[];
}
/**
 * One synthetic anomaly on a normal image, of a kind drawn at random from `kinds`: the training
 * loop uses these to score checkpoints (e.g. pixel AUROC against the returned mask) without ever
 * seeing a real defect. Pass `region` for object categories so defects land on the object.
 */
declare function paintSyntheticAnomaly(image: RawImage, options: PaintSyntheticAnomalyOptions): DefectResult;

declare const SYNTHETIC_CATEGORIES: readonly ["fabric", "metal", "wood", "tile", "washer"];
type SyntheticCategory = (typeof SYNTHETIC_CATEGORIES)[number];
/**
 * Defect types in each category's test set, chosen to resemble what that surface gets in practice
 * (MVTec's carpet/metal_nut/wood/tile defects). The DRAEM-style `perlinTexture` is not among them:
 * it is the validation-time synthetic anomaly, and testing on it would reward overfitting to it.
 */
declare const SYNTHETIC_DEFECT_TYPES: Readonly<Record<SyntheticCategory, readonly DefectKind[]>>;
interface NormalSample {
    image: RawImage;
    /** For object categories: the object's pixels, where defects belong. Absent for textures. */
    foreground?: BinaryMask;
}
/** One defect-free sample of `category`, `size`×`size` RGB uint8. */
declare function generateNormalSample(category: SyntheticCategory, size: number, seed: Seed): NormalSample;

interface SyntheticDatasetOptions {
    category: SyntheticCategory;
    /** Square image size in px (default 128, at least 32). */
    size?: number;
    /** Normal training images (default 40). */
    trainCount?: number;
    /** Normal test images (default 10). */
    testGoodCount?: number;
    /** Defective test images, spread round-robin over the category's defect types (default 20). */
    testDefectCount?: number;
    seed?: Seed;
    /** Defect mask area range, fractions of the image (default [0.005, 0.03]). */
    area?: readonly [number, number];
}
interface SyntheticTestSample {
    image: RawImage;
    /** All zeros for good samples. */
    mask: BinaryMask;
    label: 0 | 1;
    defectType: 'good' | DefectKind;
    /** MVTec-style `<defectType>/<index>`, e.g. `hole/002`, `good/000`. */
    name: string;
}
interface SyntheticDataset {
    category: SyntheticCategory;
    size: number;
    defectTypes: readonly DefectKind[];
    train: RawImage[];
    test: SyntheticTestSample[];
}
declare function generateSyntheticDataset(options: SyntheticDatasetOptions): SyntheticDataset;

/**
 * Procedural object category: a flat metal washer centred on a plain backdrop, the "object" kind of
 * MVTec category where defects must sit on the part, not on the background. Each sample jitters
 * the pose (centre shift, slight tilt = elliptic outline), size, lighting direction and finish.
 */

interface ObjectSample {
    image: RawImage;
    /** 1 on the object (coverage ≥ ½), 0 on the backdrop: where defects may be placed. */
    foreground: BinaryMask;
}
interface WasherOptions {
    width: number;
    height: number;
    seed: Seed;
}
declare function generateWasher(options: WasherOptions): ObjectSample;

/**
 * Synthetic industrial images and defects with exact masks, deterministic from a seed and
 * byte-identical in every JavaScript engine: fit's validation paints these on held-out normal
 * images; the demo and tests generate whole datasets in the MVTec layout.
 */

type index_AnyDefectOptions = AnyDefectOptions;
type index_CutPasteOptions = CutPasteOptions;
type index_CutPastePlacement = CutPastePlacement;
type index_CutPasteResult = CutPasteResult;
declare const index_DEFAULT_CHANGE_EPSILON: typeof DEFAULT_CHANGE_EPSILON;
declare const index_DEFAULT_DEFECT_AREA: typeof DEFAULT_DEFECT_AREA;
declare const index_DEFECT_KINDS: typeof DEFECT_KINDS;
type index_DefectKind = DefectKind;
type index_DefectOptions = DefectOptions;
type index_DefectResult = DefectResult;
type index_FbmOptions = FbmOptions;
type index_Noise2D = Noise2D;
type index_NoiseFieldOptions = NoiseFieldOptions;
type index_NormalSample = NormalSample;
type index_ObjectSample = ObjectSample;
type index_PaintSyntheticAnomalyOptions = PaintSyntheticAnomalyOptions;
type index_PerlinTextureOptions = PerlinTextureOptions;
type index_PerlinTextureResult = PerlinTextureResult;
declare const index_SYNTHETIC_CATEGORIES: typeof SYNTHETIC_CATEGORIES;
declare const index_SYNTHETIC_DEFECT_TYPES: typeof SYNTHETIC_DEFECT_TYPES;
type index_Seed = Seed;
type index_SyntheticCategory = SyntheticCategory;
type index_SyntheticDataset = SyntheticDataset;
type index_SyntheticDatasetOptions = SyntheticDatasetOptions;
type index_SyntheticTestSample = SyntheticTestSample;
declare const index_TEXTURE_KINDS: typeof TEXTURE_KINDS;
type index_TextureKind = TextureKind;
type index_TextureOptions = TextureOptions;
type index_WasherOptions = WasherOptions;
declare const index_crack: typeof crack;
declare const index_cutPaste: typeof cutPaste;
declare const index_fbm: typeof fbm;
declare const index_generateNormalSample: typeof generateNormalSample;
declare const index_generateSyntheticDataset: typeof generateSyntheticDataset;
declare const index_generateTexture: typeof generateTexture;
declare const index_generateWasher: typeof generateWasher;
declare const index_hole: typeof hole;
declare const index_noiseField: typeof noiseField;
declare const index_paintDefect: typeof paintDefect;
declare const index_paintSyntheticAnomaly: typeof paintSyntheticAnomaly;
declare const index_perlinNoise2D: typeof perlinNoise2D;
declare const index_perlinTexture: typeof perlinTexture;
declare const index_scratch: typeof scratch;
declare const index_stain: typeof stain;
declare const index_valueNoise2D: typeof valueNoise2D;
declare namespace index {
  export { type index_AnyDefectOptions as AnyDefectOptions, type index_CutPasteOptions as CutPasteOptions, type index_CutPastePlacement as CutPastePlacement, type index_CutPasteResult as CutPasteResult, index_DEFAULT_CHANGE_EPSILON as DEFAULT_CHANGE_EPSILON, index_DEFAULT_DEFECT_AREA as DEFAULT_DEFECT_AREA, index_DEFECT_KINDS as DEFECT_KINDS, type index_DefectKind as DefectKind, type index_DefectOptions as DefectOptions, type index_DefectResult as DefectResult, type index_FbmOptions as FbmOptions, type index_Noise2D as Noise2D, type index_NoiseFieldOptions as NoiseFieldOptions, type index_NormalSample as NormalSample, type index_ObjectSample as ObjectSample, type index_PaintSyntheticAnomalyOptions as PaintSyntheticAnomalyOptions, type index_PerlinTextureOptions as PerlinTextureOptions, type index_PerlinTextureResult as PerlinTextureResult, index_SYNTHETIC_CATEGORIES as SYNTHETIC_CATEGORIES, index_SYNTHETIC_DEFECT_TYPES as SYNTHETIC_DEFECT_TYPES, type index_Seed as Seed, type index_SyntheticCategory as SyntheticCategory, type index_SyntheticDataset as SyntheticDataset, type index_SyntheticDatasetOptions as SyntheticDatasetOptions, type index_SyntheticTestSample as SyntheticTestSample, index_TEXTURE_KINDS as TEXTURE_KINDS, type index_TextureKind as TextureKind, type index_TextureOptions as TextureOptions, type index_WasherOptions as WasherOptions, index_crack as crack, index_cutPaste as cutPaste, index_fbm as fbm, index_generateNormalSample as generateNormalSample, index_generateSyntheticDataset as generateSyntheticDataset, index_generateTexture as generateTexture, index_generateWasher as generateWasher, index_hole as hole, index_noiseField as noiseField, index_paintDefect as paintDefect, index_paintSyntheticAnomaly as paintSyntheticAnomaly, index_perlinNoise2D as perlinNoise2D, index_perlinTexture as perlinTexture, index_scratch as scratch, index_stain as stain, index_valueNoise2D as valueNoise2D };
}

/**
 * A detector's settings for people: a one-line summary, label/value rows (CLI output, reports), and
 * whether its method trains for epochs (false for PatchCore, which stores normal patches in one pass).
 */
declare function describeConfig(c: DetectorConfig): {
    summary: string;
    facts: [string, string][];
    trains: boolean;
};

export { type Attention, type Augmentation, type BackboneChoice, type BackendCandidate, type BackendName, type BackendRequest, BinaryMask, type BuiltinBackbone, CHOICES, type CalibrateOptions, type CreateDetectorOptions, DEFAULTS, type DanflowEnv, DanflowError, type DanflowErrorCode, type DetectionMethod, type Detector, type DetectorConfig, type DetectorFitOptions, type DetectorFitResult, type DetectorManifest, type DetectorOptions, type EngineName, type EngineRequest, type FitOptions, type FlowConfig, type ImageInput, type ImageScoreRule, type LearningRateSchedule, type LoadDetectorOptions, type LocalizeOptions, type LocalizeResult, MOBILENETV2_BOTTLENECK_LAYERS, MOBILENETV2_PRESET_LAYERS, PRETRAINED_WEIGHTS, type PatchCoreConfig, type ProgressCallback, type ProgressEvent, RawImage, ScoreMap, type ScoreStats, type TfjsBackboneConfig, type TfjsPreprocess, VERSION, type ValidationMetric, type ValidationOptions, type ValidationScores, type WeightsSpec, createDetector, describeConfig, env, isDanflowError, loadDetector, index$2 as metrics, registerBackendCandidate, index as synthetic, useBackend, index$1 as visualize };
