/**
 * Test page for test/e2e/browser/onnxruntime-web.test.ts: one detector config localised with the
 * tfjs wasm backend and with the onnxruntime engine (onnxruntime-web, bundled by Vite as an app
 * would, handed over through env.onnxruntime), on the same weights and images. Returns timings and
 * the results for comparison; the test asserts equality and prints the timings.
 */
import { createDetector, env, type DetectorOptions } from 'danflow';
import * as ort from 'onnxruntime-web';

env.wasmPaths = new URL('/node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.href).href;

function image(size: number, seed: number): ImageData {
  const img = new ImageData(size, size);
  let x = seed >>> 0;
  for (let i = 0; i < img.data.length; i += 4) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const v = 100 + ((x >>> 24) % 80);
    img.data.set([v, v * 0.9, v * 0.8, 255], i);
  }
  return img;
}

interface Run {
  engine: string;
  backend: string;
  setupMs: number;
  localizeMs: number[];
  scores: number[];
  maps: number[][];
}

async function run(options: DetectorOptions, engine: 'tfjs' | 'onnxruntime', repeats: number): Promise<Run> {
  const det = await createDetector({ ...options, backend: 'wasm', engine });
  try {
    const s = det.config.inputSize;
    const images = [image(s, 1), image(s, 2)];
    const t0 = performance.now();
    await det.localize(images[0], { threshold: 0 }); // warm-up: kernels, and for onnxruntime the export and session
    const setupMs = performance.now() - t0;
    const localizeMs: number[] = [];
    let results = await det.localize(images, { threshold: 0 });
    for (let r = 0; r < repeats; r++) {
      const t = performance.now();
      results = [await det.localize(images[r % 2], { threshold: 0 })];
      localizeMs.push(performance.now() - t);
    }
    results = await det.localize(images, { threshold: 0 });
    return { engine: det.engine, backend: det.backend, setupMs, localizeMs, scores: results.map((r) => r.score), maps: results.map((r) => Array.from(r.anomalyMap.data)) };
  } finally {
    det.dispose();
  }
}

declare global {
  interface Window {
    ortBench: (a: { options: DetectorOptions; repeats: number }) => Promise<{ tfjs: Run; ort: Run; crossOriginIsolated: boolean; threads: number }>;
  }
}

window.ortBench = async ({ options, repeats }) => {
  const tfjs = await run(options, 'tfjs', repeats);
  env.onnxruntime = ort;
  try {
    const onnx = await run(options, 'onnxruntime', repeats);
    return { tfjs, ort: onnx, crossOriginIsolated: self.crossOriginIsolated, threads: navigator.hardwareConcurrency };
  } finally {
    env.onnxruntime = undefined;
  }
};
document.getElementById('status')!.textContent = 'ready';
