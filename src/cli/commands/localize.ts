import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DanflowError, DEFAULTS, isDanflowError, visualize, type LocalizeResult, type RawImage, type ScoreMap } from '../../index.js';
import { decodeImageNode, encodePngNode } from '../../node.js';
import { renderPanels } from '../../report/index.js';

const { mapRange, heatmapOverlay } = visualize;
type NormRange = visualize.NormRange;
import { GLOBAL_OPTIONS, type Args, type CommandDef } from '../args.js';
import { BACKEND_OPTION, backendOf, ENGINE_OPTION, engineOf, loadModel, progressHandler, resolvePath } from '../common.js';
import { EXIT_FAILURE, UsageError } from '../exit.js';
import { expandInputs } from '../glob.js';
import type { CliIo } from '../io.js';
import type { Output } from '../output.js';

export const LOCALIZE: CommandDef = {
  name: 'localize',
  summary: 'heatmaps, masks and scores for images with a saved model',
  usage: ['danflow localize --model <dir> <images, folders or globs…> --out <dir> [options]'],
  description:
    'Run a saved model on images and write, per image, the heatmap overlay (<name>_overlay.png), the\n' +
    'predicted mask (<name>_mask.png, 0/255) and optionally the five-panel figure, plus scores.json with\n' +
    "every image's score and verdict. Quote globs ('img/**/*.png') to let danflow expand them.",
  options: {
    model: { type: 'string', short: 'm', value: '<dir>', help: 'saved model folder (danflow.json) or .danflow file', group: 'Input' },
    out: { type: 'string', short: 'o', value: '<dir>', help: 'output folder', group: 'Output' },
    threshold: { type: 'string', value: '<t>', help: "threshold on image scores for the verdicts (default: the model's)", group: 'Output' },
    'pixel-threshold': { type: 'string', value: '<t>', help: "threshold on map values for the masks (default: the model's)", group: 'Output' },
    range: { type: 'string', value: '<lo,hi>', help: 'heatmap colour range; default min…max over the given images (at least up to the threshold)', group: 'Output' },
    panels: { type: 'boolean', help: 'also write the five-panel figure (<name>_panels.png)', group: 'Output' },
    sigma: { type: 'string', value: '<px>', help: 'Gaussian smoothing of the maps', default: `the model's (chosen when fitted with --validate, else ${DEFAULTS.localize.sigma})`, group: 'Output' },
    'batch-size': { type: 'string', value: '<n>', help: 'images per forward pass', default: String(DEFAULTS.localize.batchSize), group: 'Output' },
    ...BACKEND_OPTION,
    ...ENGINE_OPTION,
    ...GLOBAL_OPTIONS,
  },
  positionals: true,
  examples: ["danflow localize --model models/bottle 'photos/*.png' --out results", 'danflow localize -m models/bottle photos/ --out results --json'],
};

interface Item {
  file: string;
  stem: string;
  score: number;
  anomalous: boolean;
  map: ScoreMap;
  mask: LocalizeResult['mask'];
  defectPixels: number;
}

function parseRange(args: Args): NormRange | undefined {
  const s = args.str('range');
  if (s === undefined) return undefined;
  const parts = s.split(',').map(Number);
  if (parts.length !== 2 || !parts.every(Number.isFinite) || !(parts[1] > parts[0])) throw new UsageError(`--range must be "lo,hi" with lo < hi, got "${s}"`, 'localize');
  return { lo: parts[0], hi: parts[1] };
}

export async function runLocalize(args: Args, io: CliIo, out: Output): Promise<number> {
  const modelArg = args.required('model', 'the saved model folder');
  const outDir = resolvePath(io, args.required('out', 'the folder for overlays, masks and scores.json'));
  if (args.positionals.length === 0) throw new UsageError('no images given: pass image files, folders or glob patterns after the options', 'localize');
  const threshold = args.optionalFloat('threshold');
  const pixelThresholdArg = args.optionalFloat('pixel-threshold');
  const fixedRange = parseRange(args);
  const sigma = args.optionalFloat('sigma', { min: 0 });
  const batchSize = args.int('batch-size', DEFAULTS.localize.batchSize, { min: 1 });
  const { files, unmatched } = await expandInputs(args.positionals, io.cwd);
  if (unmatched.length > 0) {
    const list = unmatched.map((u) => `"${u}"`).join(', ');
    if (files.length === 0) throw new DanflowError('NOT_FOUND', `No images found for ${list} (looked for ${['png', 'jpg', 'bmp', 'tif', 'webp', 'gif'].join('/')} files; relative paths resolve from ${io.cwd}).`);
    out.warn(`nothing matched ${list}`);
  }
  const progress = progressHandler(out);
  const det = await loadModel(resolvePath(io, modelArg), backendOf(args), out, progress, engineOf(args));
  try {
    const t = threshold ?? det.threshold;
    const pt = pixelThresholdArg ?? det.pixelThreshold ?? t;
    if (t === undefined) out.warn('the model has no threshold and none was given (--threshold): masks are empty and no image is flagged.');
    const items: Item[] = [];
    const used = new Set<string>();
    const bar = out.bar('localize', files.length);
    let localizeMs = 0;
    // A file that cannot be read is reported and skipped; the others are still processed.
    const failed: { file: string; code: string; message: string }[] = [];
    for (let i = 0; i < files.length; i += batchSize) {
      const batch: string[] = [];
      const images: RawImage[] = [];
      for (const f of files.slice(i, i + batchSize)) {
        try {
          images.push(await decodeImageNode(f));
          batch.push(f);
        } catch (e) {
          if (!isDanflowError(e)) throw e;
          failed.push({ file: f, code: e.code, message: e.message });
          out.warn(`skipped ${path.relative(io.cwd, f)}: ${e.message}`);
        }
      }
      bar.update(items.length + failed.length);
      if (images.length === 0) continue;
      const t0 = performance.now();
      const results = await det.localize(images, { sigma, batchSize, ...(t !== undefined ? { threshold: t } : {}), ...(pt !== undefined ? { pixelThreshold: pt } : {}) });
      localizeMs += performance.now() - t0;
      results.forEach((r, k) => {
        let stem = path.basename(batch[k]).replace(/\.[^.]+$/, '');
        for (let n = 2; used.has(stem); n++) stem = `${path.basename(batch[k]).replace(/\.[^.]+$/, '')}-${n}`;
        used.add(stem);
        let defectPixels = 0;
        for (let p = 0; p < r.mask.data.length; p++) defectPixels += r.mask.data[p];
        items.push({ file: batch[k], stem, score: r.score, anomalous: r.isAnomalous, map: r.anomalyMap, mask: r.mask, defectPixels });
      });
      bar.update(items.length + failed.length);
    }
    bar.finish();
    const range = fixedRange ?? (() => {
      const r = mapRange(items.map((it) => it.map));
      return pt !== undefined && pt > r.hi ? { lo: r.lo, hi: pt } : r;
    })();
    await mkdir(outDir, { recursive: true });
    const written = out.bar('write', items.length);
    const records: Record<string, unknown>[] = [];
    for (const [n, it] of items.entries()) {
      const image = await decodeImageNode(it.file);
      const overlay = `${it.stem}_overlay.png`;
      const mask = `${it.stem}_mask.png`;
      await writeFile(path.join(outDir, overlay), await encodePngNode(heatmapOverlay(image, it.map, range)));
      const grey = new Uint8Array(it.mask.data.length);
      for (let j = 0; j < grey.length; j++) grey[j] = it.mask.data[j] ? 255 : 0;
      await writeFile(path.join(outDir, mask), await encodePngNode({ data: grey, width: it.mask.width, height: it.mask.height, channels: 1 }));
      let panels: string | undefined;
      if (args.bool('panels')) {
        panels = `${it.stem}_panels.png`;
        const fig = renderPanels({ image, map: it.map, groundTruth: undefined, threshold: pt ?? Infinity, range });
        await writeFile(path.join(outDir, panels), await encodePngNode(fig));
      }
      records.push({
        file: it.file,
        score: it.score,
        isAnomalous: it.anomalous,
        defectPixels: it.defectPixels,
        defectFraction: it.defectPixels / (it.mask.width * it.mask.height),
        width: it.map.width,
        height: it.map.height,
        overlay,
        mask,
        ...(panels ? { panels } : {}),
      });
      written.update(n + 1);
    }
    written.finish();
    const doc = {
      command: 'localize',
      model: resolvePath(io, modelArg),
      threshold: t ?? null,
      pixelThreshold: pt ?? null,
      sigma: sigma ?? det.sigma,
      range,
      localizeSeconds: localizeMs / 1000,
      localizeFps: localizeMs > 0 ? items.length / (localizeMs / 1000) : 0,
      outDir,
      images: records,
      failed,
    };
    await writeFile(path.join(outDir, 'scores.json'), JSON.stringify(doc, null, 2));
    if (out.flags.json) out.json(doc);
    else {
      const w = Math.min(60, Math.max(4, ...items.map((it) => path.relative(io.cwd, it.file).length)));
      const lines = [`${'file'.padEnd(w)}  ${'score'.padStart(9)}  verdict   defect area`];
      for (const it of items) {
        const area = it.defectPixels / (it.mask.width * it.mask.height);
        lines.push(`${path.relative(io.cwd, it.file).padEnd(w)}  ${it.score.toFixed(4).padStart(9)}  ${(it.anomalous ? 'ANOMALY' : 'ok').padEnd(8)}  ${(area * 100).toFixed(2)}%`);
      }
      lines.push('', `${items.filter((i) => i.anomalous).length} of ${items.length} flagged (threshold ${t?.toFixed(4) ?? 'none'}); wrote overlays, masks and scores.json to ${outDir}`);
      if (failed.length) lines.push(`${failed.length} file${failed.length > 1 ? 's' : ''} could not be read: ${failed.map((f) => path.relative(io.cwd, f.file)).join(', ')}`);
      out.result(lines.join('\n'));
    }
    return failed.length ? EXIT_FAILURE : 0;
  } finally {
    det.dispose();
  }
}
