/**
 * Real-browser tests: Debian's chromium, headless, driven by playwright-core, with WebGPU on Dawn +
 * SwiftShader's Vulkan and WebGL on ANGLE + SwiftShader. The page (test/e2e/browser/page) is bundled
 * by Vite against the built dist/ and served with node_modules/@tensorflow (the wasm binaries)
 * from 127.0.0.1.
 *
 * Skips (with the reason printed) only when no chromium binary exists. When chromium is there but
 * WebGPU does not come up, the tests fail.
 *
 * Tolerance: maps are in [−1, 0]; WebGPU/WebGL vs the pure-JS CPU backend (and wasm) differ only by
 * float32 rounding in different op orders. Observed on SwiftShader (inputSize 32, 48×48 image):
 * webgpu vs cpu ≤ 1.8e-7, webgpu vs wasm ≤ 6.0e-7, webgl vs wasm ≤ 5.4e-7; asserted ≤ 1e-4
 * (MAP_TOLERANCE, the golden tests' tolerance). The run prints the measurements.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ensureDist, findChromium, launchChromium, maxAbsDiff, openPage, REPO, serveStatic, viteBuild, type StaticServer } from './harness.js';

/** Max |Δ| allowed between anomaly maps of a GPU backend and the CPU/wasm backends. */
const MAP_TOLERANCE = 1e-4;
/** Max |Δ| on WebGPU between maps of one model before and after save → reload (float32 rounding; 1.2e-7 seen). */
const RELOAD_TOLERANCE = 1e-6;

const chromiumPath = findChromium();
if (!chromiumPath) console.warn('[danflow browser tests] SKIPPED: no chromium binary found (install Debian `chromium` or set CHROMIUM_PATH).');

type Dfx = typeof import('./page/main.js') extends never ? never : Window['dfx'];

async function call<K extends keyof Dfx>(page: Page, name: K, arg?: Parameters<Dfx[K]>[0]): Promise<Awaited<ReturnType<Dfx[K]>>> {
  await page.waitForFunction(() => (window as unknown as { dfx?: unknown }).dfx !== undefined, undefined, { timeout: 60_000 });
  return page.evaluate(
    ([n, a]) => (window.dfx as unknown as Record<string, (x: unknown) => Promise<unknown>>)[n as string](a),
    [name, arg] as const,
  ) as Promise<Awaited<ReturnType<Dfx[K]>>>;
}

/** Hides WebGPU from the page, as in a browser without it. */
const NO_WEBGPU = `Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined, configurable: true });`;

/** Makes WebGL report a hardware renderer, to exercise auto's WebGPU → WebGL step on a software-only machine. */
const FAKE_HW_WEBGL = `(() => {
  for (const C of [WebGLRenderingContext, WebGL2RenderingContext]) {
    const get = C.prototype.getParameter;
    C.prototype.getParameter = function (p) { return p === 0x9246 || p === 0x1f01 ? 'Test Hardware GPU' : get.call(this, p); };
  }
})();`;

/** Makes the WebGPU adapter look like a hardware one. */
const FAKE_HW_WEBGPU = `(() => {
  const d = Object.getOwnPropertyDescriptor(GPUAdapter.prototype, 'info');
  Object.defineProperty(GPUAdapter.prototype, 'info', { configurable: true, get() {
    const i = d.get.call(this);
    return { vendor: 'test', architecture: 'test-gpu', device: '', description: 'Test Hardware GPU', isFallbackAdapter: false, subgroupMinSize: i.subgroupMinSize, subgroupMaxSize: i.subgroupMaxSize };
  } });
})();`;

const summary: Record<string, unknown> = {};

describe.skipIf(!chromiumPath)('browser: chromium headless + SwiftShader', () => {
  let browser: Browser;
  let server: StaticServer;
  let outDir: string;
  let base: string;

  beforeAll(async () => {
    const t0 = Date.now();
    ensureDist();
    outDir = await viteBuild(join(REPO, 'test/e2e/browser/page'));
    server = await serveStatic({ '/node_modules/@tensorflow/': join(REPO, 'node_modules/@tensorflow'), '/': outDir });
    base = `${server.url}/index.html`;
    browser = await launchChromium(chromiumPath!);
    summary.setupMs = Date.now() - t0;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
    console.log('[danflow browser tests] measurements', JSON.stringify(summary, null, 1));
  });

  it('WebGPU comes up (SwiftShader); auto prefers wasm over software WebGPU/WebGL', async () => {
    const { context, page, logs } = await openPage(browser, base);
    try {
      const probe = await call(page, 'probe');
      summary.probe = probe;
      expect(probe.hasNavigatorGpu, `navigator.gpu is missing — chromium did not enable WebGPU (flags?). Page log:\n${logs.join('\n')}`).toBe(true);
      expect(probe.adapter, 'navigator.gpu.requestAdapter() returned null: no Vulkan/SwiftShader adapter').not.toBeNull();
      const auto = await call(page, 'select', 'auto');
      expect(auto).toMatchObject({ ok: true, backend: 'wasm', tfBackend: 'wasm' });
      const gpu = await call(page, 'select', 'webgpu');
      expect(gpu, JSON.stringify(gpu)).toMatchObject({ ok: true, backend: 'webgpu', tfBackend: 'webgpu' });
    } finally {
      await context.close();
    }
  });

  it('webgpu: fit lowers the loss; maps match wasm/cpu; the IndexedDB model gives the same map after a page reload', async () => {
    const { context, page, logs } = await openPage(browser, base);
    try {
      const t0 = Date.now();
      const fitted = await call(page, 'fitSave', { backend: 'webgpu', name: 'gpu-model', inputSize: 32, images: 2, epochs: 2, checkInputKinds: true });
      const { map, ...rest } = fitted;
      summary.webgpuFit = { ...rest, wallMs: Date.now() - t0 };
      expect(fitted.backend).toBe('webgpu');
      expect(fitted.tfBackend).toBe('webgpu');
      expect(fitted.epochLosses.every(Number.isFinite)).toBe(true);
      expect(fitted.epochLosses.at(-1)!).toBeLessThan(fitted.epochLosses[0]);
      expect(fitted.progressTypes).toEqual(expect.arrayContaining(['features', 'step', 'epoch']));
      // The library yields between steps: timers kept firing while fit() ran.
      expect(fitted.timerTicksDuringFit).toBeGreaterThan(0);
      expect(map.every(Number.isFinite)).toBe(true);
      expect(fitted.score).toBeGreaterThan(fitted.normalScore);
      // canvas / ImageBitmap / PNG Blob / <img> of the same pixels give the ImageData map.
      for (const [kind, d] of Object.entries(fitted.inputKindDiffs!)) expect(d, kind).toBeLessThanOrEqual(1e-5);

      const before = await call(page, 'localizeSaved', { name: 'gpu-model', backend: 'webgpu' });
      const cpuBefore = await call(page, 'localizeSaved', { name: 'gpu-model', backend: 'cpu' });
      await page.reload();
      const reloaded = await call(page, 'localizeSaved', { name: 'gpu-model', backend: 'webgpu' });
      const wasm = await call(page, 'localizeSaved', { name: 'gpu-model', backend: 'wasm' });
      const cpu = await call(page, 'localizeSaved', { name: 'gpu-model', backend: 'cpu' });
      const diffs = {
        cpuBeforeVsAfterReload: maxAbsDiff(cpuBefore.map, cpu.map),
        webgpuBeforeVsAfterReload: maxAbsDiff(before.map, reloaded.map),
        fitVsReloaded: maxAbsDiff(map, reloaded.map),
        webgpuVsWasm: maxAbsDiff(map, wasm.map),
        webgpuVsCpu: maxAbsDiff(map, cpu.map),
        wasmVsCpu: maxAbsDiff(wasm.map, cpu.map),
      };
      summary.webgpuDiffs = diffs;
      summary.webgpuLoad = { webgpu: reloaded.ms, wasm: wasm.ms, cpu: cpu.ms, scores: { webgpu: fitted.score, wasm: wasm.score, cpu: cpu.score } };
      expect(reloaded.backend).toBe('webgpu');
      expect(wasm.tfBackend).toBe('wasm');
      expect(cpu.tfBackend).toBe('cpu');
      expect(reloaded.threshold).toBe(fitted.threshold);
      // The saved model gives the same map after a page reload: bit-identical on the deterministic
      // cpu backend; on WebGPU up to float32 rounding (kernels are not bit-reproducible across pages).
      expect(diffs.cpuBeforeVsAfterReload).toBe(0);
      expect(diffs.webgpuBeforeVsAfterReload).toBeLessThanOrEqual(RELOAD_TOLERANCE);
      expect(diffs.fitVsReloaded).toBeLessThanOrEqual(RELOAD_TOLERANCE);
      expect(diffs.webgpuVsWasm).toBeLessThanOrEqual(MAP_TOLERANCE);
      expect(diffs.webgpuVsCpu).toBeLessThanOrEqual(MAP_TOLERANCE);
      expect(Math.abs(fitted.score - cpu.score)).toBeLessThanOrEqual(MAP_TOLERANCE);
      expect(logs.filter((l) => l.startsWith('[pageerror]'))).toEqual([]);
    } finally {
      await context.close();
    }
  }, 360_000);

  it('webgl fallback: without WebGPU, webgpu fails clearly and webgl fits and matches wasm', async () => {
    const { context, page } = await openPage(browser, base, NO_WEBGPU);
    try {
      const gpu = await call(page, 'select', 'webgpu');
      expect(gpu.ok).toBe(false);
      if (!gpu.ok) {
        expect(gpu.code).toBe('BACKEND_UNAVAILABLE');
        expect(gpu.message).toMatch(/navigator\.gpu/);
      }
      const t0 = Date.now();
      const fitted = await call(page, 'fitSave', { backend: 'webgl', name: 'gl-model', inputSize: 32, images: 2, epochs: 2 });
      const { map, ...rest } = fitted;
      summary.webglFit = { ...rest, wallMs: Date.now() - t0 };
      expect(fitted.tfBackend).toBe('webgl');
      expect(fitted.epochLosses.at(-1)!).toBeLessThan(fitted.epochLosses[0]);
      const wasm = await call(page, 'localizeSaved', { name: 'gl-model', backend: 'wasm' });
      summary.webglVsWasm = maxAbsDiff(map, wasm.map);
      expect(maxAbsDiff(map, wasm.map)).toBeLessThanOrEqual(MAP_TOLERANCE);
    } finally {
      await context.close();
    }
  }, 240_000);

  it('auto walks WebGPU → WebGL → wasm by what the hardware offers', async () => {
    const cases: [string, string, string][] = [
      ['hardware WebGPU', FAKE_HW_WEBGPU, 'webgpu'],
      ['no WebGPU, hardware WebGL', NO_WEBGPU + FAKE_HW_WEBGL, 'webgl'],
      ['no WebGPU, software WebGL', NO_WEBGPU, 'wasm'],
    ];
    for (const [label, init, expected] of cases) {
      const { context, page } = await openPage(browser, base, init);
      try {
        const r = await call(page, 'select', 'auto');
        expect(r, label).toMatchObject({ ok: true, backend: expected, tfBackend: expected });
      } finally {
        await context.close();
      }
    }
  });

  it('fit can be cancelled with an AbortSignal', async () => {
    const { context, page } = await openPage(browser, base);
    try {
      const r = await call(page, 'cancel', { backend: 'wasm' });
      summary.cancel = r;
      expect(r.code).toBe('ABORTED');
      expect(r.steps).toBe(1);
    } finally {
      await context.close();
    }
  });
});
