import * as tf from '@tensorflow/tfjs-core';
import { createDetector, DEFAULTS, env, useBackend, type BackendName, type Detector, type DetectorOptions, type RawImage } from '../index.js';
import { describeError } from '../core/errors.js';
import { hashBytes } from '../core/prng.js';
import { runPytorchBenchmark, type PytorchBenchResult } from './pytorch.js';

/** The benchmarked configurations: the reference configs of spec §4 plus the MobileNetV2 preset. */
export type BenchPreset = 'resnet18' | 'deit' | 'mobilenetv2';

export const BENCH_PRESETS: Record<BenchPreset, { options: DetectorOptions; pytorch?: string }> = {
  resnet18: { options: { backbone: 'resnet18', inputSize: 256, flowSteps: 3, numDw: 3, doubleSubnets: true, attention: 'eca' }, pytorch: 'resnet18' },
  deit: { options: { backbone: 'deit_base_distilled_patch16_384', inputSize: 384, flowSteps: 2, numDw: 1, doubleSubnets: true, attention: 'eca' }, pytorch: 'deit' },
  mobilenetv2: { options: { backbone: 'mobilenetv2', inputSize: 224, flowSteps: 3, numDw: 3, doubleSubnets: true, attention: 'eca' } },
};

export interface BenchmarkOptions {
  /** Default ['resnet18', 'deit', 'mobilenetv2']. */
  presets?: BenchPreset[];
  /** Default: every Node backend that initialises, among ['wasm', 'cpu']. */
  backends?: BackendName[];
  /** Localize batch sizes. Default [1, 8]. */
  localizeBatchSizes?: number[];
  /** Timed repeats after one warm-up run; medians are reported. Default 3. */
  repeats?: number;
  /** Batch of the timed training step. Default 8. */
  trainBatch?: number;
  /** Images for the fit-epoch measurement (synthetic, or the first N of `images`); 0 skips. Default 16. */
  fitImages?: number;
  /** Epochs used to extrapolate the whole fit (extraction + epochs × epoch). Default 10. */
  fitEpochs?: number;
  /** Real images for the fit measurement (e.g. the tire train set); default synthetic noise. */
  images?: RawImage[];
  /** Weights per preset, e.g. { mobilenetv2: '/path/model.json' }. Default 'random'. */
  weights?: Partial<Record<BenchPreset, string>>;
  /** Run the PyTorch reference too: true (default) when /usr/bin/python3 has torch, false never. */
  pytorch?: boolean | { python?: string; script?: string; threads?: number };
  /** Skip phases. */
  skip?: ('localize' | 'train' | 'fit')[];
  /**
   * Also time localize through the onnxruntime engine (1 thread, then env.numThreads or all cores)
   * when onnxruntime-node is installed. Default true.
   */
  onnxruntime?: boolean;
  /**
   * Threads of this run (env.numThreads; default: env.numThreads, else all cores). The wasm backend
   * reads it once per process, so `danflow bench --threads 1,2` runs a process per count.
   */
  threads?: number;
  /** env.trainingKernels of this run (default 'danflow'); `--kernels danflow,tfjs` compares both. */
  trainingKernels?: 'danflow' | 'tfjs';
  onLog?: (line: string) => void;
}

export interface LocalizeTiming {
  batch: number;
  secondsPerBatch: number;
  fps: number;
  times: number[];
}

export interface TrainStepTiming {
  batch: number;
  seconds: number;
  times: number[];
}

export interface FitTiming {
  images: number;
  batch: number;
  stepsPerEpoch: number;
  extractSeconds: number;
  epochSeconds: number;
  stepSeconds: number;
  epochs: number;
  /** extractSeconds + epochs × epochSeconds. */
  fitSeconds: number;
}

/** localize through the onnxruntime engine at one intra-op thread count. */
export interface EngineTiming {
  engine: 'onnxruntime';
  threads: number;
  /** Export + session creation before the first localize. */
  setupSeconds: number;
  localize: LocalizeTiming[];
  error?: string;
}

export interface BenchCase {
  preset: BenchPreset;
  backend: BackendName;
  /** env.numThreads of the case (XNNPACK threads on wasm; onnxruntime's own rows say theirs). */
  threads?: number;
  trainingKernels?: 'danflow' | 'tfjs';
  error?: string;
  /** The onnxruntime rows (same weights and images as the tfjs row). */
  engines?: EngineTiming[];
  trainableParams?: number;
  localize: LocalizeTiming[];
  trainStep?: TrainStepTiming;
  fit?: FitTiming;
  /** Peak resident set size of the process (kernel maxRSS) after this case, MB. */
  peakRssMB: number;
  /** Largest RSS sampled between operations during this case, MB. */
  sampledPeakRssMB: number;
  /** Largest tf.memory().numBytes seen during this case, MB. */
  peakTensorMB: number;
  pytorch?: PytorchBenchResult;
  /** danflow / pytorch ratios: throughput ratio for localize (higher is better), time ratio for training (lower is better). */
  ratios?: { localizeFps: Record<string, number>; trainStep?: number; fitEpoch?: number; fit?: number; peakRss?: number };
}

export interface BenchmarkResult {
  node: string;
  platform: string;
  cpus: number;
  startedAt: string;
  cases: BenchCase[];
  pytorchAvailable: boolean;
  pytorchNote?: string;
  /** os.loadavg() (1, 5, 15 min) when the run started and ended: the machine's other work. */
  loadAverage?: { start: number[]; end: number[] };
  onnxruntimeNote?: string;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

class MemoryProbe {
  sampled = 0;
  tensors = 0;
  sample(): void {
    this.sampled = Math.max(this.sampled, process.memoryUsage().rss);
    this.tensors = Math.max(this.tensors, tf.memory().numBytes);
  }
}

function maxRssMB(): number {
  // resourceUsage().maxRSS is in kilobytes (the kernel's high-water mark, so it sees peaks inside long synchronous kernels).
  return process.resourceUsage().maxRSS / 1024;
}

export function syntheticImages(n: number, size: number, key = 'bench'): RawImage[] {
  return Array.from({ length: n }, (_, i) => ({ data: hashBytes(`${key}/${i}`, size * size * 3), width: size, height: size, channels: 3 }));
}

async function timeIt(fn: () => Promise<unknown> | unknown, repeats: number, probe: MemoryProbe): Promise<{ median: number; times: number[] }> {
  await fn(); // warm-up (kernel compilation, buffer growth)
  probe.sample();
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await fn();
    times.push((performance.now() - t0) / 1000);
    probe.sample();
  }
  return { median: median(times), times };
}

/** Available backends among the requested ones (cpu/wasm in Node). */
export async function availableBackends(requested: BackendName[] = ['wasm', 'cpu']): Promise<BackendName[]> {
  const ok: BackendName[] = [];
  for (const b of requested) {
    try {
      await useBackend(b);
      ok.push(b);
    } catch {
      /* not available here */
    }
  }
  return ok;
}

async function benchCase(preset: BenchPreset, backend: BackendName, o: Required<Pick<BenchmarkOptions, 'localizeBatchSizes' | 'repeats' | 'trainBatch' | 'fitImages' | 'fitEpochs'>> & BenchmarkOptions): Promise<BenchCase> {
  const log = o.onLog ?? (() => {});
  const probe = new MemoryProbe();
  const c: BenchCase = { preset, backend, threads: env.numThreads, trainingKernels: env.trainingKernels, localize: [], peakRssMB: 0, sampledPeakRssMB: 0, peakTensorMB: 0 };
  const skip = new Set(o.skip ?? []);
  let det: Detector | undefined;
  try {
    const weights = o.weights?.[preset] ?? 'random';
    det = await createDetector({ ...BENCH_PRESETS[preset].options, weights, backend, engine: 'tfjs' });
    c.trainableParams = det.trainableParameters;
    const size = det.config.inputSize;
    if (!skip.has('localize')) {
      for (const b of o.localizeBatchSizes) {
        const imgs = syntheticImages(b, size, `bench/localize/${b}`);
        const d = det;
        const t = await timeIt(() => d.localize(imgs, { batchSize: b }), o.repeats, probe);
        c.localize.push({ batch: b, secondsPerBatch: t.median, fps: b / t.median, times: t.times });
        log(`  ${preset}/${backend} localize batch ${b}: ${(b / t.median).toFixed(2)} img/s`);
      }
      if (o.onnxruntime !== false) c.engines = await benchOnnxruntime(preset, backend, weights, o, probe);
    }
    if (!skip.has('train')) {
      // One step per epoch on trainBatch images; a step's time is the gap between consecutive
      // `step` events of fit (features are cached before the first step, which is the warm-up).
      const stamps: number[] = [];
      await det.fit(syntheticImages(o.trainBatch, size, 'bench/train'), {
        epochs: o.repeats + 1,
        batchSize: o.trainBatch,
        calibrate: false,
        onProgress: (e) => {
          if (e.type !== 'step') return;
          stamps.push(performance.now());
          probe.sample();
        },
      });
      const times = stamps.slice(1).map((t, i) => (t - stamps[i]) / 1000);
      const sorted = [...times].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      c.trainStep = { batch: o.trainBatch, seconds: median, times };
      log(`  ${preset}/${backend} train step batch ${o.trainBatch}: ${median.toFixed(2)} s`);
    }
    if (!skip.has('fit') && o.fitImages > 0) {
      // A fresh detector, so the timed fit starts from the initial weights like a user's would.
      det.dispose();
      det = await createDetector({ ...BENCH_PRESETS[preset].options, weights, backend, engine: 'tfjs' });
      const imgs = o.images ? o.images.slice(0, o.fitImages) : syntheticImages(o.fitImages, size, 'bench/fit');
      let epochSeconds = 0;
      let steps = 0;
      const t0 = performance.now();
      await det.fit(imgs, {
        epochs: 1,
        batchSize: o.trainBatch,
        calibrate: false,
        onProgress: (e) => {
          probe.sample();
          if (e.type === 'epoch') epochSeconds = e.seconds;
          if (e.type === 'step') steps = e.steps;
        },
      });
      const total = (performance.now() - t0) / 1000;
      const extractSeconds = total - epochSeconds;
      c.fit = {
        images: imgs.length,
        batch: o.trainBatch,
        stepsPerEpoch: steps,
        extractSeconds,
        epochSeconds,
        stepSeconds: epochSeconds / Math.max(steps, 1),
        epochs: o.fitEpochs,
        fitSeconds: extractSeconds + o.fitEpochs * epochSeconds,
      };
      log(`  ${preset}/${backend} fit: extract ${extractSeconds.toFixed(1)} s, epoch ${epochSeconds.toFixed(1)} s`);
    }
  } catch (e) {
    c.error = describeError(e);
    log(`  ${preset}/${backend} failed: ${c.error}`);
  } finally {
    det?.dispose();
  }
  probe.sample();
  c.peakRssMB = maxRssMB();
  c.sampledPeakRssMB = probe.sampled / 2 ** 20;
  c.peakTensorMB = probe.tensors / 2 ** 20;
  return c;
}

/**
 * localize through the onnxruntime engine, same preset, weights and images: at 1 intra-op thread
 * and at env.numThreads (default: all cores). Export and session creation are timed apart.
 */
async function benchOnnxruntime(preset: BenchPreset, backend: BackendName, weights: string, o: Required<Pick<BenchmarkOptions, 'localizeBatchSizes' | 'repeats'>> & BenchmarkOptions, probe: MemoryProbe): Promise<EngineTiming[]> {
  const log = o.onLog ?? (() => {});
  const os = await import('node:os');
  const all = env.numThreads ?? os.availableParallelism();
  const saved = env.numThreads;
  const rows: EngineTiming[] = [];
  let det: Detector | undefined;
  try {
    det = await createDetector({ ...BENCH_PRESETS[preset].options, weights, backend, engine: 'onnxruntime' });
    for (const threads of [...new Set([1, all])]) {
      env.numThreads = threads;
      const row: EngineTiming = { engine: 'onnxruntime', threads, setupSeconds: 0, localize: [] };
      const size = det.config.inputSize;
      const t0 = performance.now();
      await det.localize(syntheticImages(1, size, 'bench/ort-setup'));
      row.setupSeconds = (performance.now() - t0) / 1000;
      for (const b of o.localizeBatchSizes) {
        const imgs = syntheticImages(b, size, `bench/localize/${b}`);
        const d = det;
        const t = await timeIt(() => d.localize(imgs, { batchSize: b }), o.repeats, probe);
        row.localize.push({ batch: b, secondsPerBatch: t.median, fps: b / t.median, times: t.times });
        log(`  ${preset}/${backend} onnxruntime ${threads} thread${threads > 1 ? 's' : ''} localize batch ${b}: ${(b / t.median).toFixed(2)} img/s`);
      }
      rows.push(row);
    }
  } catch (e) {
    rows.push({ engine: 'onnxruntime', threads: all, setupSeconds: 0, localize: [], error: describeError(e) });
    log(`  ${preset}/${backend} onnxruntime: ${describeError(e).split('\n')[0]}`);
  } finally {
    env.numThreads = saved;
    det?.dispose();
  }
  return rows;
}

function attachRatios(c: BenchCase, p: PytorchBenchResult): void {
  c.pytorch = p;
  if (p.error) return;
  const localizeFps: Record<string, number> = {};
  for (const l of c.localize) {
    const ref = p.localize?.[String(l.batch)];
    if (ref) localizeFps[String(l.batch)] = l.fps / ref.fps;
  }
  c.ratios = {
    localizeFps,
    trainStep: c.trainStep && p.train_step ? c.trainStep.seconds / p.train_step.seconds : undefined,
    fitEpoch: c.fit && p.fit ? c.fit.epochSeconds / p.fit.epoch_seconds : undefined,
    fit: c.fit && p.fit ? c.fit.fitSeconds / p.fit.fit_seconds : undefined,
    peakRss: p.peak_rss_mb ? c.peakRssMB / p.peak_rss_mb : undefined,
  };
}

/**
 * Times localize (per batch size), one training step and a fit epoch for each preset × backend,
 * and — when Debian's python3-torch is there — the PyTorch reference in the same run, so the
 * danflow / pytorch ratios are comparable on a noisy machine. Not part of the test suite.
 */
export async function runBenchmark(options: BenchmarkOptions = {}): Promise<BenchmarkResult> {
  const o = {
    ...options,
    localizeBatchSizes: options.localizeBatchSizes ?? [1, 8],
    repeats: options.repeats ?? 3,
    trainBatch: options.trainBatch ?? DEFAULTS.fit.batchSize,
    fitImages: options.fitImages ?? 16,
    fitEpochs: options.fitEpochs ?? 10,
  };
  const log = o.onLog ?? (() => {});
  const os = await import('node:os');
  // Before any backend exists: the wasm backend takes its thread count when it is created.
  env.numThreads = o.threads ?? env.numThreads ?? os.availableParallelism();
  if (o.trainingKernels) env.trainingKernels = o.trainingKernels;
  const presets = o.presets ?? (['resnet18', 'deit', 'mobilenetv2'] as BenchPreset[]);
  const backends = await availableBackends(o.backends ?? ['wasm', 'cpu']);
  const result: BenchmarkResult = {
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    cpus: os.cpus().length,
    startedAt: new Date().toISOString(),
    cases: [],
    pytorchAvailable: false,
    loadAverage: { start: os.loadavg(), end: [] },
  };
  const py = o.pytorch ?? true;
  const pyOpts = typeof py === 'object' ? py : {};
  const pyCache = new Map<string, PytorchBenchResult>();
  for (const preset of presets) {
    for (const backend of backends) {
      log(`${preset} on ${backend}…`);
      const c = await benchCase(preset, backend, o);
      const pyName = BENCH_PRESETS[preset].pytorch;
      if (py !== false && pyName) {
        // PyTorch on as many threads as this case, unless --torch-threads says otherwise.
        const pyThreads = pyOpts.threads ?? env.numThreads;
        const pyKey = `${pyName}/${pyThreads}`;
        let p = pyCache.get(pyKey);
        if (!p) {
          log(`${preset} in PyTorch…`);
          p = await runPytorchBenchmark({
            ...pyOpts,
            threads: pyThreads,
            backbone: pyName,
            batchSizes: o.localizeBatchSizes,
            repeats: o.repeats,
            trainBatch: o.trainBatch,
            fitImages: o.fitImages,
            epochs: o.fitEpochs,
            skip: o.skip,
          });
          pyCache.set(pyKey, p);
          if (!p.error) result.pytorchAvailable = true;
          else result.pytorchNote = p.error;
        }
        attachRatios(c, p);
      }
      result.cases.push(c);
    }
  }
  result.loadAverage!.end = os.loadavg();
  return result;
}

/** 'wasm 2 thr', with ' tfjs ops' when the case trained on tfjs's composite ops. */
const caseLabel = (c: BenchCase): string => `${c.backend}${c.threads ? ` ${c.threads} thr` : ''}${c.trainingKernels === 'tfjs' ? ' tfjs ops' : ''}`;

const fmt = (v: number | undefined, digits = 2): string => (v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits));

/** A plain-text table of a benchmark result: one row per preset × backend, PyTorch and ratio rows under it. */
export function formatBenchmarkTable(r: BenchmarkResult): string {
  const batches = [...new Set(r.cases.flatMap((c) => c.localize.map((l) => l.batch)))].sort((a, b) => a - b);
  const head = ['config', 'backend', 'params (M)', ...batches.map((b) => `localize b${b} (img/s)`), 'train step (s)', 'fit epoch (s)', 'fit step (s)', 'fit total (s)', 'peak RSS (MB)'];
  const rows: string[][] = [];
  for (const c of r.cases) {
    if (c.error) {
      rows.push([c.preset, caseLabel(c), fmt(c.trainableParams && c.trainableParams / 1e6, 3), `error: ${c.error.split('\n')[0].slice(0, 100)}`]);
      continue;
    }
    const loc = (b: number) => fmt(c.localize.find((l) => l.batch === b)?.fps);
    rows.push([
      c.preset,
      caseLabel(c),
      fmt(c.trainableParams !== undefined ? c.trainableParams / 1e6 : undefined, 3),
      ...batches.map(loc),
      fmt(c.trainStep?.seconds),
      fmt(c.fit?.epochSeconds, 1),
      fmt(c.fit?.stepSeconds),
      fmt(c.fit?.fitSeconds, 0),
      fmt(c.peakRssMB, 0),
    ]);
    for (const e of c.engines ?? []) {
      if (e.error) {
        rows.push(['', 'onnxruntime', '', `not run: ${e.error.split('\n')[0].slice(0, 100)}`]);
        continue;
      }
      rows.push(['', `onnxruntime ${e.threads} thr`, '', ...batches.map((b) => fmt(e.localize.find((l) => l.batch === b)?.fps)), '', '', '', '', '']);
    }
    const p = c.pytorch;
    if (p && !p.error && c.ratios) {
      rows.push([
        '',
        `pytorch (${p.threads} thr)`,
        fmt(p.trainable_params / 1e6, 3),
        ...batches.map((b) => fmt(p.localize?.[String(b)]?.fps)),
        fmt(p.train_step?.seconds),
        fmt(p.fit?.epoch_seconds, 1),
        fmt(p.fit?.step_seconds),
        fmt(p.fit?.fit_seconds, 0),
        fmt(p.peak_rss_mb, 0),
      ]);
      rows.push([
        '',
        'ratio danflow/pt',
        '',
        ...batches.map((b) => `${fmt(c.ratios!.localizeFps[String(b)])}×`),
        `${fmt(c.ratios.trainStep)}×`,
        `${fmt(c.ratios.fitEpoch)}×`,
        '',
        `${fmt(c.ratios.fit)}×`,
        `${fmt(c.ratios.peakRss)}×`,
      ]);
      for (const e of c.engines ?? []) {
        if (e.error) continue;
        rows.push(['', `ratio ort ${e.threads} thr/pt`, '', ...batches.map((b) => {
          const ours = e.localize.find((l) => l.batch === b)?.fps;
          const ref = p.localize?.[String(b)]?.fps;
          return ours && ref ? `${fmt(ours / ref)}×` : '—';
        })]);
      }
    }
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((v, i) => (v ?? '').padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const row of rows) out.push(line(row));
  const load = (l: number[] | undefined) => (l?.length ? l.map((v) => v.toFixed(2)).join(' / ') : '—');
  const notes = [
    `node ${r.node}, ${r.platform}, ${r.cpus} CPUs; medians of timed repeats after one warm-up.`,
    `Load average (1 / 5 / 15 min) at the start: ${load(r.loadAverage?.start)}, at the end: ${load(r.loadAverage?.end)} (other work on the machine slows every row).`,
    'Ratios: localize = danflow img/s ÷ pytorch img/s (higher is better); train/fit/RSS = danflow ÷ pytorch (lower is better).',
  ];
  if (!r.pytorchAvailable) notes.push(`PyTorch not run${r.pytorchNote ? `: ${r.pytorchNote}` : ''}.`);
  return [...out, '', ...notes].join('\n');
}

export type { PytorchBenchResult } from './pytorch.js';
