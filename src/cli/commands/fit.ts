import path from 'node:path';
import { createDetector, type DetectorFitResult } from '../../index.js';
import { GLOBAL_OPTIONS, type Args, type CommandDef } from '../args.js';
import { BACKEND_OPTION, backendOf, categoriesOf, datasetName, FORMATS, chooseWeights, DATA_OPTIONS, describeConfig, describeFit, describeSize, evenly, openData, progressHandler, resolvePath, unusedTrainingFlags } from '../common.js';
import type { CliIo } from '../io.js';
import { detectorOptions, modelOptions, modelSettings } from '../model-options.js';
import type { Output } from '../output.js';

/** The reference's settings (input size: the SDK's per-backbone default), with a modest epoch count. */
const DEFAULTS = { inputSize: undefined, flowSteps: 3, numDw: 3, epochs: 10 };

export const FIT: CommandDef = {
  name: 'fit',
  summary: 'train a detector on the normal images of a dataset and save it',
  usage: ['danflow fit --data <root> --category <name> --out <dir> [options]', 'danflow fit --format folder --normal-dir <dir> --out <dir> [options]'],
  description:
    'Train a DANFlow detector on the normal (defect-free) training images of a dataset and save it\n' +
    '(danflow.json + weights.safetensors). The threshold is calibrated on the training images.\n' +
    'With several categories, each model goes to <out>/<category>/.',
  options: {
    ...DATA_OPTIONS,
    out: { type: 'string', short: 'o', value: '<dir>', help: 'where to save the model', group: 'Output' },
    ...modelOptions({ inputSize: '256 (MobileNetV2 224)', flowSteps: String(DEFAULTS.flowSteps), numDw: String(DEFAULTS.numDw), epochs: String(DEFAULTS.epochs) }),
    'max-train': { type: 'string', value: '<n>', help: 'use at most n training images (evenly spaced), for quick runs', group: 'Training' },
    validate: { type: 'boolean', help: "paint synthetic defects on the dataset's validation images (or 15% of the normal images held out when it has none), keep the best epoch, choose the image score and map smoothing, set the thresholds", group: 'Training' },
    'validate-every': { type: 'string', value: '<n>', help: 'with --validate: score the synthetic defects every n epochs', default: '1', group: 'Training' },
    patience: { type: 'string', value: '<n>', help: 'with --validate: stop after n validations without improvement', group: 'Training' },
    ...BACKEND_OPTION,
    ...GLOBAL_OPTIONS,
  },
  examples: [
    'danflow fit --data ./mvtec --category bottle --out models/bottle',
    'danflow fit --data ./mvtec --category carpet,grid --epochs 20 --out models',
    'danflow fit --data ./mvtec --category bottle --weights random --input-size 128 --epochs 3 --out /tmp/m',
  ],
};


export async function runFit(args: Args, io: CliIo, out: Output): Promise<number> {
  const outDir = resolvePath(io, args.required('out', 'the folder to save the model in'));
  const maxTrain = args.optionalInt('max-train', { min: 1 });
  args.choice('format', FORMATS, 'mvtec');
  const progress = progressHandler(out);
  // Every option is checked before any data is read, so a typo fails fast with exit code 2.
  const backboneArg = args.str('backbone');
  const weights = await chooseWeights(args, io, backboneArg ?? 'resnet18', 'pretrained');
  const settings = modelSettings(args, DEFAULTS, weights.tfjs && !backboneArg ? 'mobilenetv2' : undefined);
  const backend = backendOf(args);
  const validation = args.bool('validate') ? { every: args.int('validate-every', 1, { min: 1 }), ...(args.has('patience') ? { patience: args.int('patience', 0, { min: 1 }) } : {}) } : undefined;
  const results: Record<string, unknown>[] = [];
  const categories = await categoriesOf(args, io);
  for (const category of categories) {
    const ds = await openData(args, io, category);
    const name = datasetName(args, io, ds, category);
    const train = evenly(ds.samples('train'), maxTrain);
    const s = ds.summary;
    out.info(`dataset: ${ds.format} ${name} — ${s.train.total} training images${maxTrain && train.length < s.train.total ? ` (using ${train.length})` : ''}, ${s.test.total} test images (${s.test.anomalous} defective)`);
    // A dataset's own validation split (MVTec 3D-AD's validation/good) is what --validate paints on; training keeps every training image.
    const validationImages = validation && (s.validation?.total ?? 0) > 0 ? ds.samples('validation').map((v) => v.path) : undefined;
    if (validationImages) out.info(`validation: ${validationImages.length} images of the dataset's validation split`);
    if (!weights.pretrained) out.warn('fitting on RANDOM backbone features (--weights random): expect much weaker maps than with pretrained weights.');
    const detector = await createDetector({ ...detectorOptions(settings, weights.weights), backend, onProgress: progress });
    try {
      out.info(`model: ${describeConfig(detector.config)}; ${describeSize(detector.config, detector.trainableParameters)}; weights ${weights.label}; backend ${detector.backend}`);
      const unused = unusedTrainingFlags(detector.config, args);
      if (unused.length) out.warn(`${unused.join(', ')} ${unused.length > 1 ? 'have' : 'has'} no effect: ${describeConfig(detector.config).split(',')[0]} does not train for epochs.`);
      const fit: DetectorFitResult = await detector.fit(
        train.map((t) => t.path),
        {
          epochs: settings.epochs,
          batchSize: settings.batchSize,
          learningRate: settings.learningRate,
          ...settings.recipe,
          onProgress: progress,
          ...(io.signal ? { signal: io.signal } : {}),
          ...(validation ? { validation: { ...validation, ...(validationImages ? { images: validationImages } : {}) } } : {}),
        },
      );
      const dir = categories.length > 1 ? path.join(outDir, name) : outDir;
      const picked = fit.validation?.imageScores;
      if (picked) {
        const rule = (r: (typeof picked)[number]['rule']) => (r.rule === 'top' ? `top:${r.fraction}` : r.rule);
        out.info(`image score: ${rule(detector.config.imageScore as (typeof picked)[number]['rule'])} (synthetic-validation image AUROC ${picked.map((p) => `${rule(p.rule)} ${p.imageAuroc.toFixed(3)}`).join(', ')})`);
      }
      const sigmas = fit.validation?.sigmas;
      if (sigmas) {
        out.info(`map smoothing: σ ${detector.sigma} (synthetic-validation ${sigmas.map((c) => `σ${c.sigma} ${c.score.toFixed(3)}`).join(', ')})`);
      }
      await detector.save(dir);
      const finalLoss = fit.epochLosses.at(-1) ?? null;
      out.info(`saved ${dir}`);
      out.result(`${name}: ${describeFit(detector.config, fit)}, threshold ${detector.threshold?.toFixed(4) ?? '–'} → ${dir}`);
      results.push({
        category: name,
        model: dir,
        config: detector.config,
        weights: weights.label,
        backend: detector.backend,
        trainableParameters: detector.trainableParameters,
        trainImages: train.length,
        fit: { epochs: fit.epochs, steps: fit.steps, seconds: fit.seconds, epochLosses: fit.epochLosses, finalLoss, ...(fit.validation ? { validation: fit.validation } : {}) },
        threshold: detector.threshold ?? null,
        scoreStats: detector.scoreStats ?? null,
      });
    } finally {
      detector.dispose();
    }
  }
  if (out.flags.json) out.json({ command: 'fit', models: results });
  return 0;
}
