/**
 * Messages between the page (main thread: UI only) and the worker that owns the detector, so fitting
 * and inference never block scrolling, clicks or the progress bar.
 */
import type { BackendName, BackendRequest, EngineName, ProgressEvent } from 'danflow';

export interface FitSettings {
  backend: BackendRequest;
  /** 'random' (offline, for trying things out) or a Hugging Face id such as hf:timm/resnet18.a1_in1k. */
  weights: string;
  inputSize: number;
  flowSteps: number;
  epochs: number;
  batchSize: number;
}

/** What the worker found about the machine, to explain the backend choice. */
export interface BackendProbe {
  webgpu: { available: boolean; adapter?: string; software?: boolean; reason?: string };
  webgl: { available: boolean; renderer?: string };
  crossOriginIsolated: boolean;
}

export type ToWorker =
  | { type: 'init'; wasmPaths: string; backend: BackendRequest }
  | { type: 'backend'; request: BackendRequest }
  | { type: 'fit'; images: ImageBitmap[]; settings: FitSettings }
  | { type: 'cancel' }
  | { type: 'localize'; items: { id: number; image: ImageBitmap }[] }
  | { type: 'save'; name: string }
  | { type: 'load'; source: { indexeddb: string } | { bytes: ArrayBuffer }; backend: BackendRequest; saveAs?: string };

export interface ModelInfo {
  backend: BackendName;
  /** What runs localize: 'onnxruntime' (onnxruntime-web, when it loaded) or 'tfjs'. */
  engine: EngineName;
  inputSize: number;
  flowSteps: number;
  threshold: number | null;
  finalLoss: number | null;
}

export type FromWorker =
  | { type: 'ready'; probe: BackendProbe }
  | { type: 'backend'; request: BackendRequest; backend: BackendName }
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'fitted'; model: ModelInfo; epochLosses: number[]; seconds: number }
  | { type: 'result'; id: number; score: number; threshold: number | null; isAnomalous: boolean; width: number; height: number; map: Float32Array; mask: Uint8Array }
  | { type: 'saved'; name: string }
  | { type: 'loaded'; model: ModelInfo }
  | { type: 'error'; during: string; code: string; message: string }
  /** Sent after every request has been handled (successfully or not). */
  | { type: 'done'; during: ToWorker['type'] };
