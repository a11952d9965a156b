/// <reference lib="webworker" />
/**
 * The detector lives here, off the main thread: feature extraction, training steps and inference
 * never block the page. The page sends decoded ImageBitmaps (transferred, not copied) and gets
 * progress events, maps and masks back (their buffers transferred too).
 */
import { createDetector, env, isDanflowError, loadDetector, useBackend, type Detector, type ProgressEvent as DanflowProgress } from 'danflow';
import type { BackendProbe, FromWorker, ModelInfo, ToWorker } from './protocol';

declare const self: DedicatedWorkerGlobalScope;

let detector: Detector | undefined;
let finalLoss: number | null = null;
let abort: AbortController | undefined;

const post = (msg: FromWorker, transfer: Transferable[] = []): void => self.postMessage(msg, transfer);

function info(det: Detector): ModelInfo {
  return { backend: det.backend, engine: det.engine, inputSize: det.config.inputSize, flowSteps: det.config.flowSteps, threshold: det.threshold ?? null, finalLoss };
}

interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
}

/** What this browser offers, so the page can explain which backend `auto` picked and why. */
async function probe(): Promise<BackendProbe> {
  const out: BackendProbe = { webgpu: { available: false }, webgl: { available: false }, crossOriginIsolated: self.crossOriginIsolated };
  const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<GpuAdapterLike | null> } }).gpu;
  if (!gpu) out.webgpu.reason = 'navigator.gpu is missing';
  else {
    const adapter = await gpu.requestAdapter().catch(() => null);
    if (!adapter) out.webgpu.reason = 'no WebGPU adapter';
    else {
      const i = adapter.info ?? {};
      const name = [i.vendor, i.architecture, i.description].filter(Boolean).join(' ') || 'unknown adapter';
      const software = !!(adapter.isFallbackAdapter ?? i.isFallbackAdapter) || /swiftshader|llvmpipe|lavapipe/i.test(name);
      out.webgpu = { available: true, adapter: name, software };
    }
  }
  try {
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2') as WebGL2RenderingContext | null;
    if (gl) {
      const dbg = gl.getExtension('WEBGL_debug_renderer_info');
      out.webgl = { available: true, renderer: String(gl.getParameter(dbg ? dbg.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) };
      gl.getExtension('WEBGL_lose_context')?.loseContext();
    }
  } catch {
    // no WebGL in workers here
  }
  return out;
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'init':
      env.wasmPaths = msg.wasmPaths;
      // localize runs in ONNX Runtime when onnxruntime-web loads (engine 'auto'); training stays on tfjs.
      // Its chunk and .wasm load only here, in the worker, and the app still works without them.
      env.onnxruntime = await import('onnxruntime-web').catch(() => undefined);
      post({ type: 'ready', probe: await probe() });
      post({ type: 'backend', request: msg.backend, backend: await useBackend(msg.backend) });
      return;

    case 'backend':
      // Initialise now (not at fit time) so the page can show what will run.
      post({ type: 'backend', request: msg.request, backend: await useBackend(msg.request) });
      return;

    case 'fit': {
      const s = msg.settings;
      detector?.dispose();
      detector = undefined;
      abort = new AbortController();
      const onProgress = (event: DanflowProgress): void => post({ type: 'progress', event });
      const det = await createDetector({ backend: s.backend, weights: s.weights, inputSize: s.inputSize, flowSteps: s.flowSteps, onProgress });
      try {
        const result = await det.fit(msg.images, { epochs: s.epochs, batchSize: s.batchSize, signal: abort.signal, onProgress });
        finalLoss = result.epochLosses.at(-1) ?? null;
        detector = det;
        post({ type: 'fitted', model: info(det), epochLosses: result.epochLosses, seconds: result.seconds });
      } catch (e) {
        det.dispose();
        throw e;
      } finally {
        for (const b of msg.images) b.close();
        abort = undefined;
      }
      return;
    }

    case 'localize': {
      if (!detector) throw Object.assign(new Error('Fit or load a model first.'), { code: 'NO_MODEL' });
      for (const { id, image } of msg.items) {
        const r = await detector.localize(image);
        image.close();
        const map = r.anomalyMap.data;
        const mask = r.mask.data;
        post({ type: 'result', id, score: r.score, threshold: r.threshold ?? null, isAnomalous: r.isAnomalous, width: r.anomalyMap.width, height: r.anomalyMap.height, map, mask }, [map.buffer, mask.buffer]);
      }
      return;
    }

    case 'save':
      if (!detector) throw Object.assign(new Error('No model to save.'), { code: 'NO_MODEL' });
      await detector.save(`indexeddb://${msg.name}`);
      post({ type: 'saved', name: msg.name });
      return;

    case 'load': {
      const source = 'indexeddb' in msg.source ? `indexeddb://${msg.source.indexeddb}` : new Uint8Array(msg.source.bytes);
      const det = await loadDetector(source, { backend: msg.backend });
      detector?.dispose();
      detector = det;
      finalLoss = null;
      if (msg.saveAs) await det.save(`indexeddb://${msg.saveAs}`);
      post({ type: 'loaded', model: info(det) });
      return;
    }

    case 'cancel':
      return;
  }
}

// One message at a time, in order — except cancel, which has to reach a fit that is running.
let queue: Promise<void> = Promise.resolve();
self.onmessage = (e: MessageEvent<ToWorker>) => {
  const msg = e.data;
  if (msg.type === 'cancel') {
    abort?.abort();
    return;
  }
  queue = queue.then(() =>
    handle(msg)
      .catch((err: unknown) => {
        const code = isDanflowError(err) ? err.code : ((err as { code?: string }).code ?? 'ERROR');
        post({ type: 'error', during: msg.type, code, message: (err as Error).message ?? String(err) });
      })
      .finally(() => post({ type: 'done', during: msg.type })),
  );
};
