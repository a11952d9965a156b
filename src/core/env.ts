/**
 * One mutable settings object, in the manner of transformers.js `env`: set it once at start-up
 * instead of threading options through every call.
 */
export interface DanflowEnv {
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

function readProcessEnv(name: string): string | undefined {
  const p = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return p?.env?.[name];
}

export const env: DanflowEnv = {
  cacheDir: readProcessEnv('DANFLOW_CACHE'),
  useCache: readProcessEnv('DANFLOW_NO_CACHE') === undefined,
  hubEndpoint: readProcessEnv('HF_ENDPOINT') ?? 'https://huggingface.co',
  allowRemote: readProcessEnv('DANFLOW_OFFLINE') === undefined && readProcessEnv('HF_HUB_OFFLINE') !== '1',
  fetch: undefined,
  wasmPaths: undefined,
  logLevel: 'warn',
  numThreads: undefined,
  trainingKernels: readProcessEnv('DANFLOW_TRAINING_KERNELS') === 'tfjs' ? 'tfjs' : 'danflow',
  onnxruntime: undefined,
};

export const isNode: boolean =
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string' &&
  typeof (globalThis as { window?: unknown }).window === 'undefined';

/** env.numThreads, checked: a positive integer, or undefined for the default. */
export function requestedThreads(): number | undefined {
  const n = env.numThreads;
  if (n !== undefined && (!Number.isInteger(n) || n < 1)) throw new RangeError(`env.numThreads must be a positive integer (got ${n})`);
  return n;
}

export function log(level: 'warn' | 'info' | 'debug', message: string): void {
  const order = { silent: 0, warn: 1, info: 2, debug: 3 } as const;
  if (order[env.logLevel] >= order[level]) console.warn(`[danflow] ${message}`);
}
