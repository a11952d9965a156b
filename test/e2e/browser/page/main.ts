/**
 * Test page for test/e2e/browser/webgpu.test.ts. It imports `danflow` exactly as an app would (Vite
 * resolves it to the built dist/), and exposes a small async API on `window.dfx` that the test
 * drives with page.evaluate. Everything returned is plain JSON (maps as number arrays).
 */
import * as tf from '@tensorflow/tfjs-core';
import { createDetector, env, isDanflowError, loadDetector, useBackend, type BackendRequest, type ImageInput } from 'danflow';

// The wasm backend fetches its .wasm binaries from here; the test server mounts node_modules/@tensorflow.
env.wasmPaths = new URL('/node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.href).href;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A textured "normal" part (stripes + noise), optionally with a dark blob defect. Opaque. */
function synth(size: number, seed: number, defect = false): ImageData {
  const rnd = mulberry32(seed);
  const img = new ImageData(size, size);
  const phase = rnd() * Math.PI;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const stripe = 30 * Math.sin((x + y) * 0.6 + phase);
      let v = 128 + stripe + (rnd() - 0.5) * 16;
      if (defect) {
        const dx = x - size * 0.62;
        const dy = y - size * 0.38;
        if (dx * dx + dy * dy < (size * 0.14) ** 2) v = 20 + rnd() * 10;
      }
      const i = (y * size + x) * 4;
      img.data[i] = v;
      img.data[i + 1] = v * 0.9 + 10;
      img.data[i + 2] = v * 0.7 + 30;
      img.data[i + 3] = 255;
    }
  }
  return img;
}

function toCanvas(img: ImageData): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = img.width;
  c.height = img.height;
  c.getContext('2d')!.putImageData(img, 0, 0);
  return c;
}

async function toBlob(img: ImageData): Promise<Blob> {
  return new Promise((resolve, reject) => toCanvas(img).toBlob((b) => (b ? resolve(b) : reject(new Error('toBlob failed'))), 'image/png'));
}

async function toImg(img: ImageData): Promise<HTMLImageElement> {
  const el = new Image();
  el.src = URL.createObjectURL(await toBlob(img));
  await el.decode();
  return el;
}

type Kind = 'imagedata' | 'canvas' | 'bitmap' | 'blob' | 'img';

async function as(kind: Kind, img: ImageData): Promise<ImageInput> {
  switch (kind) {
    case 'imagedata':
      return img;
    case 'canvas':
      return toCanvas(img);
    case 'bitmap':
      return createImageBitmap(img);
    case 'blob':
      return toBlob(img);
    case 'img':
      return toImg(img);
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Counts timer ticks and the longest gap between them while `work` runs: is the page responsive? */
async function monitored<T>(work: () => Promise<T>): Promise<{ value: T; ticks: number; maxGapMs: number }> {
  let ticks = 0;
  let last = performance.now();
  let maxGapMs = 0;
  const id = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    ticks++;
  }, 10);
  try {
    const value = await work();
    maxGapMs = Math.max(maxGapMs, performance.now() - last);
    return { value, ticks, maxGapMs };
  } finally {
    clearInterval(id);
  }
}

/** The bits of WebGPU this page reads (lib.dom has no WebGPU types in TypeScript 5.9). */
interface GpuLike {
  requestAdapter(): Promise<{ info?: { vendor: string; architecture: string; description: string; isFallbackAdapter?: boolean } } | null>;
}

const IMAGE_SIZE = 48;
const TEST_IMAGE = (): ImageData => synth(IMAGE_SIZE, 999, true);

interface FitSaveOptions {
  backend: BackendRequest;
  name: string;
  inputSize?: number;
  images?: number;
  epochs?: number;
  /** Also localise the test image as canvas/ImageBitmap/Blob/<img> and compare with ImageData. */
  checkInputKinds?: boolean;
}

const api = {
  async probe() {
    const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
    const adapter = gpu ? await gpu.requestAdapter() : null;
    const info = adapter?.info;
    const gl = document.createElement('canvas').getContext('webgl2');
    const dbg = gl?.getExtension('WEBGL_debug_renderer_info');
    return {
      hasNavigatorGpu: !!gpu,
      adapter: info
        ? { vendor: info.vendor, architecture: info.architecture, description: info.description, isFallbackAdapter: info.isFallbackAdapter ?? null }
        : null,
      webglRenderer: gl ? String(gl.getParameter(dbg ? dbg.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : null,
      crossOriginIsolated,
    };
  },

  async select(request: BackendRequest) {
    try {
      const backend = await useBackend(request);
      return { ok: true as const, backend, tfBackend: tf.getBackend() };
    } catch (e) {
      return { ok: false as const, code: isDanflowError(e) ? e.code : 'OTHER', message: (e as Error).message };
    }
  },

  /** Fit on synthetic normal images (mixed input kinds), localise the defect image, save to IndexedDB. */
  async fitSave(o: FitSaveOptions) {
    const t0 = performance.now();
    const det = await createDetector({ backend: o.backend, inputSize: o.inputSize ?? 32, flowSteps: 1, numDw: 1, seed: 7 });
    const createMs = performance.now() - t0;
    const kinds: Kind[] = ['imagedata', 'bitmap', 'canvas', 'imagedata'];
    const normals: ImageInput[] = [];
    for (let i = 0; i < (o.images ?? 4); i++) normals.push(await as(kinds[i % kinds.length], synth(IMAGE_SIZE, i + 1)));
    const stepLosses: number[] = [];
    const events: string[] = [];
    const t1 = performance.now();
    const fit = await monitored(() =>
      det.fit(normals, {
        epochs: o.epochs ?? 2,
        batchSize: 2,
        learningRate: 1e-3,
        onProgress: (e) => {
          events.push(e.type);
          if (e.type === 'step') stepLosses.push(e.loss);
        },
      }),
    );
    const fitMs = performance.now() - t1;
    const test = TEST_IMAGE();
    const t2 = performance.now();
    const r = await det.localize(test);
    const localizeMs = performance.now() - t2;
    let inputKindDiffs: Record<string, number> | undefined;
    if (o.checkInputKinds) {
      const others: Kind[] = ['canvas', 'bitmap', 'blob', 'img'];
      const results = await det.localize(await Promise.all(others.map((k) => as(k, test))));
      inputKindDiffs = Object.fromEntries(others.map((k, i) => [k, maxAbsDiff(results[i].anomalyMap.data, r.anomalyMap.data)]));
    }
    // A normal image (not in the training set) should score below the defect image.
    const normalScore = (await det.localize(synth(IMAGE_SIZE, 1234))).score;
    const t3 = performance.now();
    await det.save(`indexeddb://${o.name}`);
    const saveMs = performance.now() - t3;
    const out = {
      backend: det.backend,
      tfBackend: tf.getBackend(),
      epochLosses: fit.value.epochLosses,
      stepLosses,
      progressTypes: [...new Set(events)],
      timerTicksDuringFit: fit.ticks,
      maxTimerGapMs: Math.round(fit.maxGapMs),
      score: r.score,
      normalScore,
      threshold: det.threshold ?? null,
      maskSum: r.mask.data.reduce((s, v) => s + v, 0),
      map: Array.from(r.anomalyMap.data),
      mapSize: [r.anomalyMap.width, r.anomalyMap.height],
      inputKindDiffs,
      ms: { create: Math.round(createMs), fit: Math.round(fitMs), localize: Math.round(localizeMs), save: Math.round(saveMs) },
    };
    det.dispose();
    return out;
  },

  /** Load a model saved by fitSave from IndexedDB on `backend` and localise the same test image. */
  async localizeSaved(o: { name: string; backend: BackendRequest }) {
    const t0 = performance.now();
    const det = await loadDetector(`indexeddb://${o.name}`, { backend: o.backend });
    const loadMs = performance.now() - t0;
    const t1 = performance.now();
    const r = await det.localize(TEST_IMAGE());
    const localizeMs = performance.now() - t1;
    const out = {
      backend: det.backend,
      tfBackend: tf.getBackend(),
      score: r.score,
      threshold: det.threshold ?? null,
      map: Array.from(r.anomalyMap.data),
      ms: { load: Math.round(loadMs), localize: Math.round(localizeMs) },
    };
    det.dispose();
    return out;
  },

  /** Start a long fit and abort it at the first step: it must stop with an ABORTED error. */
  async cancel(o: { backend: BackendRequest }) {
    const det = await createDetector({ backend: o.backend, inputSize: 32, flowSteps: 1, numDw: 1 });
    const ac = new AbortController();
    const t0 = performance.now();
    let steps = 0;
    let abortedAt = 0;
    try {
      await det.fit([synth(IMAGE_SIZE, 1), synth(IMAGE_SIZE, 2)], {
        epochs: 1000,
        batchSize: 1,
        signal: ac.signal,
        onProgress: (e) => {
          if (e.type === 'step' && ++steps === 1) {
            abortedAt = performance.now();
            ac.abort();
          }
        },
      });
      return { code: 'NOT_ABORTED', steps, ms: Math.round(performance.now() - t0) };
    } catch (e) {
      return { code: isDanflowError(e) ? e.code : `OTHER: ${(e as Error).message}`, steps, msAfterAbort: Math.round(performance.now() - abortedAt) };
    } finally {
      det.dispose();
    }
  },
};

declare global {
  interface Window {
    dfx: typeof api;
  }
}
window.dfx = api;
document.getElementById('status')!.textContent = 'ready';
