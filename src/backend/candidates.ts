import * as tf from '@tensorflow/tfjs-core';
import { env, isNode, log, requestedThreads } from '../core/env.js';
import { useThreadedWasm } from './node-modules.js';
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
  /** Runs once the backend is active (first-use set-up). */
  ready?(): void;
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

interface GpuAdapterInfoLike {
  isFallbackAdapter?: boolean;
  description?: string;
  vendor?: string;
  architecture?: string;
  device?: string;
}

interface GpuLike {
  requestAdapter(opts?: unknown): Promise<{ isFallbackAdapter?: boolean; info?: GpuAdapterInfoLike } | null>;
}

/** Software rasterisers: SwiftShader (Chrome, Dawn), llvmpipe/lavapipe/softpipe (Mesa), WARP (Windows). */
const SOFTWARE_RENDERER = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|\bwarp\b/i;

/** Whether an adapter is a CPU implementation: flagged as fallback, or named like one (lavapipe is not flagged). */
function isSoftwareAdapter(adapter: { isFallbackAdapter?: boolean; info?: GpuAdapterInfoLike }): boolean {
  if (adapter.isFallbackAdapter ?? adapter.info?.isFallbackAdapter) return true;
  const i = adapter.info;
  return !!i && SOFTWARE_RENDERER.test([i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(' '));
}

function describeAdapter(info: GpuAdapterInfoLike | undefined): string {
  const parts = [info?.vendor, info?.architecture, info?.description].filter((p) => p);
  return parts.length ? parts.join(' ') : 'unknown adapter';
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
  // A software rasteriser (SwiftShader) runs compute far slower than wasm; only use it when asked.
  if (auto && isSoftwareAdapter(adapter)) {
    throw new Error(`the only WebGPU adapter is a software fallback (${describeAdapter(adapter.info)}); wasm is faster — request backend "webgpu" explicitly to use it anyway`);
  }
  await import('@tensorflow/tfjs-backend-webgpu');
}

/** The WebGL renderer string (unmasked where the browser allows), or null when WebGL is unavailable. */
function probeWebGl(): string | null {
  let canvas: { getContext(kind: string): unknown } | undefined;
  try {
    if (typeof OffscreenCanvas !== 'undefined') canvas = new OffscreenCanvas(1, 1);
    else if (typeof document !== 'undefined') canvas = document.createElement('canvas');
  } catch {
    return null;
  }
  if (!canvas) return null;
  const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
  if (!gl) return null;
  const dbg = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(dbg ? dbg.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return renderer;
}

async function loadWebGl(auto: boolean): Promise<void> {
  if (isNode) throw new Error('WebGL is only available in browsers');
  const renderer = probeWebGl();
  if (renderer === null) throw new Error('WebGL is unavailable (no webgl2/webgl context could be created)');
  // Same policy as WebGPU: a software renderer (SwiftShader, llvmpipe) is slower than wasm, so `auto`
  // skips it. tfjs-webgl refuses such contexts by default (failIfMajorPerformanceCaveat); an
  // explicit request opts in via its SOFTWARE_WEBGL_ENABLED flag.
  const software = SOFTWARE_RENDERER.test(renderer);
  if (auto && software) throw new Error(`the only WebGL renderer is a software one (${renderer}); wasm is faster — request backend "webgl" explicitly to use it anyway`);
  await import('@tensorflow/tfjs-backend-webgl');
  if (software) tf.env().set('SOFTWARE_WEBGL_ENABLED', true);
}

async function loadWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (env.wasmPaths) wasm.setWasmPaths(env.wasmPaths);
  // In browsers tfjs picks its threaded build on cross-origin-isolated pages, and under bundlers
  // (Vite, measured in chromium) its pthread workers load the app's bundle instead of the wasm
  // glue, fail ("document is not defined") and localize never returns. One thread there; the
  // onnxruntime engine is the threaded path in browsers.
  if (!isNode) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  // Node gets threads through our loader. Only before the backend exists: replacing it would orphan its tensors.
  if (isNode && !tf.findBackend('wasm')) {
    await useThreadedWasm(requestedThreads(), (m) => log('warn', m));
  }
}

async function loadCpu(): Promise<void> {
  await import('@tensorflow/tfjs-backend-cpu');
}

/**
 * tfjs-backend-cpu greets Node users on its first tensor with advice to install tfjs-node; here that
 * misleads (danflow chose cpu on purpose, or was asked to). Its first write happens with tfjs's
 * production flag briefly on, which is what silences tfjs warnings.
 */
function quietCpuGreeting(): void {
  const prod = tf.env().getBool('PROD');
  tf.env().set('PROD', true);
  try {
    tf.dispose(tf.scalar(0));
  } finally {
    tf.env().set('PROD', prod);
  }
}

export function defaultCandidates(): BackendCandidate[] {
  return [
    { name: 'tensorflow', priority: 50, autoEligible: isNode, load: () => loadTensorflow() },
    { name: 'webgpu', priority: 40, autoEligible: true, load: (auto) => loadWebGpu(auto) },
    { name: 'webgl', priority: 30, autoEligible: !isNode, load: (auto) => loadWebGl(auto) },
    { name: 'wasm', priority: 20, autoEligible: true, load: () => loadWasm() },
    { name: 'cpu', priority: 10, autoEligible: true, load: () => loadCpu(), ready: quietCpuGreeting },
  ];
}
