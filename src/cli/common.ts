/** Pieces several commands share: option tables, paths, datasets, weights, models, progress. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CHOICES, DanflowError, DEFAULTS, describeConfig as describe, env, loadDetector, PRETRAINED_WEIGHTS, type BackendRequest, type Detector, type DetectorConfig, type EngineRequest, type ProgressCallback } from '../index.js';
import { cachedFilePath, openDataset, type Dataset } from '../node.js';
import { Args, type OptSpecs } from './args.js';
import { UsageError } from './exit.js';
import type { CliIo } from './io.js';
import { formatBytes, formatSeconds, type Bar, type Output } from './output.js';

export const FORMATS = ['mvtec', 'btad', 'visa', 'ksdd2', 'folder'] as const;
/** Pretrained checkpoints `--weights pretrained` resolves to (the library's table): backbone → hf: id. */
export const PRETRAINED: Partial<Record<string, string>> = Object.fromEntries(Object.entries(PRETRAINED_WEIGHTS).map(([b, w]) => [b, w!.id]));

export const BACKEND_OPTION: OptSpecs = {
  backend: { type: 'string', value: '<name>', help: `compute backend: ${CHOICES.backend.join(', ')}`, default: 'wasm', group: 'General' },
  threads: { type: 'string', value: '<n>', help: 'CPU threads of the wasm backend and onnxruntime (env.numThreads)', default: 'every core', group: 'General' },
};

export const ENGINE_OPTION: OptSpecs = {
  engine: { type: 'string', value: '<name>', help: `what runs localize: ${CHOICES.engine.join(', ')} (auto: onnxruntime when onnxruntime-node is installed)`, default: DEFAULTS.detector.engine, group: 'General' },
};

export const DATA_OPTIONS: OptSpecs = {
  data: { type: 'string', value: '<dir>', help: 'dataset root: the folder holding the categories (or one category folder)', group: 'Data' },
  format: { type: 'string', value: '<fmt>', help: `dataset layout: ${FORMATS.join(', ')}`, default: 'mvtec', group: 'Data' },
  category: { type: 'string', short: 'c', value: '<names>', multiple: true, help: "category folder(s), comma-separated or repeated; 'all' for every category under --data", group: 'Data' },
  'normal-dir': { type: 'string', value: '<dir>', help: 'folder format: normal training images', group: 'Data' },
  'abnormal-dir': { type: 'string', value: '<dir>', help: 'folder format: anomalous test images', group: 'Data' },
  'mask-dir': { type: 'string', value: '<dir>', help: 'folder format: masks of the anomalous images (<stem>_mask.* or <stem>.*)', group: 'Data' },
  'normal-test-dir': { type: 'string', value: '<dir>', help: 'folder format: normal test images', group: 'Data' },
  'allow-missing-masks': { type: 'boolean', help: 'accept anomalous test images without a mask (left out of pixel metrics)', group: 'Data' },
};

export function resolvePath(io: CliIo, p: string): string {
  if (p === '~' || p.startsWith('~/')) return path.join(io.env.HOME ?? '', p.slice(1));
  return path.resolve(io.cwd, p);
}

export function backendOf(args: Args): BackendRequest {
  // The thread count only counts before the backend starts, and every command picks its backend before loading a
  // model, so --threads is applied here.
  const threads = args.optionalInt('threads', { min: 1, max: 1024 });
  if (threads !== undefined) env.numThreads = threads;
  return args.choice('backend', CHOICES.backend, 'wasm');
}

export function engineOf(args: Args): EngineRequest {
  return args.choice('engine', CHOICES.engine, DEFAULTS.detector.engine);
}

async function isDir(p: string): Promise<boolean> {
  return stat(p).then((s) => s.isDirectory(), () => false);
}

/** The categories to work on: the --category list, every category for 'all', or [undefined] for a category folder / folder format. */
export async function categoriesOf(args: Args, io: CliIo): Promise<(string | undefined)[]> {
  const format = args.choice('format', FORMATS, 'mvtec');
  if (format === 'folder') return [undefined];
  const list = args.list('category');
  if (list.length === 1 && list[0] === 'all') {
    const root = resolvePath(io, args.required('data'));
    if (!(await isDir(root))) throw new DanflowError('NOT_FOUND', `Dataset root not found: ${root} is not an existing folder.`);
    const names = (await readdir(root, { withFileTypes: true })).filter((d) => (d.isDirectory() || d.isSymbolicLink()) && !d.name.startsWith('.')).map((d) => d.name).sort();
    const cats: string[] = [];
    for (const n of names) if (await isDir(path.join(root, n, 'train'))) cats.push(n);
    if (cats.length === 0) throw new DanflowError('DATASET_LAYOUT', `--category all: no category folders (with a train/ folder) under ${root}.`);
    return cats;
  }
  return list.length ? list : [undefined];
}

export async function openData(args: Args, io: CliIo, category: string | undefined): Promise<Dataset> {
  const format = args.choice('format', FORMATS, 'mvtec');
  const allowMissingMasks = args.bool('allow-missing-masks');
  if (format === 'folder') {
    const normalDir = args.str('normal-dir');
    if (!normalDir) throw new UsageError('--format folder needs --normal-dir <dir> (the normal images)', args.command);
    const base = args.has('data') ? resolvePath(io, args.str('data')!) : io.cwd;
    const opt = (name: string) => (args.has(name) ? { [camel(name)]: args.str(name)! } : {});
    return openDataset({ format: 'folder', root: base, normalDir, ...opt('abnormal-dir'), ...opt('mask-dir'), ...opt('normal-test-dir'), allowMissingMasks });
  }
  if (!args.has('data') && (args.has('normal-dir') || args.has('abnormal-dir'))) {
    throw new UsageError(`--normal-dir and --abnormal-dir belong to the plain-folder layout: add --format folder (the default format, ${format}, reads --data <root>)`, args.command);
  }
  const root = resolvePath(io, args.required('data', 'the dataset root folder'));
  return openDataset({ format, root, ...(category !== undefined ? { category } : {}), allowMissingMasks });
}

/** A name for a dataset in tables: the category, else the --data folder (folder format), else the image folder. */
export function datasetName(args: Args, io: CliIo, ds: Dataset, category: string | undefined): string {
  if (category !== undefined) return category;
  if (ds.category !== undefined) return ds.category;
  if (args.has('data')) return path.basename(resolvePath(io, args.str('data')!));
  return path.basename(ds.root);
}

function camel(s: string): string {
  return s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export interface WeightsChoice {
  /** What to pass as `weights`. */
  weights: string;
  /** For people: where they came from. */
  label: string;
  pretrained: boolean;
  /** Whether the backbone should be switched to mobilenetv2 (a TF.js model.json was given). */
  tfjs: boolean;
}

/** Whether the default pretrained checkpoint of a backbone is in the download cache. */
export async function cachedPretrained(backbone: string): Promise<string | undefined> {
  const id = PRETRAINED[backbone];
  return id && (await cachedFilePath(id)) ? id : undefined;
}

/**
 * Resolves --weights: 'random', 'pretrained' (the backbone's default checkpoint, downloaded once and
 * cached), an hf: id, a URL or a path. Without the flag: $DANFLOW_WEIGHTS, else `fallback`.
 */
export async function chooseWeights(args: Args, io: CliIo, backbone: string, fallback: 'random' | 'pretrained' | 'cached'): Promise<WeightsChoice> {
  const given = args.str('weights') ?? io.env.DANFLOW_WEIGHTS;
  const from = args.has('weights') ? '--weights' : io.env.DANFLOW_WEIGHTS ? '$DANFLOW_WEIGHTS' : undefined;
  let spec = given;
  if (spec === undefined) {
    if (fallback === 'cached') spec = (await cachedPretrained(backbone)) ?? 'random';
    else spec = fallback;
  }
  if (spec === 'random') return { weights: 'random', label: 'random (seeded, no pretraining)', pretrained: false, tfjs: false };
  if (spec === 'pretrained') {
    const id = PRETRAINED[backbone];
    if (!id) {
      throw new UsageError(`--weights pretrained: there is no default checkpoint for ${backbone}; pass the model.json path / an hf: id / a URL, or --weights random`, args.command);
    }
    spec = id;
  }
  const isUrl = /^(hf:|https?:)/.test(spec);
  const resolved = isUrl ? spec : resolvePath(io, spec);
  const tfjs = /\.json$/i.test(spec);
  const cached = given === undefined ? ' (found in the download cache)' : '';
  return { weights: resolved, label: `${isUrl ? spec : resolved}${from ? ` (${from})` : cached}`, pretrained: true, tfjs };
}

/** The model of a category: `<model>` itself when it holds danflow.json, else `<model>/<category>`. */
export async function modelDirFor(io: CliIo, model: string, category: string | undefined): Promise<string> {
  const dir = resolvePath(io, model);
  if (/\.danflow$/.test(dir)) return dir;
  const own = await stat(path.join(dir, 'danflow.json')).then(() => true, () => false);
  if (own || category === undefined) return dir;
  const sub = path.join(dir, category);
  if (await stat(path.join(sub, 'danflow.json')).then(() => true, () => false)) return sub;
  return dir; // loadDetector's error names the directory
}

export async function loadModel(dir: string, backend: BackendRequest, out: Output, progress: ProgressCallback, engine: EngineRequest = DEFAULTS.detector.engine): Promise<Detector> {
  const t = performance.now();
  const det = await loadDetector(dir, { backend, engine, onProgress: progress });
  out.info(`model: ${dir} (${describeConfig(det.config)}; backend ${det.backend}, engine ${det.engine}; loaded in ${formatSeconds((performance.now() - t) / 1000)})`);
  return det;
}

export function describeConfig(c: DetectorConfig): string {
  return describe(c).summary;
}

/** "1.23M trainable parameters", or what a method without trainable parameters keeps instead. */
export function describeSize(c: DetectorConfig, trainableParameters: number): string {
  return describe(c).trains ? `${(trainableParameters / 1e6).toFixed(2)}M trainable parameters` : 'no trainable parameters (a memory bank of normal patches)';
}

/** The outcome line of a fit: epochs and loss for a trained method, the time for a one-pass one. */
export function describeFit(c: DetectorConfig, fit: { epochs: number; steps: number; seconds: number; epochLosses: number[] }): string {
  if (!describe(c).trains) return `memory bank built in ${formatSeconds(fit.seconds)} (no training epochs)`;
  const finalLoss = fit.epochLosses.at(-1);
  return `${fit.epochs} epochs (${fit.steps} steps) in ${formatSeconds(fit.seconds)}, final loss ${finalLoss === undefined ? '–' : formatLoss(finalLoss)}`;
}

/** Training flags a one-pass method does not use, for a warning instead of silence. */
export function unusedTrainingFlags(c: DetectorConfig, args: Args): string[] {
  if (describe(c).trains) return [];
  // --validate still matters without epochs: it picks the image score, the map smoothing and the thresholds.
  return ['epochs', 'batch-size', 'lr', 'lr-schedule', 'warmup-epochs', 'feature-noise', 'augment', 'validate-every', 'patience'].filter((f) => args.has(f)).map((f) => `--${f}`);
}

/** Drives progress bars from the SDK's progress events. */
export function progressHandler(out: Output): ProgressCallback {
  let bar: Bar | undefined;
  let key = '';
  const start = (k: string, label: string, total?: number, unit: 'items' | 'bytes' = 'items'): Bar => {
    if (key !== k || !bar) {
      bar = out.bar(label, total, unit);
      key = k;
    }
    return bar;
  };
  const end = (message?: string) => {
    bar?.finish(message);
    bar = undefined;
    key = '';
  };
  return (e) => {
    switch (e.type) {
      case 'download': {
        const name = e.url.replace(/^https?:\/\/[^/]+\//, '').replace(/\/resolve\/[^/]+\//, '/');
        if (e.cached) {
          out.info(`weights: ${name} (cached, ${formatBytes(e.loaded)})`);
          return;
        }
        start(`download ${e.url}`, 'download', e.total, 'bytes').update(e.loaded, name, e.total);
        if (e.total !== undefined && e.loaded >= e.total) end();
        return;
      }
      case 'features':
        start('features', 'features', e.total).update(e.done);
        if (e.done >= e.total) end();
        return;
      case 'step':
        start(`epoch ${e.epoch}`, `epoch ${e.epoch}/${e.epochs}`, e.steps).update(e.step, `loss ${formatLoss(e.loss)}`);
        return;
      case 'epoch': {
        const v = e.validation ? '  ' + Object.entries(e.validation).map(([k, x]) => `${k} ${x.toFixed(3)}`).join(' ') : '';
        const msg = `epoch ${e.epoch}/${e.epochs}  loss ${formatLoss(e.loss)}  ${formatSeconds(e.seconds)}${v}`;
        if (bar && key === `epoch ${e.epoch}`) end(msg);
        else out.info(msg);
        return;
      }
      case 'eval':
        start('eval', 'localize', e.total).update(e.done);
        if (e.done >= e.total) end();
        return;
      case 'stage':
        end();
        out.info(e.message);
        return;
    }
  };
}

export function formatLoss(v: number): string {
  return Math.abs(v) >= 1000 ? v.toFixed(0) : v.toPrecision(4);
}

/** Maps --quiet/--debug to the SDK's log level for the duration of a command. */
export async function withLogLevel<T>(out: Output, fn: () => Promise<T>): Promise<T> {
  const before = env.logLevel;
  env.logLevel = out.flags.debug ? 'debug' : out.flags.quiet || out.flags.json ? 'silent' : 'warn';
  try {
    return await fn();
  } finally {
    env.logLevel = before;
  }
}

/** MVTec AD's texture categories (the paper's "Texture" average); everything else counts as an object. */
export const TEXTURE_CATEGORIES = new Set(['carpet', 'grid', 'leather', 'tile', 'wood', 'fabric', 'metal']);

/** Evenly spaced picks (keeps the order), so a cut-down training set still covers the whole folder. */
export function evenly<T>(items: readonly T[], max: number | undefined): T[] {
  if (max === undefined || items.length <= max) return [...items];
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)]);
}

/**
 * The served models from repeated `--model DIR` / `--model name=DIR` (serve, worker): an unnamed
 * one is "default"; names become URL segments, so they are kept to letters, digits, '.', '_', '-'.
 */
export function modelSpecs(args: Args, io: CliIo, { required }: { required: boolean }): Record<string, string> {
  const specs: Record<string, string> = {};
  for (const raw of args.all('model')) {
    const named = /^([A-Za-z0-9][A-Za-z0-9._-]*)=(.+)$/.exec(raw);
    const name = named ? named[1] : 'default';
    if (name in specs) {
      throw new UsageError(named ? `--model ${name}=… is given twice` : 'only one --model may be unnamed; name the others: --model name=DIR', args.command);
    }
    specs[name] = resolvePath(io, named ? named[2] : raw);
  }
  if (required && Object.keys(specs).length === 0) throw new UsageError('missing required option --model (a saved model folder, or name=folder; repeat for several)', args.command);
  return specs;
}
