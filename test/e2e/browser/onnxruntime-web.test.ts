/**
 * onnxruntime-web in chromium (headless, the harness of the other browser tests): the same detector
 * localised by tfjs on its wasm backend and by the onnxruntime engine on onnxruntime-web's wasm
 * execution provider (backend 'wasm'), the page cross-origin isolated so both may use threads.
 * Asserts that both give the same results; prints the timings (a measurement, not an assertion:
 * the machine is shared). The configuration is the paper's resnet18 @256 (3 steps, numDw 3,
 * random weights) unless DANFLOW_ORT_WEB_SIZE asks for a smaller input.
 */
import { join } from 'node:path';
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { ensureDist, findChromium, launchChromium, maxAbsDiff, openPage, REPO, serveStatic, viteBuild, type StaticServer } from './harness.js';

const chromiumPath = findChromium();
if (!chromiumPath) console.warn('[danflow onnxruntime-web test] SKIPPED: no chromium binary found (install Debian `chromium` or set CHROMIUM_PATH).');

const SIZE = Number(process.env.DANFLOW_ORT_WEB_SIZE ?? 256);
const REPEATS = 3;

describe.skipIf(!chromiumPath)('onnxruntime-web (wasm) vs tfjs wasm localize in chromium', () => {
  let browser: Browser;
  let server: StaticServer;
  let outDir: string;

  beforeAll(async () => {
    ensureDist();
    outDir = await viteBuild(join(REPO, 'test/e2e/browser/ort-page'));
    server = await serveStatic({ '/node_modules/@tensorflow/': join(REPO, 'node_modules/@tensorflow'), '/': outDir });
    browser = await launchChromium(chromiumPath!);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it(`resnet18 @${SIZE}: the same maps and scores; timings printed`, async () => {
    const { page, logs } = await openPage(browser, `${server.url}/index.html`);
    await page.waitForFunction(() => typeof window.ortBench === 'function', undefined, { timeout: 60_000 });
    const options = { backbone: 'resnet18', inputSize: SIZE, flowSteps: 3, numDw: 3, attention: 'eca', seed: 1 } as const;
    const r = await page.evaluate((a) => window.ortBench(a), { options, repeats: REPEATS });
    expect(logs.filter((l) => l.startsWith('[pageerror]'))).toEqual([]);
    expect([r.tfjs.engine, r.tfjs.backend, r.ort.engine, r.ort.backend]).toEqual(['tfjs', 'wasm', 'onnxruntime', 'wasm']);
    // tfjs-wasm (XNNPACK) and onnxruntime (MLAS) round differently; the golden tests allow wasm 3e-4.
    const dMap = Math.max(...r.ort.maps.map((m, i) => maxAbsDiff(m, r.tfjs.maps[i])));
    const dScore = Math.max(...r.ort.scores.map((s, i) => Math.abs(s - r.tfjs.scores[i])));
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const t = median(r.tfjs.localizeMs);
    const o = median(r.ort.localizeMs);
    console.log(
      `[onnxruntime-web] resnet18 @${SIZE}, batch 1, chromium headless, ${r.threads} hardware threads, crossOriginIsolated ${r.crossOriginIsolated}:\n` +
        `  tfjs wasm      localize ${t.toFixed(0)} ms/img (median of ${REPEATS}; first call ${r.tfjs.setupMs.toFixed(0)} ms)\n` +
        `  onnxruntime-web wasm ${o.toFixed(0)} ms/img (first call incl. export + session ${r.ort.setupMs.toFixed(0)} ms)\n` +
        `  ratio tfjs / onnxruntime-web: ${(t / o).toFixed(2)}×; max |Δmap| ${dMap.toExponential(2)}, |Δscore| ${dScore.toExponential(2)}`,
    );
    expect(dMap).toBeLessThan(3e-4);
    expect(dScore).toBeLessThan(3e-4);
  }, 600_000);
});
