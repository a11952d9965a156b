import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** What fixtures/scripts/bench_pytorch.py prints (one JSON object), or why it did not run. */
export interface PytorchBenchResult {
  error?: string;
  framework?: 'pytorch';
  torch?: string;
  threads: number;
  backbone: string;
  trainable_params: number;
  localize?: Record<string, { seconds_per_batch: number; fps: number; times: number[] }>;
  train_step?: { batch: number; seconds: number; times: number[] };
  fit?: { images: number; batch: number; steps_per_epoch: number; extract_seconds: number; epoch_seconds: number; step_seconds: number; epochs: number; fit_seconds: number };
  peak_rss_mb?: number;
}

export interface PytorchBenchOptions {
  /** Default /usr/bin/python3 (Debian's, with python3-torch), never the first python3 on PATH. */
  python?: string;
  /** Default fixtures/scripts/bench_pytorch.py, searched from the working directory upwards. */
  script?: string;
  threads?: number;
  backbone: string;
  batchSizes: number[];
  repeats: number;
  trainBatch: number;
  fitImages: number;
  epochs: number;
  skip?: string[];
}

function findScript(): string | undefined {
  let dir = process.cwd();
  for (;;) {
    const p = path.join(dir, 'fixtures', 'scripts', 'bench_pytorch.py');
    if (existsSync(p)) return p;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** Runs the PyTorch side in a child process (sequentially with ours, so the two never compete for cores). */
export function runPytorchBenchmark(o: PytorchBenchOptions): Promise<PytorchBenchResult> {
  const python = o.python ?? '/usr/bin/python3';
  const script = o.script ?? findScript();
  const fail = (error: string): PytorchBenchResult => ({ error, threads: 0, backbone: o.backbone, trainable_params: 0 });
  if (!existsSync(python)) return Promise.resolve(fail(`${python} not found`));
  if (!script) return Promise.resolve(fail('fixtures/scripts/bench_pytorch.py not found (run from the repository)'));
  const args = [
    script,
    '--backbone', o.backbone,
    '--batch-sizes', o.batchSizes.join(','),
    '--repeats', String(o.repeats),
    '--train-batch', String(o.trainBatch),
    '--fit-images', String(o.fitImages),
    '--epochs', String(o.epochs),
  ];
  if (o.threads) args.push('--threads', String(o.threads));
  if (o.skip?.length) args.push('--skip', o.skip.join(','));
  return new Promise((resolve) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => resolve(fail(e.message)));
    child.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(last) as PytorchBenchResult);
      } catch (e) {
        const why = /No module named 'torch'/.test(err) ? 'python3-torch is not installed' : `${(e as Error).message}: ${err.trim().split('\n').slice(-3).join(' | ')}`;
        resolve(fail(why));
      }
    });
  });
}
