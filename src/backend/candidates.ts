import * as tf from '@tensorflow/tfjs-core';
import { env, isNode } from '../env.js';
import type { BackendName } from './names.js';

/**
 * One way of getting a tfjs backend running. `load` imports the backend package (lazily, so apps
 * only pay for what they use) and must throw with a human reason when it cannot work here.
 */
export interface BackendCandidate {
  name: BackendName;
  /** Higher is tried first by `auto`. */
  priority: number;
  /** Whether `auto` should consider it in this environment. */
  autoEligible: boolean;
  /** Imports/registers the backend. `auto` is true when the caller did not ask for it by name. */
  load(auto: boolean): Promise<void>;
}

/** Hides a module name from bundlers so optional, Node-only peers are never resolved at build time. */
const importOptional = (name: string): Promise<unknown> =>
  (new Function('n', 'return import(n)') as (n: string) => Promise<unknown>)(name);

async function loadTensorflow(): Promise<void> {
  if (!isNode) throw new Error('only available in Node.js');
  const errors: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      await importOptional(pkg);
      if (tf.findBackendFactory('tensorflow')) return;
      errors.push(`${pkg} loaded but registered no 'tensorflow' backend (version mismatch with @tensorflow/tfjs-core?)`);
    } catch (e) {
      errors.push(`${pkg}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(
    `neither @tensorflow/tfjs-node-gpu (CUDA) nor @tensorflow/tfjs-node is installed — run ` +
      `\`npm install @tensorflow/tfjs-node\` (or -node-gpu) to use native TensorFlow. (${errors.join('; ')})`,
  );
}

interface GpuLike {
  requestAdapter(opts?: unknown): Promise<{ isFallbackAdapter?: boolean; info?: { isFallbackAdapter?: boolean; description?: string; vendor?: string } } | null>;
}

async function ensureNodeWebGpu(): Promise<void> {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  if (nav?.gpu) return;
  let mod: { create: (flags: string[]) => GpuLike; globals: Record<string, unknown> };
  try {
    mod = (await importOptional('webgpu')) as typeof mod;
  } catch (e) {
    throw new Error(`the \`webgpu\` package (Dawn for Node) is not installed — run \`npm install webgpu\` (${(e as Error).message.split('\n')[0]})`);
  }
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create([]);
  if (!(globalThis as { navigator?: unknown }).navigator) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else {
    Object.defineProperty((globalThis as unknown as { navigator: object }).navigator, 'gpu', { value: gpu, configurable: true });
  }
}

async function loadWebGpu(auto: boolean): Promise<void> {
  if (isNode) await ensureNodeWebGpu();
  const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (!gpu) throw new Error('navigator.gpu is missing (this browser has no WebGPU, or it is disabled)');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) throw new Error('no WebGPU adapter was found (no GPU driver; on Linux set VK_ICD_FILENAMES to a Vulkan ICD)');
  const fallback = adapter.isFallbackAdapter ?? adapter.info?.isFallbackAdapter ?? false;
  // A software rasteriser (SwiftShader) runs compute far slower than wasm; only use it when asked.
  if (fallback && auto) throw new Error('the only WebGPU adapter is a software fallback (e.g. SwiftShader); wasm is faster — request backend "webgpu" explicitly to use it anyway');
  await import('@tensorflow/tfjs-backend-webgpu');
}

async function loadWebGl(): Promise<void> {
  if (isNode) throw new Error('WebGL is only available in browsers');
  await import('@tensorflow/tfjs-backend-webgl');
}

async function loadWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (env.wasmPaths) wasm.setWasmPaths(env.wasmPaths);
}

async function loadCpu(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
}

export function defaultCandidates(): BackendCandidate[] {
  return [
    { name: 'tensorflow', priority: 50, autoEligible: isNode, load: () => loadTensorflow() },
    { name: 'webgpu', priority: 40, autoEligible: true, load: (auto) => loadWebGpu(auto) },
    { name: 'webgl', priority: 30, autoEligible: !isNode, load: () => loadWebGl() },
    { name: 'wasm', priority: 20, autoEligible: true, load: () => loadWasm() },
    { name: 'cpu', priority: 10, autoEligible: true, load: () => loadCpu() },
  ];
}
