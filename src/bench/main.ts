/**
 * `npm run bench` / `danflow bench`: prints the benchmark table and writes the JSON result.
 *
 *   node dist/bench.js [--presets resnet18,deit,mobilenetv2] [--backends wasm,cpu] [--batch-sizes 1,8]
 *                      [--repeats 3] [--train-batch 8] [--fit-images 16] [--fit-epochs 10]
 *                      [--images DIR] [--mobilenet-weights PATH] [--no-pytorch] [--torch-threads N] [--no-onnxruntime]
 *                      [--threads 1,2] [--kernels danflow,tfjs]
 *                      [--skip localize,train,fit] [--out bench-result.json] [--in-process]
 *
 * Each preset × backend × thread count × training-kernel choice runs in its own child process (so
 * peak RSS and the wasm heap, which never shrinks, are per case, and the wasm backend gets the
 * thread count it is created with), followed by the PyTorch reference of the same config on as many
 * threads, one after another.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { env, type BackendName } from '../index.js';
import { availableBackends, formatBenchmarkTable, runBenchmark, type BenchCase, type BenchmarkOptions, type BenchmarkResult, type BenchPreset } from './index.js';

interface Args {
  [k: string]: string | boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {};
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (!k.startsWith('--')) continue;
    const name = k.slice(2);
    if (name.startsWith('no-')) a[name.slice(3)] = false;
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) a[name] = argv[++i];
    else a[name] = true;
  }
  return a;
}

const list = (v: string | boolean | undefined): string[] | undefined => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);
const num = (v: string | boolean | undefined): number | undefined => (typeof v === 'string' ? Number(v) : undefined);

async function loadImages(dir: string, n: number, size: number) {
  const { decodeImageNode } = await import('../node.js');
  const files = readdirSync(dir).filter((f) => /\.(png|jpe?g|bmp)$/i.test(f)).sort().slice(0, n);
  const out = [];
  for (const f of files) out.push(await decodeImageNode(path.join(dir, f)));
  void size;
  return out;
}

const HELP = `Usage: danflow bench [options]   (also: npm run bench)

Measures localize FPS (batch 1 and 8), training step / epoch / whole-fit time, peak RSS and trainable
parameters per preset and backend; localize through the onnxruntime engine too (1 thread and all cores)
when onnxruntime-node is installed; runs the PyTorch reference of the same config in the same run when
Debian's python3-torch is installed, and prints the ratios and the load average. Options:
  --presets resnet18,deit,mobilenetv2   --backends wasm,cpu   --batch-sizes 1,8   --repeats 3
  --train-batch 8   --fit-images 16   --fit-epochs 10   --images DIR   --mobilenet-weights PATH
  --no-pytorch   --torch-threads N   --no-onnxruntime   --skip localize,train,fit   --out bench-result.json
  --threads 1,2 (env.numThreads per case, PyTorch on as many; default all cores)
  --kernels danflow,tfjs (training kernels: danflow's own, tfjs's composite ops; default danflow)
  --in-process

Usage: danflow bench --serve [options]

Load on a real \`danflow serve\` process, once per --max-batch value (1 = no batching): req/s, p50/p90/p99
latency, the mean batch the server formed, and answers that differ from the library's localize.
  --model DIR (default: fit a small resnet18 model here)   --input-size 128   --image-size 160
  --requests 300   --concurrency 16   --max-batch 1,4,8,16   --backend wasm   --out bench-serve-result.json
`;

export async function main(argv = process.argv.slice(2)): Promise<BenchmarkResult | undefined> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return undefined;
  }
  const a = parseArgs(argv);
  const log = (s: string) => process.stderr.write(`${s}\n`);
  if (a.serve) {
    const { formatServeTable, runServeBenchmark } = await import('./serve.js');
    const r = await runServeBenchmark({
      model: typeof a.model === 'string' ? path.resolve(a.model) : undefined,
      inputSize: num(a['input-size']),
      imageSize: num(a['image-size']),
      requests: num(a.requests),
      concurrency: num(a.concurrency),
      maxBatches: list(a['max-batch'])?.map(Number),
      backend: typeof a.backend === 'string' ? (a.backend as BackendName) : undefined,
      onLog: log,
    });
    const out = typeof a.out === 'string' ? a.out : 'bench-serve-result.json';
    writeFileSync(out, JSON.stringify(r, null, 2));
    process.stdout.write(`${formatServeTable(r)}\n`);
    log(`wrote ${out}`);
    return undefined;
  }
  const mobilenet = typeof a['mobilenet-weights'] === 'string' ? a['mobilenet-weights'] : [path.resolve('../shared/weights/mobilenetv2-035-tm/model.json')].find((p) => existsSync(p));
  const opts: BenchmarkOptions = {
    presets: list(a.presets) as BenchPreset[] | undefined,
    backends: list(a.backends) as BackendName[] | undefined,
    localizeBatchSizes: list(a['batch-sizes'])?.map(Number),
    repeats: num(a.repeats),
    trainBatch: num(a['train-batch']),
    fitImages: num(a['fit-images']),
    fitEpochs: num(a['fit-epochs']),
    weights: mobilenet ? { mobilenetv2: mobilenet } : undefined,
    pytorch: a.pytorch === false ? false : { threads: num(a['torch-threads']) },
    skip: list(a.skip) as BenchmarkOptions['skip'],
    onnxruntime: a.onnxruntime !== false,
    onLog: log,
  };
  const threadCounts = list(a.threads)?.map(Number);
  const kernelChoices = list(a.kernels) as ('danflow' | 'tfjs')[] | undefined;
  for (const t of threadCounts ?? []) if (!Number.isInteger(t) || t < 1) throw new Error(`--threads takes positive integers (got ${a.threads})`);
  for (const k of kernelChoices ?? []) if (k !== 'danflow' && k !== 'tfjs') throw new Error(`--kernels takes danflow and/or tfjs (got ${a.kernels})`);
  if (typeof a.images === 'string') opts.images = await loadImages(a.images, opts.fitImages ?? 16, 0);
  let result: BenchmarkResult;
  const presets = opts.presets ?? (['resnet18', 'deit', 'mobilenetv2'] as BenchPreset[]);
  // Before any backend exists (availableBackends creates them): wasm takes its thread count then.
  if (threadCounts?.length === 1) env.numThreads = threadCounts[0];
  if (kernelChoices?.length === 1) env.trainingKernels = kernelChoices[0];
  const backends = await availableBackends(opts.backends ?? ['wasm', 'cpu']);
  const variants = (threadCounts ?? [undefined]).flatMap((threads) => (kernelChoices ?? [undefined]).map((kernels) => ({ threads, kernels })));
  if (a['in-process'] || a['child'] || presets.length * backends.length * variants.length <= 1) {
    result = await runBenchmark({ ...opts, presets, backends, threads: threadCounts?.[0], trainingKernels: kernelChoices?.[0] });
  } else {
    // One child process per case; each child writes its JSON to a temp file.
    const cases: BenchCase[] = [];
    let meta: BenchmarkResult | undefined;
    const os = await import('node:os');
    const loadStart = os.loadavg();
    for (const preset of presets) {
      for (const backend of backends) for (const { threads, kernels } of variants) {
        const tmp = path.join(os.tmpdir(), `danflow-bench-${process.pid}-${preset}-${backend}-${threads ?? 'all'}-${kernels ?? 'default'}.json`);
        const childArgs = [
          ...argv.filter((x) => x !== '--in-process'),
          '--presets', preset, '--backends', backend,
          ...(threads ? ['--threads', String(threads)] : []),
          ...(kernels ? ['--kernels', kernels] : []),
          '--child', '--out', tmp, '--quiet',
        ];
        const code = await new Promise<number>((resolve) => {
          // Run through `danflow bench` when started from the CLI, or dist/bench.js directly.
          const viaCli = !/bench\.(c?js|ts)$/.test(process.argv[1] ?? '');
          const p = spawn(process.execPath, [...process.execArgv, process.argv[1], ...(viaCli ? ['bench'] : []), ...childArgs], { stdio: ['ignore', 'ignore', 'inherit'] });
          p.on('close', (c) => resolve(c ?? 1));
        });
        if (code === 0 && existsSync(tmp)) {
          const r = JSON.parse((await import('node:fs')).readFileSync(tmp, 'utf8')) as BenchmarkResult;
          meta ??= r;
          if (r.pytorchAvailable) meta.pytorchAvailable = true;
          cases.push(...r.cases);
        } else {
          cases.push({ preset, backend, threads, trainingKernels: kernels, error: `benchmark process exited with ${code}`, localize: [], peakRssMB: 0, sampledPeakRssMB: 0, peakTensorMB: 0 });
        }
      }
    }
    result = { ...(meta ?? { node: process.version, platform: process.platform, cpus: 0, startedAt: new Date().toISOString(), pytorchAvailable: false }), cases, loadAverage: { start: loadStart, end: os.loadavg() } };
  }
  const out = typeof a.out === 'string' ? a.out : 'bench-result.json';
  writeFileSync(out, JSON.stringify(result, null, 2));
  if (!a.quiet) {
    process.stdout.write(`${formatBenchmarkTable(result)}\n`);
    log(`wrote ${out}`);
  }
  return result;
}

const isEntry = (() => {
  const entry = process.argv[1] ? path.resolve(process.argv[1]) : '';
  return /bench(\.m?[jt]s)?$/.test(entry) || entry.endsWith(path.join('bench', 'main.ts'));
})();
if (isEntry) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
