/**
 * The worker fleet in process: a real redis-server on a loopback port, a BullMQ worker from
 * startWorker and the enqueue-and-await client. Results must equal the library's own localize; bad
 * jobs fail once with their typed reason, transient failures are retried. The process-level faults
 * (SIGKILL of a worker, Redis restart) are in test/e2e/fleet.test.ts.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDanflowError, loadDetector, synthetic, type Detector, type LocalizeResult } from '../../src/index.js';
import { encodePngNode } from '../../src/node.js';
import { run } from '../../src/cli/index.js';
import { createFleetClient, startWorker, type FleetClient, type FleetWorker } from '../../src/serve.js';
import { signalIo } from '../helpers/cli-io.js';
import { freePort, REDIS_SERVER, startRedis, type RedisServer } from '../helpers/redis.js';
import { expectedResults, saveTinyModel, testImages, type TestImage } from '../helpers/serve.js';

if (!REDIS_SERVER) console.log('[fleet test] skipped: redis-server is not installed (Debian: apt-get install redis-server)');

describe.skipIf(!REDIS_SERVER)('danflow fleet (in process, real Redis)', () => {
  const QUEUE = 'inspect';
  let tmp: string;
  let redis: RedisServer;
  let modelDir: string;
  let ref: Detector;
  let images: TestImage[];
  let files: string[];
  let expected: LocalizeResult[];
  let worker: FleetWorker;
  let client: FleetClient;
  let http: Server;
  let httpUrl: string;
  let flakyHits = 0;

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'danflow-fleet-'));
    redis = await startRedis(tmp);
    modelDir = path.join(tmp, 'model');
    (await saveTinyModel(modelDir, 1)).dispose();
    ref = await loadDetector(modelDir, { backend: 'wasm' });
    images = await testImages(12);
    expected = await expectedResults(ref, images);
    files = [];
    for (const img of images) {
      const f = path.join(tmp, `${img.name}.png`);
      await writeFile(f, img.png);
      files.push(f);
    }
    // An image host that fails twice with 503 before it answers: a transient failure.
    http = createHttpServer((req, res) => {
      if (req.url === '/flaky.png' && ++flakyHits <= 2) return void res.writeHead(503).end();
      if (req.url === '/flaky.png' || req.url === '/ok.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(images[5].png);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    httpUrl = `http://127.0.0.1:${(http.address() as { port: number }).port}`;
    worker = await startWorker({ redis: redis.url, queue: QUEUE, models: { default: modelDir }, concurrency: 4, maxBatch: 4, backend: 'wasm', lockMs: 5000, name: 'w1' });
    await worker.ready();
    client = await createFleetClient({ redis: redis.url, queue: QUEUE, backoffMs: 100 });
  });

  afterAll(async () => {
    await client?.close();
    await worker?.close();
    await redis?.stop();
    await new Promise((r) => http?.close(r));
    ref?.dispose();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  const expectSame = (r: { score: number; isAnomalous: boolean; width: number; height: number }, i: number) => {
    expect(Math.abs(r.score - expected[i].score)).toBeLessThanOrEqual(1e-6);
    expect(r.isAnomalous).toBe(expected[i].isAnomalous);
    expect([r.width, r.height]).toEqual([images[i].pixels.width, images[i].pixels.height]);
  };

  it('localize jobs by path, URL and bytes return the library localize result', async () => {
    const results = await Promise.all(files.map((image) => client.localize({ image })));
    results.forEach((r, i) => {
      expectSame(r, i);
      expect([r.model, r.version, r.worker]).toEqual(['default', 1, 'w1']);
    });
    expectSame(await client.localize({ image: `${httpUrl}/ok.png` }), 5);
    const withMask = await client.localize({ bytes: Buffer.from(images[2].png).toString('base64'), mask: true });
    expectSame(withMask, 2);
    expect(typeof withMask.mask).toBe('string');
  });

  it('a bad job fails once with its typed reason; a transient failure is retried with backoff', async () => {
    const garbage = path.join(tmp, 'garbage.png');
    await writeFile(garbage, Buffer.from('definitely not an image'));
    const failures: [Parameters<FleetClient['localize']>[0], string][] = [
      [{ image: garbage }, 'BAD_IMAGE'],
      [{ image: path.join(tmp, 'missing.png') }, 'NOT_FOUND'],
      [{ image: `${httpUrl}/gone.png` }, 'NOT_FOUND'],
      [{ image: files[0], model: 'nope' }, 'NOT_FOUND'],
      [{}, 'BAD_ARGUMENT'],
      [null as never, 'BAD_ARGUMENT'],
    ];
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const inspect = new Queue(QUEUE, { connection });
    try {
      for (const [job, code] of failures) {
        const e = await client.localize(job).then(() => undefined, (err: unknown) => err);
        expect(isDanflowError(e), JSON.stringify(job)).toBe(true);
        expect((e as { code: string }).code, JSON.stringify(job)).toBe(code);
        const stored = await inspect.getJob((e as { details: { jobId: string } }).details.jobId);
        // Permanent failures are not retried.
        expect(stored?.attemptsMade).toBe(1);
        expect(stored?.failedReason.startsWith(`${code}: `)).toBe(true);
      }
      const r = await client.localize({ image: `${httpUrl}/flaky.png` });
      expectSame(r, 5);
      expect(flakyHits).toBe(3);
    } finally {
      await inspect.close();
      connection.disconnect();
    }
  });

  it('a fit job trains a model on a folder and saves it where workers can load it', async () => {
    const normal = path.join(tmp, 'category', 'normal');
    await mkdir(normal, { recursive: true });
    const data = synthetic.generateSyntheticDataset({ category: 'wood', size: 72, trainCount: 6, testGoodCount: 0, testDefectCount: 0, seed: 4 });
    for (const [i, img] of data.train.entries()) await writeFile(path.join(normal, `${i}.png`), await encodePngNode(img));
    const out = path.join(tmp, 'models', 'wood');
    const r = await client.fit({
      dataset: { format: 'folder', normalDir: normal },
      out,
      config: { backbone: 'resnet18', weights: 'random', inputSize: 64, flowSteps: 1, numDw: 1, backend: 'wasm' },
      fit: { epochs: 2, batchSize: 3 },
    });
    expect([r.out, r.images, r.epochs, r.worker]).toEqual([out, 6, 2, 'w1']);
    const trained = await loadDetector(out, { backend: 'wasm' });
    try {
      expect(trained.threshold).toBe(r.threshold);
      expect(trained.config.inputSize).toBe(64);
    } finally {
      trained.dispose();
    }
    const bad = await client.fit({ dataset: { format: 'folder', normalDir: path.join(tmp, 'nowhere') }, out }).catch((e: unknown) => e);
    expect(isDanflowError(bad) && [bad.code, bad.message.includes('nowhere')]).toEqual(['NOT_FOUND', true]);
  });

  it('`danflow worker` waits for an unreachable Redis (one log line, not one per retry) and still stops on SIGTERM', async () => {
    const { io, send, waitFor } = signalIo(tmp);
    const exit = run(['worker', '--redis', `redis://127.0.0.1:${await freePort()}`, '--queue', 'nowhere'], io);
    await waitFor(/redis: connect ECONNREFUSED .* \(retrying\)/);
    await new Promise((r) => setTimeout(r, 1500));
    send('SIGTERM');
    expect(await exit).toBe(0);
    expect(io.err().match(/retrying/g)).toHaveLength(1);
    expect(io.out()).not.toContain('taking jobs');
  });

  it('`danflow worker` takes jobs until SIGTERM, finishing the ones in hand', async () => {
    const { io, send, waitFor } = signalIo(tmp);
    const exit = run(['worker', '--redis', redis.url, '--queue', 'cli', '--model', `main=${modelDir}`, '--backend', 'wasm', '--concurrency', '2'], io);
    const name = (await waitFor(/danflow worker (\S+): taking jobs from queue "cli"/))[1];
    const cliClient = await createFleetClient({ redis: redis.url, queue: 'cli' });
    try {
      const results = await Promise.all(files.slice(0, 4).map((image) => cliClient.localize({ image, model: 'main' })));
      results.forEach((r, i) => {
        expectSame(r, i);
        expect([r.model, r.worker]).toEqual(['main', name]);
      });
      send('SIGTERM');
      expect(await exit).toBe(0);
      expect(io.err()).toContain('SIGTERM: finishing the jobs in hand');
    } finally {
      await cliClient.close();
    }
  });
});
