import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DEFAULTS, type Detector } from '../../index.js';
import { evaluate, evaluationSummary, writeReport, type EvalSample, type EvaluationResult, type ReportCategory } from '../../report/index.js';
import { GLOBAL_OPTIONS, type Args, type CommandDef } from '../args.js';
import { BACKEND_OPTION, backendOf, categoriesOf, ENGINE_OPTION, engineOf, datasetName, DATA_OPTIONS, evenly, loadModel, modelDirFor, openData, progressHandler, resolvePath, TEXTURE_CATEGORIES } from '../common.js';
import type { CliIo } from '../io.js';
import { formatSeconds, type Output } from '../output.js';
import { maskThresholdArg, modelInfo } from '../report-info.js';

export const EVAL: CommandDef = {
  name: 'eval',
  summary: 'evaluate saved models on a test set: pixel AUROC, AUPRO, image AUROC',
  usage: ['danflow eval --model <dir> --data <root> --category <name> [options]'],
  description:
    'Evaluate as in the paper: pixel AUROC over every pixel of every test image (at the stored image\n' +
    'resolution, masks binarised), AUPRO up to FPR 0.3, image AUROC from the image scores. Prints the\n' +
    'per-category table (AUROC/AUPRO in %, with averages); --json prints every metric and timing.',
  options: {
    model: { type: 'string', short: 'm', value: '<dir>', help: 'saved model: its folder (danflow.json), or a folder with one model per category', group: 'Input' },
    ...DATA_OPTIONS,
    report: { type: 'string', value: '<dir>', help: 'also write the HTML report and per-image panels there', group: 'Output' },
    'mask-threshold': { type: 'string', value: '<t>', help: "threshold of the report's masks and decisions: 'calibrated' (the model's own), 'f1' (pixel F1-optimal on the test set: an oracle), or a number", default: 'calibrated', group: 'Output' },
    'max-test': { type: 'string', value: '<n>', help: 'evaluate at most n test images (evenly spaced)', group: 'Evaluation' },
    sigma: { type: 'string', value: '<px>', help: 'Gaussian smoothing of the maps (model input pixels)', default: `the model's (chosen when fitted with --validate, else ${DEFAULTS.localize.sigma})`, group: 'Evaluation' },
    'fpr-limit': { type: 'string', value: '<f>', help: 'AUPRO integration limit', default: '0.3', group: 'Evaluation' },
    'metrics-size': { type: 'string', value: '<px>', help: 'downscale maps so the longer side is at most px before the metrics (saves memory on large images)', group: 'Evaluation' },
    'batch-size': { type: 'string', value: '<n>', help: 'images per forward pass', default: String(DEFAULTS.localize.batchSize), group: 'Evaluation' },
    ...BACKEND_OPTION,
    ...ENGINE_OPTION,
    ...GLOBAL_OPTIONS,
  },
  examples: ['danflow eval --model models/bottle --data ./mvtec --category bottle', 'danflow eval --model models --data ./mvtec --category all --json > results.json', 'danflow eval --model models/bottle --data ./mvtec --category bottle --report reports/bottle'],
};


const pct = (v: number | null | undefined, d = 2) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : (v * 100).toFixed(d));

function avg(values: (number | null)[]): number | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

/** The seed's table: one row per category with "pixel AUROC/AUPRO" in %, then Texture / Object / Mean averages. */
export function resultsTable(rows: { category: string; result: EvaluationResult }[], title = 'Category'): string {
  const header = [title, 'Pixel AUROC/AUPRO', 'Image AUROC', 'False rejects/misses', 'Images', 'img/s'];
  const line = (name: string, rs: EvaluationResult[]) => [
    name,
    `${pct(avg(rs.map((r) => r.metrics.pixelAuroc)))}/${pct(avg(rs.map((r) => r.metrics.aupro)))}`,
    pct(avg(rs.map((r) => r.metrics.imageAuroc))),
    `${pct(avg(rs.map((r) => r.operatingPoint?.falseRejectRate ?? null)), 1)}/${pct(avg(rs.map((r) => r.operatingPoint?.missRate ?? null)), 1)}`,
    String(rs.reduce((a, r) => a + r.counts.images, 0)),
    (avg(rs.map((r) => r.timings.localizeFps)) ?? 0).toFixed(1),
  ];
  const body = rows.map((r) => line(r.category, [r.result]));
  if (rows.length > 1) {
    body.push(['**Average**', '', '', '', '', '']);
    const tex = rows.filter((r) => TEXTURE_CATEGORIES.has(r.category));
    const obj = rows.filter((r) => !TEXTURE_CATEGORIES.has(r.category));
    if (tex.length && obj.length) {
      body.push(line('Texture', tex.map((r) => r.result)));
      body.push(line('Object', obj.map((r) => r.result)));
    }
    body.push(line('Mean', rows.map((r) => r.result)));
  }
  const all = [header, ...body];
  const widths = header.map((_, c) => Math.max(...all.map((r) => r[c].length)));
  const fmt = (r: string[]) => `| ${r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join(' | ')} |`;
  return [fmt(header), `|${widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : '-'.repeat(w + 1) + ':')).join('|')}|`, ...body.map(fmt)].join('\n') + '\n';
}


export async function runEval(args: Args, io: CliIo, out: Output): Promise<number> {
  const model = args.required('model', 'the saved model folder');
  const categories = await categoriesOf(args, io);
  const maxTest = args.optionalInt('max-test', { min: 1 });
  const sigma = args.optionalFloat('sigma', { min: 0 });
  const fprLimit = args.float('fpr-limit', 0.3, { min: 1e-6, max: 1 });
  const metricsSize = args.optionalInt('metrics-size', { min: 8 });
  const batchSize = args.int('batch-size', DEFAULTS.localize.batchSize, { min: 1 });
  const reportDir = args.has('report') ? resolvePath(io, args.str('report')!) : undefined;
  const maskThreshold = maskThresholdArg(args);
  const backend = backendOf(args);
  const progress = progressHandler(out);
  const rows: { category: string; result: EvaluationResult; model: ReportCategory['model'] }[] = [];
  const detectors: Detector[] = [];
  try {
    for (const category of categories) {
      const ds = await openData(args, io, category);
      const name = datasetName(args, io, ds, category);
      const dir = await modelDirFor(io, model, category);
      const det = await loadModel(dir, backend, out, progress, engineOf(args));
      detectors.push(det);
      const test = evenly(ds.samples('test'), maxTest);
      out.info(`dataset: ${ds.format} ${name} — ${test.length} test images (${test.filter((t) => t.label === 1).length} defective)`);
      const result = await evaluate(det, test as readonly EvalSample[] as EvalSample[], { sigma, fprLimit, batchSize, onProgress: progress, ...(metricsSize ? { metricsSize } : {}), ...(io.signal ? { signal: io.signal } : {}) });
      rows.push({ category: name, result, model: await modelInfo(det, dir) });
      out.info(`${name}: pixel AUROC ${pct(result.metrics.pixelAuroc)}  AUPRO ${pct(result.metrics.aupro)}  image AUROC ${pct(result.metrics.imageAuroc)}  (${formatSeconds(result.timings.seconds)})`);
      const op = result.operatingPoint;
      if (op) {
        const k = op.confusion;
        out.info(`${name}: at the model's threshold ${op.threshold.toPrecision(4)}: ${k.falsePositive} of ${k.falsePositive + k.trueNegative} good images rejected (${pct(op.falseRejectRate, 1)} %), ${k.falseNegative} of ${k.falseNegative + k.truePositive} defective passed (${pct(op.missRate, 1)} %)`);
      } else out.warn(`${name}: the model has no threshold, so there are no OK/NG decisions to score; calibrate it (or refit).`);
      // Without a report the maps are not needed any more.
      if (!reportDir) for (const img of result.images) img.map = { width: 0, height: 0, data: new Float32Array(0) };
    }
    let report: { html: string; panels: number } | undefined;
    if (reportDir) {
      const bar = out.bar('report', rows.reduce((a, r) => a + r.result.images.length, 0));
      report = await writeReport(reportDir, rows.map((r) => ({ category: r.category, evaluation: r.result, model: r.model })), { maskThreshold, onImage: (d) => bar.update(d) });
      bar.finish();
      out.info(`report: ${report.html}`);
    }
    if (out.flags.json) {
      out.json({
        command: 'eval',
        categories: rows.map((r) => ({ category: r.category, model: r.model, ...evaluationSummary(r.result) })),
        mean: {
          pixelAuroc: avg(rows.map((r) => r.result.metrics.pixelAuroc)),
          aupro: avg(rows.map((r) => r.result.metrics.aupro)),
          imageAuroc: avg(rows.map((r) => r.result.metrics.imageAuroc)),
          localizeFps: avg(rows.map((r) => r.result.timings.localizeFps)),
        },
        ...(report ? { report: report.html } : {}),
      });
    } else {
      out.result(resultsTable(rows.map((r) => ({ category: r.category, result: r.result })), ds0Title(args)));
    }
  } finally {
    for (const d of detectors) d.dispose();
  }
  return 0;
}

function ds0Title(args: Args): string {
  const f = args.str('format') ?? 'mvtec';
  return { mvtec: 'MVTecAD', btad: 'BTAD', visa: 'VisA', ksdd2: 'KSDD2', folder: 'Folder' }[f] ?? 'Category';
}
