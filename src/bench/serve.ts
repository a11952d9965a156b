/**
 * `danflow bench --serve`: load on a real `danflow serve` process. For each --max-batch setting the
 * server is started afresh (dist/cli.js), warmed up, then sent N requests at concurrency C over
 * keep-alive HTTP; the table has throughput, latency percentiles and the mean batch the server
 * formed. Every answer is checked against the library's own localize of the same image, so a mode
 * that is fast but wrong shows up as mismatches.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDetector, loadDetector, synthetic, type BackendName } from '../index.js';
import { decodeImageNode, encodePngNode } from '../node.js';

export interface ServeBenchOptions {
  /** A saved model; default: one fitted here (resnet18, random weights, the README's small config at `inputSize`). */
  model?: string;
  inputSize?: number;
  requests?: number;
  concurrency?: number;
  /** The server's --max-batch values to compare; 1 = no batching. */
  maxBatches?: number[];
  backend?: BackendName;
  /** Image side of the synthetic request images. */
  imageSize?: number;
  onLog?: (line: string) => void;
}

export interface ServeBenchRow {
  maxBatch: number;
  requests: number;
  concurrency: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  meanBatch: number;
  errors: number;
  mismatches: number;
}

export interface ServeBenchResult {
  node: string;
  cpus: number;
  model: string;
  config: string;
  imageSize: number;
  rows: ServeBenchRow[];
}

const CLI = () => path.join(path.dirname(fileURLToPath(import.meta.url)), 'cli.js');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function startServer(model: string, maxBatch: number, backend: BackendName): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [CLI(), 'serve', '--model', model, '--port', '0', '--backend', backend, '--max-batch', String(maxBatch), '--max-queue', '10000', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearInterval(timer);
        resolve(m[1]);
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`danflow serve exited with ${child.exitCode}:\n${out}`));
      }
    }, 20);
  });
  return {
    url,
    stop: () =>
      new Promise<void>((r) => {
        child.on('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}

async function benchModel(o: Required<Pick<ServeBenchOptions, 'inputSize' | 'backend'>>, dir: string, log: (s: string) => void): Promise<string> {
  const out = path.join(dir, 'model');
  const data = synthetic.generateSyntheticDataset({ category: 'metal', size: o.inputSize, trainCount: 16, testGoodCount: 0, testDefectCount: 0, seed: 11 });
  const det = await createDetector({ backbone: 'resnet18', weights: 'random', inputSize: o.inputSize, flowSteps: 2, numDw: 1, backend: o.backend });
  log(`fitting the benchmark model (resnet18, random weights, input ${o.inputSize}, 2 flow steps, numDw 1; 1 epoch on 16 synthetic images)`);
  await det.fit(data.train, { epochs: 1, batchSize: 8 });
  await det.save(out);
  det.dispose();
  return out;
}

export async function runServeBenchmark(options: ServeBenchOptions = {}): Promise<ServeBenchResult> {
  const log = options.onLog ?? (() => {});
  const backend = options.backend ?? 'wasm';
  const inputSize = options.inputSize ?? 128;
  const imageSize = options.imageSize ?? 160;
  const requests = options.requests ?? 300;
  const concurrency = options.concurrency ?? 16;
  const maxBatches = options.maxBatches ?? [1, 4, 8, 16];
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'danflow-bench-serve-'));
  try {
    const model = options.model ?? (await benchModel({ inputSize, backend }, tmp, log));
    const ref = await loadDetector(model, { backend });
    const data = synthetic.generateSyntheticDataset({ category: 'metal', size: imageSize, trainCount: 0, testGoodCount: 8, testDefectCount: 8, seed: 5 });
    const pngs: Uint8Array[] = [];
    const scores: number[] = [];
    for (const s of data.test) {
      const png = await encodePngNode(s.image);
      pngs.push(png);
      scores.push((await ref.localize(await decodeImageNode(png))).score);
    }
    const config = `${ref.config.backbone}, input ${ref.config.inputSize}, ${ref.method}${ref.method === 'danflow' ? ` (${ref.config.flowSteps} steps, numDw ${ref.config.numDw})` : ''}, backend ${backend}`;
    ref.dispose();

    const rows: ServeBenchRow[] = [];
    for (const maxBatch of maxBatches) {
      const server = await startServer(model, maxBatch, backend);
      try {
        const send = async (i: number) => {
          const t0 = performance.now();
          const res = await fetch(`${server.url}/v1/localize`, { method: 'POST', body: Buffer.from(pngs[i % pngs.length]), headers: { 'content-type': 'image/png' } });
          const body = (await res.json()) as { score?: number };
          return { ms: performance.now() - t0, ok: res.status === 200, match: res.status === 200 && Math.abs((body.score ?? NaN) - scores[i % pngs.length]) <= 1e-6 };
        };
        for (let i = 0; i < concurrency * 2; i++) await send(i); // warm-up: kernels, JIT, sockets
        const batchesBefore = await batchStats(server.url);
        const results: Awaited<ReturnType<typeof send>>[] = [];
        let next = 0;
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: concurrency }, async () => {
            while (next < requests) results.push(await send(next++));
          }),
        );
        const seconds = (performance.now() - t0) / 1000;
        const batchesAfter = await batchStats(server.url);
        const ms = results.map((r) => r.ms).sort((a, b) => a - b);
        const row: ServeBenchRow = {
          maxBatch,
          requests,
          concurrency,
          seconds,
          requestsPerSecond: requests / seconds,
          p50Ms: percentile(ms, 50),
          p90Ms: percentile(ms, 90),
          p99Ms: percentile(ms, 99),
          meanBatch: (batchesAfter.images - batchesBefore.images) / Math.max(1, batchesAfter.calls - batchesBefore.calls),
          errors: results.filter((r) => !r.ok).length,
          mismatches: results.filter((r) => r.ok && !r.match).length,
        };
        rows.push(row);
        log(`max-batch ${maxBatch}: ${row.requestsPerSecond.toFixed(1)} req/s, p50 ${row.p50Ms.toFixed(0)} ms, p99 ${row.p99Ms.toFixed(0)} ms`);
      } finally {
        await server.stop();
      }
    }
    return { node: process.version, cpus: os.cpus().length, model: options.model ?? 'fitted by the benchmark', config, imageSize, rows };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Images and calls of localize so far, from the server's Prometheus histogram. */
async function batchStats(url: string): Promise<{ images: number; calls: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? 0);
  return { images: read('danflow_localize_batch_size_sum'), calls: read('danflow_localize_batch_size_count') };
}

export function formatServeTable(r: ServeBenchResult): string {
  const head = ['max batch', 'requests', 'concurrency', 'req/s', 'p50 (ms)', 'p90 (ms)', 'p99 (ms)', 'mean batch', 'errors', 'mismatches'];
  const rows = r.rows.map((x) => [String(x.maxBatch), String(x.requests), String(x.concurrency), x.requestsPerSecond.toFixed(1), x.p50Ms.toFixed(0), x.p90Ms.toFixed(0), x.p99Ms.toFixed(0), x.meanBatch.toFixed(2), String(x.errors), String(x.mismatches)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  return [
    line(head),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    '',
    `danflow serve (${r.config}); ${r.imageSize}×${r.imageSize} PNG requests over keep-alive HTTP on loopback; node ${r.node}, ${r.cpus} CPUs.`,
    'max batch 1 = no batching. Mismatches: answers whose score differs from the library localize by more than 1e-6.',
  ].join('\n');
}
