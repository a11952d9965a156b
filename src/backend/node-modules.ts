/**
 * The threaded build of tfjs-backend-wasm (XNNPACK with a pthread pool) in Node, where tfjs itself
 * always runs the single-threaded one. Three things stop it (tfjs-backend-wasm 4.22, pinned):
 *  1. `WASM_HAS_MULTITHREAD_SUPPORT` is false whenever tfjs runs in Node (tensorflow/tfjs#3830).
 *  2. Forcing it does not help: init() hands Emscripten a blob: URL for the pthread worker and a Blob
 *     as the main script; Node's Worker and the worker's importScripts (fs.readFileSync) read neither.
 *  3. The binary sizes its pool as min(requested, 8, logical cores / 2) ("2 threads per core"), so a
 *     2-core machine gets 1 thread whatever setThreadsCount says.
 * So this calls the Emscripten factory from wasm-out/ (a self-contained CommonJS file workers can
 * load from disk) with our worker entry (wasm-pthread-worker.cjs, shipped next to this module),
 * answers the core-count import with 2·threads, and registers a 'wasm' backend built with tfjs's own
 * BackendWasm class, so every tfjs wasm kernel runs unchanged.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  HEAPU8: Uint8Array;
  wasmMemory?: WebAssembly.Memory;
  tfjs?: Record<string, unknown>;
  PThread?: { runningWorkers: { unref(): void }[] };
}

type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

/** The pthread worker entry: next to this module in src/ (tests) and in dist/ (copied by the build). */
function workerEntry(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.join(here, 'wasm-pthread-worker.cjs');
}

/**
 * The threaded backend when more than one thread is wanted: `requested` (env.numThreads), else every
 * core the process may use.
 */
export async function useThreadedWasm(requested: number | undefined, onFallback: (message: string) => void): Promise<void> {
  const threads = requested ?? (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
  if (threads > 1) await registerThreadedWasm(threads, onFallback);
}

/**
 * Registers (in place of tfjs's) a 'wasm' backend running the threaded-SIMD binary with `threads`
 * threads. Must run before the wasm backend is first created. Throws when a file it needs is missing.
 */
async function registerThreadedWasm(threads: number, onFallback: (message: string) => void): Promise<void> {
  const require = createRequire(import.meta.url);
  const wasmPkg = (await import('@tensorflow/tfjs-backend-wasm')) as typeof import('@tensorflow/tfjs-backend-wasm');
  const script = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
  const binary = path.join(path.dirname(script), 'tfjs-backend-wasm-threaded-simd.wasm');
  const worker = workerEntry();
  // Checked now, with the path, rather than failing inside a pthread later.
  if (!existsSync(worker)) throw new Error(`${worker} is missing (it ships next to danflow's dist files)`);
  const factory = require(script) as Factory;
  wasmPkg.setThreadsCount(threads);
  // tfjs's own factory (single-threaded), kept for when the threaded one cannot start.
  const stock = tf.findBackendFactory('wasm') as (() => tf.KernelBackend | Promise<tf.KernelBackend>) | undefined;
  if (stock) tf.removeBackend('wasm');
  const threaded = async () => {
    // Our own shared memory: growth replaces memory.buffer, and the heap view is re-derived from it.
    const memory = new WebAssembly.Memory({ initial: 256, maximum: 65536, shared: true });
    const module = await factory({
      wasmMemory: memory,
      instantiateWasm: (info: { env: Record<string, unknown> }, receive: (i: WebAssembly.Instance, m: WebAssembly.Module) => void) => {
        // Read once by backend.cc's pool sizing (note 3 above).
        info.env.emscripten_num_logical_cores = () => 2 * threads;
        WebAssembly.instantiate(readFileSync(binary), info as unknown as WebAssembly.Imports).then(({ instance, module: m }) => receive(instance, m));
        return {};
      },
      locateFile: (p: string, prefix: string) => (p.endsWith('.worker.js') ? worker : p.endsWith('.wasm') ? binary : prefix + p),
      // Workers importScripts() the main script from this path.
      mainScriptUrlOrBlob: script,
    });
    keepHeapViewFresh(module, memory);
    module.wasmMemory = memory;
    module.tfjs = {
      init: module.cwrap('init', null, []),
      initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
      getThreadsCount: module.cwrap('get_threads_count', 'number', []),
      registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
      disposeData: module.cwrap('dispose_data', null, ['number']),
      dispose: module.cwrap('dispose', null, []),
    };
    const backend = new wasmPkg.BackendWasm(module as never);
    // Pool threads never return and Emscripten ref()s a worker while it runs one: without this
    // the process would never exit on its own.
    for (const w of module.PThread?.runningWorkers ?? []) w.unref();
    return backend;
  };
  tf.registerBackend(
    'wasm',
    async () => {
      try {
        return await threaded();
      } catch (e) {
        if (!stock) throw e;
        onFallback(`could not start the threaded wasm backend (${(e as Error).message}); running on one thread`);
        wasmPkg.setThreadsCount(1);
        return stock();
      }
    },
    2,
  );
}

/**
 * tfjs's BackendWasm reads `wasm.HEAPU8` directly, and with shared memory growth replaces the
 * buffer; Emscripten refreshes its view only when its own code touches the heap. A getter that
 * re-wraps the current buffer when it changed rules out a stale (too short) view.
 */
function keepHeapViewFresh(module: EmscriptenModule, memory: WebAssembly.Memory): void {
  let view = module.HEAPU8;
  Object.defineProperty(module, 'HEAPU8', {
    configurable: true,
    get() {
      if (view.buffer !== memory.buffer) view = new Uint8Array(memory.buffer);
      return view;
    },
    set(v: Uint8Array) {
      view = v;
    },
  });
}
