/**
 * The HTML report in real chromium: every image is shown with its own aspect ratio at any page
 * width (a 664×149 strip once rendered at 557×149 because width was capped and height was not).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { BinaryMask, Detector, RawImage } from '../../../src/index.js';
import { evaluate, writeReport, type EvalSample } from '../../../src/report/index.js';
import { findChromium, launchChromium, openPage } from './harness.js';

const chromiumPath = findChromium();
if (!chromiumPath) console.warn('[danflow report browser test] SKIPPED: no chromium binary found (install Debian `chromium` or set CHROMIUM_PATH).');

/** Wide images (like tire strips) with a bright spot on the defective ones; the map follows brightness. */
function sample(i: number, defective: boolean): EvalSample {
  const w = 200;
  const h = 48;
  const data = new Uint8Array(w * h * 3).fill(90);
  const mask = new Uint8Array(w * h);
  if (defective) for (let y = 10; y < 20; y++) for (let x = 30 + i * 20; x < 40 + i * 20; x++) {
    data.fill(250, (y * w + x) * 3, (y * w + x) * 3 + 3);
    mask[y * w + x] = 1;
  }
  const image: RawImage = { data, width: w, height: h, channels: 3 };
  const gt: BinaryMask = { data: mask, width: w, height: h };
  return { name: `${defective ? 'spot' : 'good'}/${i}`, label: defective ? 1 : 0, defectType: defective ? 'spot' : 'good', image, mask: gt };
}

const detector = {
  threshold: -0.5,
  localize: async (images: RawImage[]) =>
    images.map((img) => {
      const map = Float32Array.from({ length: img.width * img.height }, (_, p) => (img.data[p * 3] > 200 ? -0.1 : -0.9 + (p % 13) * 0.01));
      const score = Math.max(...map);
      return { score, normalizedScore: undefined, anomalyMap: { width: img.width, height: img.height, data: map }, mask: { width: img.width, height: img.height, data: new Uint8Array(map.length) }, isAnomalous: score >= -0.5, threshold: -0.5 };
    }),
} as unknown as Detector;

describe.skipIf(!chromiumPath)('HTML report in chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'danflow-report-browser-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('shows every image at its natural aspect ratio, on a wide and on a narrow page', async () => {
    const samples = [0, 1, 2, 3].map((i) => sample(i, false)).concat([0, 1, 2].map((i) => sample(i, true)));
    const files = await writeReport(dir, [{ category: 'strips', evaluation: await evaluate(detector, samples) }], { writePanels: false });
    const browser = await launchChromium(chromiumPath!);
    try {
      for (const width of [1280, 420]) {
        const { page, context } = await openPage(browser, pathToFileURL(files.html).href);
        await page.setViewportSize({ width, height: 900 });
        // Gallery thumbnails are lazy; load them all to measure them.
        await page.$$eval('img', (imgs) => (imgs as HTMLImageElement[]).forEach((i) => (i.loading = 'eager')));
        await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0), undefined, { timeout: 30_000 });
        const boxes = await page.$$eval('img', (imgs) =>
          (imgs as HTMLImageElement[]).map((i) => ({ nw: i.naturalWidth, nh: i.naturalHeight, w: i.getBoundingClientRect().width, h: i.getBoundingClientRect().height })),
        );
        expect(boxes.length).toBeGreaterThan(7);
        for (const b of boxes) {
          expect(b.nw).toBeGreaterThan(0);
          // Rendered ratio within 1 % (plus a pixel of rounding) of the image's own.
          expect(Math.abs(b.w / b.h - b.nw / b.nh) / (b.nw / b.nh), JSON.stringify({ width, ...b })).toBeLessThan(0.01 + 1 / b.h);
        }
        await context.close();
      }
    } finally {
      await browser.close();
    }
  }, 120_000);

  // DANFLOW_REPORT_SCREENSHOT=docs/report-screenshot.png (after `npm run demo`) renders the demo's report for the README.
  it.runIf(!!process.env.DANFLOW_REPORT_SCREENSHOT)('screenshot of the demo report', async () => {
    const html = join(process.cwd(), process.env.DANFLOW_REPORT_HTML ?? 'danflow-demo/report.html');
    const browser = await launchChromium(chromiumPath!);
    try {
      const { page, context } = await openPage(browser, pathToFileURL(html).href);
      await page.setViewportSize({ width: 1240, height: 1500 });
      await page.screenshot({ path: join(process.cwd(), process.env.DANFLOW_REPORT_SCREENSHOT!) });
      await context.close();
    } finally {
      await browser.close();
    }
  }, 120_000);
});
