/**
 * One ONNX Runtime session over a graph with danflow's contract (engine/contract.ts). The same
 * class serves onnxruntime-node and onnxruntime-web: their InferenceSession/Tensor API is shared.
 */
import { isNode, requestedThreads } from '../../core/env.js';
import { nodeOs } from '../../io/node-modules.js';
import { INPUT_NAME, OUTPUT_MAP, OUTPUT_SCORE } from '../contract.js';
import { loadOrt, type OrtModule, type OrtSession } from './load.js';

export interface SessionOptions {
  /** Intra-op threads (default: env.numThreads, else all cores). */
  threads?: number;
  /** Browsers: try the WebGPU execution provider before wasm. */
  webgpu?: boolean;
  /** 'all' (default); 'disabled' only to measure what ORT's graph optimiser does. */
  optimization?: 'all' | 'extended' | 'basic' | 'disabled';
  ort?: OrtModule;
}

/** env.numThreads, else all cores in Node and half of them in browsers. */
export async function threadCount(): Promise<number> {
  const requested = requestedThreads();
  if (requested !== undefined) return requested;
  if (isNode) {
    const os = await nodeOs();
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  }
  // Browsers: half the cores, at most 4 (onnxruntime-web's own rule). The page's main thread is one
  // of the cores; on a 2-core machine 2 wasm threads never returned from the first session
  // (chromium, cross-origin isolated, measured) while 1 works.
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1;
  return Math.min(4, Math.ceil(cores / 2));
}

export class OrtEngine {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    readonly inputSize: number,
    readonly threads: number,
  ) {}

  static async create(model: Uint8Array, inputSize: number, options: SessionOptions = {}): Promise<OrtEngine> {
    const ort = options.ort ?? (await loadOrt());
    const threads = options.threads ?? (await threadCount());
    // onnxruntime-web reads its wasm thread count when it first initialises (once per page).
    if (!isNode && ort.env?.wasm && ort.env.wasm.numThreads === undefined) ort.env.wasm.numThreads = threads;
    const session = await ort.InferenceSession.create(model, {
      graphOptimizationLevel: options.optimization ?? 'all',
      executionMode: 'sequential',
      interOpNumThreads: 1,
      intraOpNumThreads: threads,
      ...(isNode ? {} : { executionProviders: options.webgpu ? ['webgpu', 'wasm'] : ['wasm'] }),
    });
    return new OrtEngine(ort, session, inputSize, threads);
  }

  /** `images`: NCHW float32 in [0, 1], n images → maps [n·S·S] (the anomaly_map output flattened) and scores [n]. */
  async run(images: Float32Array, n: number): Promise<{ maps: Float32Array; scores: Float32Array }> {
    const s = this.inputSize;
    const input = new this.ort.Tensor('float32', images, [n, 3, s, s]);
    const out = await this.session.run({ [INPUT_NAME]: input });
    input.dispose?.();
    const maps = out[OUTPUT_MAP].data as Float32Array;
    const scores = out[OUTPUT_SCORE].data as Float32Array;
    return { maps, scores };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
