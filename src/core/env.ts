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
};

export const isNode: boolean =
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string' &&
  typeof (globalThis as { window?: unknown }).window === 'undefined';

export function log(level: 'warn' | 'info' | 'debug', message: string): void {
  const order = { silent: 0, warn: 1, info: 2, debug: 3 } as const;
  if (order[env.logLevel] >= order[level]) console.warn(`[danflow] ${message}`);
}
