import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detector } from '../../../src/index.js';
import { auroc, aupro } from '../../../src/metrics/index.js';
import { composeStrip, evaluate, renderPanels, writeReport, type EvalSample } from '../../../src/report/index.js';
import { colorizeMap, colormap, colormapLut, dilateMask, mapRange, maskOutline, resizeMask as resizeMaskNearest } from '../../../src/visualize/index.js';
import type { BinaryMask, RawImage, ScoreMap } from '../../../src/core/types.js';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'danflow-report-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

function mask(width: number, height: number, on: (x: number, y: number) => boolean): BinaryMask {
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = on(x, y) ? 1 : 0;
  return { width, height, data };
}

describe('colormap', () => {
  it('turbo runs from dark blue-violet at 0 to dark red at 1', () => {
    expect(colormap(0)).toEqual([35, 23, 27]);
    expect(colormap(1)).toEqual([144, 13, 0]);
    const [r0, , b0] = colormap(0.1);
    expect(b0).toBeGreaterThan(r0); // blue end
    const [r1, g1, b1] = colormap(0.95);
    expect(r1).toBeGreaterThan(g1);
    expect(r1).toBeGreaterThan(b1); // red end
  });

  it('jet endpoints are dark blue and dark red', () => {
    expect(colormap(0, 'jet')).toEqual([0, 0, 128]);
    expect(colormap(1, 'jet')).toEqual([128, 0, 0]);
    const [r, g, b] = colormap(0.5, 'jet');
    expect(g).toBe(255);
    expect(Math.abs(r - 128)).toBeLessThanOrEqual(3);
    expect(Math.abs(b - 128)).toBeLessThanOrEqual(3);
  });

  it('clamps out-of-range and NaN values to the endpoints', () => {
    expect(colormap(-3)).toEqual(colormap(0));
    expect(colormap(7)).toEqual(colormap(1));
    expect(colormap(Number.NaN)).toEqual(colormap(0));
    expect(colormapLut('turbo')).toHaveLength(768);
  });

  it('normalises with one range: lo gets the first colour, hi the last', () => {
    const map: ScoreMap = { width: 3, height: 1, data: Float32Array.from([-1, -0.5, 0]) };
    const range = mapRange([map, { width: 1, height: 1, data: Float32Array.from([-0.7]) }]);
    expect(range.lo).toBe(-1);
    expect(range.hi).toBe(0);
    const rgb = colorizeMap(map, range);
    expect([...rgb.data.slice(0, 3)]).toEqual(colormap(0));
    expect([...rgb.data.slice(6, 9)]).toEqual(colormap(1));
    expect([...rgb.data.slice(3, 6)]).toEqual(colormap(0.5));
    // quantiles ignore a few extreme pixels
    const spiky: ScoreMap = { width: 1000, height: 1, data: Float32Array.from({ length: 1000 }, (_, i) => (i === 0 ? -50 : i === 999 ? 50 : i / 1000)) };
    const robust = mapRange([spiky], { quantiles: [0.01, 0.99] });
    expect(robust.lo).toBeGreaterThan(0);
    expect(robust.hi).toBeLessThan(1);
    expect(mapRange([spiky]).hi).toBe(50);
    // a constant set does not divide by zero
    const flat = mapRange([{ width: 2, height: 1, data: Float32Array.from([0.25, 0.25]) }]);
    expect(flat.hi).toBeGreaterThan(flat.lo);
  });
});

describe('mask outline', () => {
  it('is exactly the foreground pixels with a background (or off-image) 4-neighbour', () => {
    const w = 17;
    const h = 13;
    const m = mask(w, h, (x, y) => (x >= 3 && x <= 9 && y >= 2 && y <= 7) || (x === 13 && y === 4) || (x >= 14 && y >= 9) || (x - 5) ** 2 + (y - 10) ** 2 <= 4);
    const out = maskOutline(m);
    const at = (x: number, y: number) => (x < 0 || y < 0 || x >= w || y >= h ? 0 : m.data[y * w + x]);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const boundary = at(x, y) === 1 && (at(x - 1, y) === 0 || at(x + 1, y) === 0 || at(x, y - 1) === 0 || at(x, y + 1) === 0);
        expect(out.data[y * w + x], `pixel ${x},${y}`).toBe(boundary ? 1 : 0);
      }
  });

  it('rings a filled square and leaves its inside empty', () => {
    const m = mask(5, 5, (x, y) => x >= 1 && x <= 3 && y >= 1 && y <= 3);
    const ring = [...maskOutline(m).data];
    // prettier-ignore
    expect(ring).toEqual([
      0, 0, 0, 0, 0,
      0, 1, 1, 1, 0,
      0, 1, 0, 1, 0,
      0, 1, 1, 1, 0,
      0, 0, 0, 0, 0,
    ]);
    expect([...maskOutline(mask(4, 4, () => false)).data].every((v) => v === 0)).toBe(true);
    expect([...dilateMask(mask(5, 5, (x, y) => x === 2 && y === 2), 1).data].reduce((a, b) => a + b, 0)).toBe(9);
  });

  it('resizes masks by nearest neighbour', () => {
    const m = mask(4, 4, (x, y) => x < 2 && y < 2);
    const big = resizeMaskNearest(m, 8, 8);
    expect(big.data.reduce((a, b) => a + b, 0)).toBe(16);
    expect(big.data[0]).toBe(1);
    expect(big.data[8 * 8 - 1]).toBe(0);
  });
});

function texture(size: number, seed: number, spot?: [number, number, number]): RawImage {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const o = (y * size + x) * 3;
      const v = 100 + ((x * 7 + y * 13 + seed * 31) % 40);
      const inSpot = spot && (x - spot[0]) ** 2 + (y - spot[1]) ** 2 <= spot[2] ** 2;
      data[o] = inSpot ? 250 : v;
      data[o + 1] = inSpot ? 20 : v;
      data[o + 2] = inSpot ? 20 : v;
    }
  return { data, width: size, height: size, channels: 3 };
}

describe('panels', () => {
  it('lays out five equal panels with a label strip', () => {
    const image = texture(32, 1, [10, 10, 4]);
    const gt = mask(32, 32, (x, y) => (x - 10) ** 2 + (y - 10) ** 2 <= 16);
    const map: ScoreMap = { width: 32, height: 32, data: Float32Array.from(gt.data, (v) => (v ? -0.1 : -0.9)) };
    const fig = renderPanels({ image, map, groundTruth: gt, threshold: -0.5, range: { lo: -1, hi: 0 } }, { panelSize: 64, gap: 4 });
    expect(fig.width).toBe(5 * 64 + 6 * 4);
    expect(fig.channels).toBe(3);
    expect(fig.height).toBeGreaterThan(64 + 8); // label strip on top
    const unlabeled = renderPanels({ image, map, groundTruth: gt, threshold: -0.5, range: { lo: -1, hi: 0 } }, { panelSize: 64, gap: 4, labels: false });
    expect(unlabeled.height).toBe(64 + 8);
    // ground-truth panel (2nd) is white inside the defect, black outside
    const px = (img: RawImage, x: number, y: number) => [...img.data.slice((y * img.width + x) * 3, (y * img.width + x) * 3 + 3)];
    const x0 = 4 + 64 + 4;
    expect(px(unlabeled, x0 + 20, 4 + 20)).toEqual([255, 255, 255]);
    expect(px(unlabeled, x0 + 60, 4 + 60)).toEqual([0, 0, 0]);
    // predicted-mask panel (4th) matches the threshold
    const x3 = 4 + 3 * (64 + 4);
    expect(px(unlabeled, x3 + 20, 4 + 20)).toEqual([255, 255, 255]);
    expect(px(unlabeled, x3 + 60, 4 + 60)).toEqual([0, 0, 0]);
    expect(() => composeStrip([image, image])).not.toThrow();
  });
});

/** A stand-in detector: the map is high where the image is red, so the metrics are predictable. */
function fakeDetector(threshold = -0.5): Detector {
  const localize = async (images: RawImage[]) =>
    images.map((img) => {
      const n = img.width * img.height;
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = img.data[i * 3] > 200 ? -0.05 - (i % 7) * 0.001 : -0.8 + ((i * 37) % 100) * 0.001;
      let score = -Infinity;
      for (const v of data) score = Math.max(score, v);
      return { score, normalizedScore: undefined, anomalyMap: { width: img.width, height: img.height, data }, mask: { width: img.width, height: img.height, data: new Uint8Array(n) }, isAnomalous: false, threshold };
    });
  return { localize, threshold } as unknown as Detector;
}

describe('evaluate + HTML report', () => {
  const size = 24;
  const samples: EvalSample[] = [];
  for (let i = 0; i < 4; i++) samples.push({ name: `good/${i}`, label: 0, defectType: 'good', image: texture(size, i), mask: mask(size, size, () => false) });
  for (let i = 0; i < 4; i++) {
    const spot: [number, number, number] = [6 + i * 3, 8 + i, 3];
    // the first defect's mask is shifted, so the metrics are below 1
    const m = mask(size, size, (x, y) => (x - spot[0] - (i === 0 ? 6 : 0)) ** 2 + (y - spot[1]) ** 2 <= 9);
    samples.push({ name: `spot/${i}`, label: 1, defectType: 'spot', image: async () => texture(size, 10 + i, spot), mask: async () => m });
  }

  it('computes pixel AUROC, AUPRO and image AUROC like src/metrics', async () => {
    const r = await evaluate(fakeDetector(), samples, { batchSize: 3 });
    expect(r.counts).toMatchObject({ images: 8, normal: 4, anomalous: 4, annotated: 8, pixels: 8 * size * size });
    const maps = r.images.map((i) => i.map);
    const masks = r.images.map((i) => i.groundTruth!);
    expect(r.metrics.pixelAuroc).toBeCloseTo(auroc(maps, masks), 12);
    expect(r.metrics.aupro).toBeCloseTo(aupro(maps, masks, { fprLimit: 0.3 }), 12);
    expect(r.metrics.imageAuroc).toBe(1);
    expect(r.metrics.pixelAuroc!).toBeGreaterThan(0.6);
    expect(r.metrics.pixelAuroc!).toBeLessThan(1);
    expect(r.curves.pixelRoc!.x.length).toBeGreaterThan(2);
    expect(r.timings.localizeFps).toBeGreaterThan(0);
  });

  it('writes a self-contained report with the metrics table, curves and panels', async () => {
    const r = await evaluate(fakeDetector(), samples);
    const dir = path.join(tmp, 'report');
    const files = await writeReport(dir, [{ category: 'widget', evaluation: r }], { title: 'Test report', warnings: ['random features'] });
    expect(files.panels).toBe(8);
    expect((await stat(path.join(dir, 'panels', 'widget', 'spot', '0.png'))).size).toBeGreaterThan(100);
    const html = await readFile(files.html, 'utf8');
    expect(html).toContain('<table class="metrics"');
    expect(html).toContain('Pixel AUROC');
    expect(html).toContain('AUPRO');
    expect(html).toContain('Image AUROC');
    expect(html).toContain('>widget<');
    expect(html).toContain((r.metrics.pixelAuroc! * 100).toFixed(1));
    expect(html).toContain('random features');
    expect(html.match(/<svg /g)!.length).toBeGreaterThanOrEqual(3); // pixel ROC, PRO, image ROC (+ histogram)
    // self-contained: nothing fetched from elsewhere
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<script|<link|@import/i);
    for (const m of html.matchAll(/\b(?:src|href)="([^"]*)"/g)) expect(m[1]).toMatch(/^data:image\/(png|jpeg);base64,/);
    for (const m of html.matchAll(/url\(([^)]*)\)/g)) expect(m[1]).toMatch(/^['"]?data:/);
    const json = JSON.parse(await readFile(files.metricsJson, 'utf8'));
    expect(json.categories[0].metrics.pixelAuroc).toBeCloseTo(r.metrics.pixelAuroc!, 12);
    if (process.env.DANFLOW_REPORT_SNAPSHOT) await (await import('node:fs/promises')).copyFile(files.html, process.env.DANFLOW_REPORT_SNAPSHOT);
  });

  it("scores the OK/NG decisions at the model's own threshold: false rejects, misses, precision, recall", async () => {
    const clean = await evaluate(fakeDetector(-0.5), samples);
    expect(clean.operatingPoint).toMatchObject({ threshold: -0.5, falseRejectRate: 0, missRate: 0, precision: 1, recall: 1 });
    // Normal scores are about -0.70: a threshold of -0.72 rejects every good image.
    const strict = await evaluate(fakeDetector(-0.72), samples);
    expect(strict.operatingPoint!.confusion).toEqual({ truePositive: 4, falsePositive: 4, trueNegative: 0, falseNegative: 0 });
    expect(strict.operatingPoint).toMatchObject({ falseRejectRate: 1, missRate: 0, precision: 0.5, recall: 1 });
    // A threshold above every score passes everything.
    const lax = await evaluate(fakeDetector(0.5), samples);
    expect(lax.operatingPoint).toMatchObject({ falseRejectRate: 0, missRate: 1, precision: null, recall: 0 });
    const noThreshold = await evaluate({ ...fakeDetector(), threshold: undefined } as unknown as Detector, samples);
    expect(noThreshold.operatingPoint).toBeUndefined();
  });

  it("the report's error panels use the model's threshold, say so, and show real errors when there are any", async () => {
    const ok = await writeReport(path.join(tmp, 'ops-ok'), [{ category: 'widget', evaluation: await evaluate(fakeDetector(-0.5), samples) }], { writePanels: false });
    const okHtml = await readFile(ok.html, 'utf8');
    expect(okHtml).toContain("Decisions at the model's own threshold");
    expect(okHtml).toMatch(/No false positives at threshold -0\.5000 \(the model&#39;s own threshold|No false positives at threshold -0\.5000 \(the model's own threshold/);
    expect(okHtml).toContain('No misses at threshold -0.5000');
    expect(okHtml).not.toContain('>false positive<');
    const bad = await writeReport(path.join(tmp, 'ops-bad'), [{ category: 'widget', evaluation: await evaluate(fakeDetector(-0.72), samples) }], { writePanels: false });
    const badHtml = await readFile(bad.html, 'utf8');
    expect(badHtml).toContain('False positives — 4 normal images flagged at threshold -0.7200');
    expect(badHtml.match(/>false positive</g)).toHaveLength(4);
    const oracle = await writeReport(path.join(tmp, 'ops-oracle'), [{ category: 'widget', evaluation: await evaluate(fakeDetector(-0.72), samples) }], { writePanels: false, maskThreshold: 'f1' });
    expect(await readFile(oracle.html, 'utf8')).toContain('an oracle: it uses the test labels');
    // Images keep their aspect ratio whatever width the page gives them.
    expect(okHtml).toMatch(/\.strip img\{[^}]*height:auto/);
    expect(okHtml).toMatch(/\.gallery img\{[^}]*height:auto/);
  });

  it('reports null metrics when the test set has one class only', async () => {
    const r = await evaluate(fakeDetector(), samples.slice(0, 3));
    expect(r.metrics.pixelAuroc).toBeNull();
    expect(r.metrics.aupro).toBeNull();
    expect(r.metrics.imageAuroc).toBeNull();
  });
});
