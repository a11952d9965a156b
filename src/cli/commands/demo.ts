import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createDetector } from '../../index.js';
import { encodePngNode, openDataset } from '../../node.js';
import { evaluate, evaluationSummary, writeReport, type EvalSample } from '../../report/index.js';
import { PRETRAINED_WEIGHTS, synthetic } from '../../index.js';

const { generateSyntheticDataset, SYNTHETIC_CATEGORIES } = synthetic;
type SyntheticCategory = synthetic.SyntheticCategory;
import { GLOBAL_OPTIONS, type Args, type CommandDef } from '../args.js';
import { BACKEND_OPTION, backendOf, chooseWeights, describeConfig, describeFit, describeSize, progressHandler, resolvePath } from '../common.js';
import type { CliIo } from '../io.js';
import { detectorOptions, modelOptions, modelSettings } from '../model-options.js';
import { formatSeconds, type Output } from '../output.js';
import { maskThresholdArg, modelInfo } from '../report-info.js';

/** Chosen so generate + fit + eval + report stay within about three minutes on 2 CPU cores (wasm). */
export const DEMO_DEFAULTS = { inputSize: 128, flowSteps: 2, numDw: 1, epochs: 8, batchSize: 2, size: 128, train: 32, testGood: 10, testDefect: 20, category: 'metal' as SyntheticCategory };

export const DEMO: CommandDef = {
  name: 'demo',
  summary: 'offline demo: synthetic dataset → fit → evaluate → HTML report',
  usage: ['danflow demo [--out <dir>] [options]'],
  description:
    'Generate a small synthetic industrial dataset (procedural textures with exact defect masks, in the\n' +
    'MVTec layout), fit a detector on its normal images, evaluate it and write the HTML report. Runs\n' +
    'offline in a few minutes on a laptop CPU. Pretrained backbone weights are used when available\n' +
    '(--weights, $DANFLOW_WEIGHTS, or the download cache); otherwise it runs on random features and says so.',
  options: {
    out: { type: 'string', short: 'o', value: '<dir>', help: 'output folder: report.html, metrics.json, panels/, data/, model/', default: 'danflow-demo', group: 'Output' },
    category: { type: 'string', short: 'c', value: '<name>', help: `synthetic category: ${SYNTHETIC_CATEGORIES.join(', ')}`, default: DEMO_DEFAULTS.category, group: 'Data' },
    size: { type: 'string', value: '<px>', help: 'image size of the generated dataset', default: String(DEMO_DEFAULTS.size), group: 'Data' },
    train: { type: 'string', value: '<n>', help: 'normal training images', default: String(DEMO_DEFAULTS.train), group: 'Data' },
    'test-good': { type: 'string', value: '<n>', help: 'normal test images', default: String(DEMO_DEFAULTS.testGood), group: 'Data' },
    'test-defect': { type: 'string', value: '<n>', help: 'defective test images', default: String(DEMO_DEFAULTS.testDefect), group: 'Data' },
    'data-seed': { type: 'string', value: '<n>', help: 'seed of the generated dataset', default: '0', group: 'Data' },
    ...modelOptions({ inputSize: String(DEMO_DEFAULTS.inputSize), flowSteps: String(DEMO_DEFAULTS.flowSteps), numDw: String(DEMO_DEFAULTS.numDw), epochs: String(DEMO_DEFAULTS.epochs), batchSize: String(DEMO_DEFAULTS.batchSize) }),
    'mask-threshold': { type: 'string', value: '<t>', help: "threshold of the report's masks and decisions: 'calibrated' (the model's own), 'f1' (oracle) or a number", default: 'calibrated', group: 'Output' },
    ...BACKEND_OPTION,
    ...GLOBAL_OPTIONS,
  },
  examples: ['danflow demo', 'danflow demo --category washer --epochs 8 --out /tmp/demo', 'danflow demo --weights hf:timm/resnet18.a1_in1k'],
};

export async function runDemo(args: Args, io: CliIo, out: Output): Promise<number> {
  const t0 = performance.now();
  const outDir = resolvePath(io, args.str('out') ?? 'danflow-demo');
  const category = args.choice('category', SYNTHETIC_CATEGORIES, DEMO_DEFAULTS.category);
  const size = args.int('size', DEMO_DEFAULTS.size, { min: 32, max: 1024 });
  const counts = {
    trainCount: args.int('train', DEMO_DEFAULTS.train, { min: 1 }),
    testGoodCount: args.int('test-good', DEMO_DEFAULTS.testGood, { min: 0 }),
    testDefectCount: args.int('test-defect', DEMO_DEFAULTS.testDefect, { min: 0 }),
  };
  const backboneArg = args.str('backbone');
  const weights = await chooseWeights(args, io, backboneArg ?? 'resnet18', 'cached');
  const settings = modelSettings(args, DEMO_DEFAULTS, weights.tfjs && !backboneArg ? 'mobilenetv2' : undefined);
  const warnings: string[] = [];
  if (!weights.pretrained) {
    const pretrained = PRETRAINED_WEIGHTS[settings.backbone as keyof typeof PRETRAINED_WEIGHTS];
    const msg =
      'No pretrained backbone weights found (--weights, $DANFLOW_WEIGHTS, or the download cache), so this demo runs on RANDOM features: ' +
      'the flows still learn from them, but on real data the results are far weaker than with pretrained weights.' +
      (pretrained ? ` For real features: npx danflow demo --weights pretrained  (downloads ${pretrained.id.replace(/^hf:/, '')} once, ${pretrained.megabytes} MB; later runs find it in the cache and use it by default).` : '');
    out.warn(msg);
    warnings.push(msg);
  }

  // 1. data
  let t = performance.now();
  out.info(`generating synthetic "${category}" dataset: ${size}×${size}, ${counts.trainCount} train, ${counts.testGoodCount} good + ${counts.testDefectCount} defective test images`);
  const syn = generateSyntheticDataset({ category, size, ...counts, seed: args.int('data-seed', 0, { min: 0 }) });
  const root = path.join(outDir, 'data');
  const catDir = path.join(root, category);
  // Start from an empty category folder: files of an earlier, larger run would otherwise stay in it.
  await rm(catDir, { recursive: true, force: true });
  const write = async (rel: string, img: Parameters<typeof encodePngNode>[0]) => {
    const p = path.join(catDir, rel);
    await mkdir(path.dirname(p), { recursive: true });
    await writeFile(p, await encodePngNode(img));
  };
  const bar = out.bar('write data', syn.train.length + syn.test.length);
  let n = 0;
  for (const [i, img] of syn.train.entries()) {
    await write(`train/good/${String(i).padStart(3, '0')}.png`, img);
    bar.update(++n);
  }
  for (const s of syn.test) {
    const [defect, stem] = s.name.split('/');
    await write(`test/${defect}/${stem}.png`, s.image);
    if (s.label === 1) {
      const m = new Uint8Array(s.mask.data.length);
      for (let k = 0; k < m.length; k++) m[k] = s.mask.data[k] ? 255 : 0;
      await write(`ground_truth/${defect}/${stem}_mask.png`, { data: m, width: s.mask.width, height: s.mask.height, channels: 1 });
    }
    bar.update(++n);
  }
  bar.finish();
  const generateSeconds = (performance.now() - t) / 1000;
  const ds = await openDataset({ format: 'mvtec', root, category });

  // 2. fit
  const progress = progressHandler(out);
  const detector = await createDetector({ ...detectorOptions(settings, weights.weights), backend: backendOf(args), onProgress: progress });
  try {
    out.info(`model: ${describeConfig(detector.config)}; ${describeSize(detector.config, detector.trainableParameters)}; weights ${weights.label}; backend ${detector.backend}`);
    const fit = await detector.fit(
      ds.samples('train').map((s) => s.path),
      { epochs: settings.epochs, batchSize: settings.batchSize, learningRate: settings.learningRate, ...settings.recipe, onProgress: progress, ...(io.signal ? { signal: io.signal } : {}) },
    );
    const modelDir = path.join(outDir, 'model');
    await detector.save(modelDir);

    // 3. evaluate
    t = performance.now();
    const result = await evaluate(detector, ds.samples('test') as readonly EvalSample[] as EvalSample[], { onProgress: progress, ...(io.signal ? { signal: io.signal } : {}) });
    const evalSeconds = (performance.now() - t) / 1000;

    // 4. report
    t = performance.now();
    const model = { ...(await modelInfo(detector)), weights: weights.label, fit: { seconds: fit.seconds, epochs: fit.epochs, finalLoss: fit.epochLosses.at(-1) ?? null, images: ds.summary.train.total } };
    const rbar = out.bar('report', result.images.length);
    const report = await writeReport(outDir, [{ category, evaluation: result, model }], {
      title: `DANFlow demo — synthetic ${category}`,
      warnings,
      maskThreshold: maskThresholdArg(args),
      facts: [
        ['Dataset', `synthetic "${category}", ${size}×${size} px, generated offline in ${root}`],
        ['Demo wall time', 'see the end of this page'],
      ],
      onImage: (d) => rbar.update(d),
    });
    rbar.finish();
    const reportSeconds = (performance.now() - t) / 1000;
    const total = (performance.now() - t0) / 1000;
    // Fill in the total now that it is known (the report is written before the total is).
    const html = await readFile(report.html, 'utf8');
    await writeFile(report.html, html.replace('see the end of this page', `${total.toFixed(1)} s (generate ${generateSeconds.toFixed(1)} s, fit ${fit.seconds.toFixed(1)} s, evaluate ${evalSeconds.toFixed(1)} s, report ${reportSeconds.toFixed(1)} s)`));

    const m = result.metrics;
    const pct = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)} %`);
    if (out.flags.json) {
      out.json({
        command: 'demo',
        category,
        pretrained: weights.pretrained,
        weights: weights.label,
        config: detector.config,
        trainableParameters: detector.trainableParameters,
        fit: { epochs: fit.epochs, steps: fit.steps, seconds: fit.seconds, epochLosses: fit.epochLosses },
        ...evaluationSummary(result),
        timings: { ...result.timings, generateSeconds, fitSeconds: fit.seconds, evalSeconds, reportSeconds, totalSeconds: total },
        model: modelDir,
        report: report.html,
      });
    } else {
      out.result(
        [
          '',
          `DANFlow demo — synthetic "${category}" (${syn.train.length} train, ${result.counts.normal} good + ${result.counts.anomalous} defective test images, ${size}×${size})${weights.pretrained ? '' : ' — RANDOM features'}`,
          `  pixel AUROC   ${pct(m.pixelAuroc)}`,
          `  AUPRO@${m.fprLimit}    ${pct(m.aupro)}`,
          `  image AUROC   ${pct(m.imageAuroc)}`,
          `  fit           ${describeFit(detector.config, fit)}; ${describeSize(detector.config, detector.trainableParameters)}`,
          `  localize      ${result.timings.localizeFps.toFixed(1)} images/s`,
          `  total         ${formatSeconds(total)}`,
          `model:  ${modelDir}`,
          `report: ${report.html}`,
        ].join('\n'),
      );
    }
  } finally {
    detector.dispose();
  }
  return 0;
}

