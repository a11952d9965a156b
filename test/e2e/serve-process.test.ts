/**
 * `danflow serve` as a real process (dist/cli.js) with its default settings: 300 requests at
 * concurrency 16 must each equal the library's localize; then real signals: SIGHUP reloads the model
 * from its folder, SIGTERM lets the requests already inside finish, refuses new ones and exits 0.
 * (Throughput is measured by `danflow bench --serve`, not here.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { loadDetector, type LocalizeResult } from '../../src/index.js';
import { decodeImageNode } from '../../src/node.js';
import { spawnCli, type CliProcess } from '../helpers/cli-process.js';
import { pool, postImage } from '../helpers/http.js';
import { expectedResults, saveTinyModel, testImages, type TestImage } from '../helpers/serve.js';
import { ensureDist } from './browser/harness.js';

let tmp: string;
let modelDir: string;
let images: TestImage[];
let small: TestImage[];
let smallExpected: LocalizeResult[];
let first: LocalizeResult[];
let second: LocalizeResult[];
let serve: CliProcess;
let url: string;

/** Counters of the server from one /metrics read (that request counts itself in flight). */
async function snapshot(): Promise<{ answered: number; inFlight: number; queued: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
  return {
    answered: read(/^danflow_http_requests_total\{route="\/v1\/localize",method="POST",status="200"\} (\d+)/m),
    inFlight: read(/^danflow_http_in_flight_requests (\d+)/m) - 1,
    queued: read(/^danflow_queue_depth (\d+)/m),
  };
}

beforeAll(async () => {
  ensureDist();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'danflow-serve-e2e-'));
  modelDir = path.join(tmp, 'model');
  (await saveTinyModel(modelDir, 1)).dispose();
  // Large images (the map comes back at full size) keep requests waiting inside the server long enough to be caught there by SIGTERM.
  images = await Promise.all(
    (await testImages(8)).map(async (img) => {
      const png = new Uint8Array(await sharp(Buffer.from(img.png)).resize(512, 512, { kernel: 'nearest' }).png().toBuffer());
      return { name: img.name, png, pixels: await decodeImageNode(png) };
    }),
  );
  small = await testImages(12);
  const ref = await loadDetector(modelDir, { backend: 'wasm' });
  first = await expectedResults(ref, images);
  smallExpected = await expectedResults(ref, small);
  ref.dispose();
  serve = spawnCli(['serve', '--model', modelDir, '--port', '0', '--backend', 'wasm']);
  url = (await serve.waitFor(/listening on (http:\/\/[\d.:]+)/))[1];
}, 180_000);

afterAll(async () => {
  serve?.kill();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('danflow serve process', () => {
  it('300 requests at concurrency 16: every answer equals the library localize', async () => {
    const answers = await pool(300, 16, (i) => postImage(`${url}/v1/localize`, small[i % small.length].png));
    answers.forEach((a, i) => {
      const want = smallExpected[i % small.length];
      expect(a.status, JSON.stringify(a.body)).toBe(200);
      expect(Math.abs(a.body.score - want.score)).toBeLessThanOrEqual(1e-6);
      expect([a.body.isAnomalous, a.body.threshold, a.body.version]).toEqual([want.isAnomalous, want.threshold, 1]);
      expect([a.body.width, a.body.height]).toEqual([small[i % small.length].pixels.width, small[i % small.length].pixels.height]);
    });
  });

  it('SIGHUP reloads the model from its folder: version 2 answers with the new weights', async () => {
    const before = await postImage(`${url}/v1/localize`, images[0].png);
    expect([before.status, before.body.version, Math.abs(before.body.score - first[0].score) <= 1e-6]).toEqual([200, 1, true]);
    // A retrained model lands in the same folder (saves are atomic renames), then the server is told.
    const retrained = await saveTinyModel(modelDir, 2);
    second = await expectedResults(retrained, images);
    retrained.dispose();
    expect(second[0].score).not.toBe(first[0].score);
    serve.child.kill('SIGHUP');
    await serve.waitFor(/reloaded default v2/);
    const after = await postImage(`${url}/v1/localize`, images[0].png);
    expect([after.status, after.body.version]).toEqual([200, 2]);
    expect(Math.abs(after.body.score - second[0].score)).toBeLessThanOrEqual(1e-6);
  });

  it('SIGTERM: every request inside finishes with its answer, new ones are refused, exit code 0', async () => {
    const N = 48;
    const base = (await snapshot()).answered;
    const settled = Promise.allSettled(Array.from({ length: N }, (_, i) => postImage(`${url}/v1/localize`, images[i % images.length].png)));
    // Wait until all N are inside the server (answered already, or in flight), with some still waiting.
    let s = await snapshot();
    while (s.answered - base + s.inFlight < N) s = await snapshot();
    const { queued, inFlight } = s;
    serve.child.kill('SIGTERM');
    await serve.waitFor(/SIGTERM: finishing in-flight requests/);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(await serve.exited).toBe(0);
    const answers = await settled;
    answers.forEach((a, i) => {
      expect(a.status).toBe('fulfilled');
      if (a.status !== 'fulfilled') return;
      expect(a.value.status).toBe(200);
      expect(Math.abs(a.value.body.score - second[i % images.length].score)).toBeLessThanOrEqual(1e-6);
    });
    console.log(`[serve e2e] SIGTERM with ${inFlight} of ${N} requests unanswered inside the server (${queued} waiting for the model): all ${N} answered, then exit 0`);
    expect(inFlight).toBeGreaterThan(0);
    expect(serve.output()).toContain('stopped');
  });
});
