/**
 * Fault tests of the worker fleet with real parts: a redis-server on a loopback port (append-only
 * file, fsync always), `danflow worker` processes from dist/, and the library client. A worker is
 * SIGKILLed mid-run, Redis is restarted mid-run, a worker is stopped with SIGTERM: every job must
 * still complete exactly once (counted from BullMQ's own event stream) with the library's result.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDetector, type LocalizeResult } from '../../src/index.js';
import { createFleetClient, type FleetClient, type LocalizeJobResult } from '../../src/serve.js';
import { spawnCli, type CliProcess } from '../helpers/cli-process.js';
import { REDIS_SERVER, startRedis, type RedisServer } from '../helpers/redis.js';
import { expectedResults, saveTinyModel, testImages } from '../helpers/serve.js';
import { ensureDist } from './browser/harness.js';

if (!REDIS_SERVER) console.log('[fleet e2e] skipped: redis-server is not installed (Debian: apt-get install redis-server)');

const QUEUE = 'faults';

describe.skipIf(!REDIS_SERVER)('danflow worker fleet: faults (real processes, real Redis)', () => {
  let tmp: string;
  let redis: RedisServer;
  let modelDir: string;
  let files: string[];
  let expected: LocalizeResult[];
  let client: FleetClient;
  let events: QueueEvents;
  const completed = new Map<string, number>();
  const stalled: string[] = [];
  const workers: CliProcess[] = [];

  const startWorkerProcess = async (): Promise<{ proc: CliProcess; name: string }> => {
    const proc = spawnCli(['worker', '--redis', redis.url, '--queue', QUEUE, '--model', modelDir, '--backend', 'wasm', '--concurrency', '2', '--lock', '3']);
    workers.push(proc);
    const name = (await proc.waitFor(/danflow worker (\S+): taking jobs/))[1];
    return { proc, name };
  };

  /** Enqueues `n` jobs with ids `${prefix}-${i}` and awaits every result. */
  const runJobs = (prefix: string, n: number): Promise<LocalizeJobResult[]> =>
    Promise.all(Array.from({ length: n }, (_, i) => client.localize({ image: files[i % files.length] }, { jobId: `${prefix}-${i}` })));

  const waitUntilCompleted = async (prefix: string, n: number) => {
    while ([...completed.keys()].filter((k) => k.startsWith(`${prefix}-`)).length < n) await new Promise((r) => setTimeout(r, 20));
  };

  const expectExactlyOnce = async (prefix: string, results: LocalizeJobResult[]) => {
    // The client may hear of a completion before this independent listener does; then give any
    // duplicate completion time to show up too.
    await waitUntilCompleted(prefix, results.length);
    await new Promise((r) => setTimeout(r, 500));
    results.forEach((r, i) => {
      const want = expected[i % files.length];
      expect(Math.abs(r.score - want.score), `${prefix}-${i}`).toBeLessThanOrEqual(1e-6);
      expect(r.isAnomalous).toBe(want.isAnomalous);
      expect(completed.get(`${prefix}-${i}`), `${prefix}-${i} completions`).toBe(1);
    });
  };

  beforeAll(async () => {
    ensureDist();
    tmp = await mkdtemp(path.join(os.tmpdir(), 'danflow-fleet-e2e-'));
    redis = await startRedis(tmp);
    modelDir = path.join(tmp, 'model');
    (await saveTinyModel(modelDir, 1)).dispose();
    const images = await testImages(10);
    const ref = await loadDetector(modelDir, { backend: 'wasm' });
    expected = await expectedResults(ref, images);
    ref.dispose();
    files = [];
    for (const img of images) {
      const f = path.join(tmp, `${img.name}.png`);
      await writeFile(f, img.png);
      files.push(f);
    }
    // BullMQ's own record of what happened to every job, independent of the client under test.
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    connection.on('error', () => {}); // refused connections while Redis restarts are expected
    events = new QueueEvents(QUEUE, { connection });
    events.on('error', () => {});
    events.on('completed', ({ jobId }) => completed.set(jobId, (completed.get(jobId) ?? 0) + 1));
    events.on('stalled', ({ jobId }) => stalled.push(jobId));
    await events.waitUntilReady();
    client = await createFleetClient({ redis: redis.url, queue: QUEUE, backoffMs: 200 });
  }, 180_000);

  afterAll(async () => {
    for (const w of workers) w.kill();
    await client?.close();
    await events?.close();
    await redis?.stop();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('SIGKILL one of two workers mid-run: all 120 jobs complete exactly once, with the right results', async () => {
    const a = await startWorkerProcess();
    const b = await startWorkerProcess();
    const run = runJobs('kill', 120);
    await waitUntilCompleted('kill', 20);
    a.proc.child.kill('SIGKILL');
    expect(await a.proc.exited).toBe('SIGKILL');
    const results = await run;
    await expectExactlyOnce('kill', results);
    const kills = stalled.filter((id) => id.startsWith('kill-'));
    console.log(`[fleet e2e] SIGKILL: ${results.filter((r) => r.worker === a.name).length} jobs by the killed worker, ${results.filter((r) => r.worker === b.name).length} by the other; taken over after the kill: ${kills.join(', ')}`);
    // The dead worker's jobs were found stalled and finished by the other one.
    expect(kills.length).toBeGreaterThan(0);
    for (const id of stalled) expect(results[Number(id.split('-')[1])].worker).toBe(b.name);
    expect(new Set(results.map((r) => r.worker))).toEqual(new Set([a.name, b.name]));
    expect(await client.counts()).toMatchObject({ failed: 0, active: 0, waiting: 0 });
  });

  it('Redis restarts mid-run: the workers reconnect and every job completes exactly once', async () => {
    const run = runJobs('restart', 60);
    await waitUntilCompleted('restart', 10);
    await redis.stop();
    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();
    const results = await run;
    await expectExactlyOnce('restart', results);
    expect(await client.counts()).toMatchObject({ failed: 0, active: 0, waiting: 0 });
  });

  it('SIGTERM: a worker finishes the jobs in hand and exits 0; the rest wait for the next worker', async () => {
    const running = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null);
    expect(running).toHaveLength(1);
    const run = runJobs('term', 40);
    await waitUntilCompleted('term', 5);
    const stalledBefore = stalled.length;
    running[0].child.kill('SIGTERM');
    expect(await running[0].exited).toBe(0);
    expect(running[0].output()).toContain('SIGTERM: finishing the jobs in hand');
    const c = await startWorkerProcess();
    const results = await run;
    await expectExactlyOnce('term', results);
    // Nothing was left locked: a graceful stop produces no stalled jobs.
    expect(stalled.length).toBe(stalledBefore);
    expect(results.some((r) => r.worker === c.name)).toBe(true);
  });
});
