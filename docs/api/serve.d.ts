/// <reference types="long" />
import { FastifyInstance } from 'fastify';
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

/** Where a model can be saved: a Node path, `indexeddb://name` or `downloads://name` in browsers. */
type SaveTarget = string;

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

/** Plain pixel data: what every image input is converted to before it becomes a tensor. */
interface RawImage {
    /** Row-major interleaved pixels, `height * width * channels` values. Uint8 (0..255) or float (0..255). */
    data: Uint8Array | Uint8ClampedArray | Float32Array;
    width: number;
    height: number;
    /** 1 (grey), 3 (RGB) or 4 (RGBA; alpha ignored). */
    channels: number;
}
/** A single-channel float map at image resolution (anomaly map: higher = more anomalous). */
interface ScoreMap {
    width: number;
    height: number;
    data: Float32Array;
}
/** A single-channel binary map (0 or 1) at image resolution. */
interface BinaryMask {
    width: number;
    height: number;
    data: Uint8Array;
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

/**
 * The served models by name, with atomic swaps. A request takes a lease on the model current when it
 * arrives and keeps it to the end, so a reload never changes the model under a request: new requests
 * see the new model at once, in-flight ones finish on the old one, and the old one is disposed when
 * its last lease is returned.
 */

/** A model to serve: a loaded detector, or the path of a saved model (which the server loads, and reloads). */
type ModelSource = Detector | string;
interface ModelInfo {
    name: string;
    /** 1 for the model served at start, +1 for every reload of this name. */
    version: number;
    /** Where it was loaded from (absent for a detector handed over in memory). */
    path?: string;
    loadedAt: string;
    /** The danflow version serving it. */
    sdkVersion: string;
    method: string;
    backend: string;
    threshold: number | null;
    config: DetectorConfig;
}

/**
 * The HTTP service's settings, their defaults and their checks, in one place so the CLI's help, the
 * README and the server agree.
 */

interface ServerOptions {
    /** Largest request body in bytes (raw or multipart). Default 20 MiB. */
    maxBodyBytes?: number;
    /**
     * Largest image in pixels (width × height), read from the file header before anything is decoded,
     * so a small file that claims a huge size (a decompression bomb) costs nothing. Default 40 000 000.
     */
    maxPixels?: number;
    /** Requests allowed to wait for the model; beyond that the answer is 503 with Retry-After. Default 64. */
    maxQueue?: number;
    /**
     * Most waiting requests one localize call may take at once. Batches form only from requests
     * already waiting, so a lone request never waits for company. Default 1 (no batching): on the
     * wasm backend a batch costs as much per image as single calls, and `danflow bench --serve`
     * measured lower throughput and twice the p99 latency with batches of 8 (README, "Serve over
     * HTTP"); measure on your backend before raising it.
     */
    maxBatch?: number;
    /** Per-request deadline in ms, from arrival to answer (upload included). Default 30 000. */
    timeoutMs?: number;
    /** Gaussian smoothing of the maps (localize's `sigma`). Default: each model's own (`detector.sigma`). */
    sigma?: number;
    /** Bearer token of `POST /v1/admin/reload`; without one the route does not exist. */
    adminToken?: string;
    /** The model `/v1/localize` uses. Default: the first one given. */
    defaultModel?: string;
    /** Backend for models the server loads itself (given as paths, and every reload of them). Default 'auto'. */
    backend?: BackendRequest;
    /** One line per event worth a log entry (reloads, internal errors). Default: nothing. */
    log?: (line: string) => void;
}
declare const SERVE_DEFAULTS: {
    readonly maxBodyBytes: number;
    readonly maxPixels: 40000000;
    readonly maxQueue: 64;
    readonly maxBatch: 1;
    readonly timeoutMs: 30000;
    readonly backend: BackendRequest;
};

interface DanflowServer {
    /** The Fastify instance: add routes and hooks, or `inject()` requests without a socket. */
    readonly fastify: FastifyInstance;
    /** Starts listening (default 127.0.0.1:8080; port 0 picks a free one) and returns the base URL. */
    listen(options?: {
        port?: number;
        host?: string;
    }): Promise<string>;
    /**
     * Swaps models atomically: `replacement` for the named model, else every model given as a path
     * (or just `name`) is loaded again from disk. Requests in flight finish on the old model, which is
     * disposed after them if the server loaded it.
     */
    reload(name?: string, replacement?: Detector): Promise<ModelInfo[]>;
    /** What `GET /v1/models` lists. */
    models(): ModelInfo[];
    /** Graceful stop: new requests are refused (503), in-flight ones finish, then the models the server loaded are disposed. */
    close(): Promise<void>;
}
/**
 * An HTTP service for the given models: one Detector (served as "default"), or names mapped to
 * detectors or saved-model paths. Paths are loaded here (and again on reload); detectors stay the
 * caller's to dispose.
 */
declare function createServer(models: Detector | Record<string, ModelSource>, options?: ServerOptions): Promise<DanflowServer>;

/**
 * What an answer carries, for the HTTP service and the workers alike: the numbers of a localize
 * result, and on request the mask and a colour heatmap as base64 PNGs (the full float map would be
 * megabytes of JSON).
 */

interface LocalizeAnswer {
    /** The model that answered and its version (+1 per reload). */
    model: string;
    version: number;
    score: number;
    normalizedScore: number | null;
    isAnomalous: boolean;
    threshold: number | null;
    width: number;
    height: number;
    /** Pixels at or above the threshold, and their share of the image. */
    defectPixels: number;
    defectFraction: number;
    /** base64 PNG, 0/255 greyscale, at the image's size (with `mask: true` / `?mask=png`). */
    mask?: string;
    /** base64 PNG, the map in the turbo colour map over its own range, at least up to the threshold (with `heatmap`). */
    heatmap?: string;
}

interface FleetWorkerOptions {
    /** redis://HOST:PORT of the Redis every worker and client shares. */
    redis: string;
    /** Queue name; workers and clients of one queue form a fleet. */
    queue: string;
    /** Models for localize jobs (one Detector is served as "default"); none for a fit-only worker. */
    models?: Detector | Record<string, ModelSource>;
    /** Jobs held at once (their I/O overlaps the model's work). Default 4. */
    concurrency?: number;
    /** Jobs in hand one localize call may take (see ServerOptions.maxBatch). Default 1. */
    maxBatch?: number;
    /**
     * BullMQ's job lock in ms: how long a dead worker's jobs wait before another worker takes them
     * over (the stalled-job check runs as often). Must exceed the longest pause of the event loop (one
     * training step of a fit job). Default 30 000.
     */
    lockMs?: number;
    maxPixels?: number;
    /** Largest image file a job may point at. Default 20 MiB. */
    maxBytes?: number;
    /** Gaussian smoothing of the maps. Default 4. */
    sigma?: number;
    /** Backend for models loaded from paths and for fit jobs. Default 'auto'. */
    backend?: BackendRequest;
    /** The name results carry in `worker`. Default host:pid. */
    name?: string;
    /** One line per event worth a log entry (failed jobs, Redis errors). */
    log?: (line: string) => void;
}
interface FleetWorker {
    readonly name: string;
    /** Resolves once the worker is connected and taking jobs. */
    ready(): Promise<void>;
    models(): ModelInfo[];
    /** Stops taking jobs, lets the ones it holds finish, disconnects and disposes the models it loaded. */
    close(): Promise<void>;
}
declare function startWorker(options: FleetWorkerOptions): Promise<FleetWorker>;

interface CommonDatasetOptions {
    /** Image file extensions to pick up (case-insensitive, with or without the dot). Default: png, jpg, jpeg, bmp, tif, tiff, webp, gif. */
    extensions?: string[];
    /** Accept anomalous images without a mask file (their `mask()` resolves to undefined) instead of failing. */
    allowMissingMasks?: boolean;
    /** Mask pixels above this value are foreground. Default 127 (0/255 masks); VisA defaults to 0 (its masks hold class indices). */
    maskThreshold?: number;
}
/** MVTec AD, BTAD, VisA (1-class split) and reorganised KolektorSDD2: class folders under train/, test/, ground_truth/. */
interface LayoutDatasetOptions extends CommonDatasetOptions {
    format: 'mvtec' | 'btad' | 'visa' | 'ksdd2';
    /** The folder holding the categories (or the category folder itself when `category` is omitted). */
    root: string;
    /** Category folder under root: 'bottle' (MVTec), '01' (BTAD), 'pcb1' (VisA), the split folder (KSDD2). */
    category?: string;
}
/** Any images in plain folders. */
interface FolderDatasetOptions extends CommonDatasetOptions {
    format: 'folder';
    /** Base for the relative folder paths below (default: the working directory). */
    root?: string;
    /** Normal images for training. */
    normalDir: string;
    /** Anomalous test images. */
    abnormalDir?: string;
    /** Masks for `abnormalDir`, matched by stem: `<stem>_mask.*` first, then `<stem>.*`. */
    maskDir?: string;
    /** Normal images for the test split. */
    normalTestDir?: string;
    /** Normal images for a validation split. */
    validationDir?: string;
    /**
     * Fraction (0..1) of `normalDir` moved to the test split as normal examples, picked evenly
     * spaced through the sorted list so the choice is deterministic. Default 0.
     */
    holdOutNormal?: number;
    /**
     * Explicit file lists used instead of listing the folders (names relative to the matching folder,
     * or absolute paths), kept in the order given.
     */
    files?: {
        normal?: string[];
        abnormal?: string[];
        normalTest?: string[];
        validation?: string[];
    };
}
type OpenDatasetOptions = LayoutDatasetOptions | FolderDatasetOptions;

/**
 * The contract between the fleet's clients and workers: job names, what a job carries, what it
 * returns, and how a failure keeps its typed reason through Redis (BullMQ stores only a message, so
 * the code travels as its prefix: "BAD_IMAGE: Cannot decode …").
 */

declare const LOCALIZE_JOB = "localize";
declare const FIT_JOB = "fit";
interface LocalizeJob {
    /** A path on the workers' file system (shared storage) or an http(s) URL. */
    image?: string;
    /** Or the image file's bytes, base64-encoded (for images that live nowhere else). */
    bytes?: string;
    /** Which of the worker's models; default: its first. */
    model?: string;
    /** Add the mask / a colour heatmap as base64 PNGs to the result. */
    mask?: boolean;
    heatmap?: boolean;
}
interface LocalizeJobResult extends LocalizeAnswer {
    /** host:pid of the worker that produced the result. */
    worker: string;
}
/** Options of createDetector and fit that survive JSON (no callbacks, signals or in-memory weights). */
type FitJobConfig = Omit<CreateDetectorOptions, 'onProgress' | 'weights'> & {
    weights?: string;
};
type FitJobFitOptions = Omit<DetectorFitOptions, 'onProgress' | 'signal' | 'validation'> & {
    validation?: boolean | Omit<ValidationOptions, 'images'>;
};
interface FitJob {
    /** The normal training images: a dataset as `openDataset` takes it (`{ format: 'folder', normalDir }`, `{ format: 'mvtec', root, category }` …). */
    dataset: OpenDatasetOptions;
    /** Where the model is saved: a path every worker that serves it can read (shared storage). */
    out: string;
    config?: FitJobConfig;
    fit?: FitJobFitOptions;
}
interface FitJobResult {
    out: string;
    images: number;
    epochs: number;
    seconds: number;
    threshold: number | null;
    worker: string;
}

interface FleetClientOptions {
    /** redis://HOST:PORT shared with the workers. */
    redis: string;
    queue: string;
    /** Tries per job before it fails (transient errors only; a bad image fails at once). Default 3. */
    attempts?: number;
    /** First retry delay in ms, doubled per retry. Default 1000. */
    backoffMs?: number;
    /** How long to await a result before rejecting with TIMEOUT (the job itself goes on). Default 10 min. */
    timeoutMs?: number;
}
interface EnqueueOptions {
    /**
     * Your id for the job. Enqueueing the same id again does not add a second job, so a client that
     * retries after a lost connection cannot duplicate work. Not a plain integer (BullMQ's rule).
     */
    jobId?: string;
}
interface FleetClient {
    localize(job: LocalizeJob, options?: EnqueueOptions): Promise<LocalizeJobResult>;
    fit(job: FitJob, options?: EnqueueOptions): Promise<FitJobResult>;
    /** Jobs by state (waiting, active, delayed, completed, failed …), for dashboards and autoscalers. */
    counts(): Promise<Record<string, number>>;
    close(): Promise<void>;
}
declare function createFleetClient(options: FleetClientOptions): Promise<FleetClient>;

export { type DanflowServer, type EnqueueOptions, FIT_JOB, type FitJob, type FitJobConfig, type FitJobFitOptions, type FitJobResult, type FleetClient, type FleetClientOptions, type FleetWorker, type FleetWorkerOptions, LOCALIZE_JOB, type LocalizeAnswer, type LocalizeJob, type LocalizeJobResult, type ModelInfo, type ModelSource, SERVE_DEFAULTS, type ServerOptions, createFleetClient, createServer, startWorker };
