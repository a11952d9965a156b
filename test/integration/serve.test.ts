/**
 * The HTTP service in process (createServer from danflow/serve) over real loopback sockets, with a
 * tiny model fitted here: every answer must equal the library's own localize of the same image.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDanflowError, loadDetector, type Detector, type LocalizeOptions, type LocalizeResult, type RawImage } from '../../src/index.js';
import { decodeMaskNode } from '../../src/node.js';
import { run } from '../../src/cli/index.js';
import { createServer, type DanflowServer } from '../../src/serve.js';
import { signalIo } from '../helpers/cli-io.js';
import { postImage, pngClaiming, pool, type Answer } from '../helpers/http.js';
import { expectedResults, saveTinyModel, testImages, type TestImage } from '../helpers/serve.js';

const TOKEN = 'test-admin-token';
let tmp: string;
let modelDir: string;
let otherDir: string;
let ref: Detector;
let other: Detector;
let images: TestImage[];
let expected: LocalizeResult[];
let expectedOther: LocalizeResult[];
let server: DanflowServer;
let url: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'danflow-serve-'));
  modelDir = path.join(tmp, 'model');
  otherDir = path.join(tmp, 'other');
  (await saveTinyModel(modelDir, 1)).dispose();
  (await saveTinyModel(otherDir, 2)).dispose();
  ref = await loadDetector(modelDir, { backend: 'wasm' });
  other = await loadDetector(otherDir, { backend: 'wasm' });
  images = await testImages(12);
  expected = await expectedResults(ref, images);
  expectedOther = await expectedResults(other, images);
  // Batching on (off by default): the answers must not depend on which requests shared a call.
  server = await createServer({ default: modelDir, other: otherDir }, { backend: 'wasm', adminToken: TOKEN, maxBodyBytes: 1 << 20, maxPixels: 4_000_000, maxBatch: 8 });
  url = await server.listen({ port: 0 });
});

afterAll(async () => {
  await server?.close();
  ref?.dispose();
  other?.dispose();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

function expectSame(a: Answer, want: LocalizeResult, img: TestImage): void {
  expect(a.status, JSON.stringify(a.body)).toBe(200);
  expect(Math.abs(a.body.score - want.score)).toBeLessThanOrEqual(1e-6);
  expect(a.body.isAnomalous).toBe(want.isAnomalous);
  expect(a.body.threshold).toBe(want.threshold);
  expect([a.body.width, a.body.height]).toEqual([img.pixels.width, img.pixels.height]);
}

describe('danflow serve (in process)', () => {
  it('health, readiness, model list and metrics', async () => {
    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${url}/readyz`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).models).toEqual(['default', 'other']);
    const list = (await (await fetch(`${url}/v1/models`)).json()) as { default: string; models: { name: string; version: number; threshold: number; path: string; config: { inputSize: number } }[] };
    expect(list.default).toBe('default');
    expect(list.models.map((m) => [m.name, m.version, m.path])).toEqual([['default', 1, modelDir], ['other', 1, otherDir]]);
    expect(list.models[0].threshold).toBe(ref.threshold);
    expect(list.models[0].config.inputSize).toBe(64);
    await postImage(`${url}/v1/localize`, images[0].png);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/danflow_http_requests_total\{route="\/v1\/localize",method="POST",status="200"\} \d+/);
    expect(metrics).toContain('danflow_http_request_duration_seconds_bucket');
    expect(metrics).toContain('danflow_queue_depth 0');
    expect(metrics).toMatch(/danflow_model_version\{model="other"\} 1/);
  });

  it('with batching on, 96 requests at concurrency 16 share localize calls and every answer equals the library localize', async () => {
    const before = await batchCount();
    const answers = await pool(96, 16, (i) => postImage(`${url}/v1/localize`, images[i % images.length].png));
    answers.forEach((a, i) => {
      expectSame(a, expected[i % images.length], images[i % images.length]);
      expect([a.body.model, a.body.version]).toEqual(['default', 1]);
    });
    // Fewer localize calls than requests: concurrent requests shared calls.
    expect((await batchCount()) - before).toBeLessThan(96);
  });

  it('a named model answers on its own route', async () => {
    const a = await postImage(`${url}/v1/models/other/localize`, images[3].png);
    expectSame(a, expectedOther[3], images[3]);
    expect(a.body.model).toBe('other');
  });

  it('?mask=png&heatmap=png add the mask and a heatmap as PNGs at the image size', async () => {
    const img = images[1];
    const a = await postImage(`${url}/v1/localize?mask=png&heatmap=png`, img.png);
    expectSame(a, expected[1], img);
    const maskPng = Buffer.from(a.body.mask, 'base64');
    const meta = await sharp(maskPng).metadata();
    expect([meta.width, meta.height, meta.channels]).toEqual([img.pixels.width, img.pixels.height, 1]);
    expect(Array.from((await decodeMaskNode(maskPng)).data)).toEqual(Array.from(expected[1].mask.data));
    expect(a.body.defectPixels).toBe(expected[1].mask.data.reduce((s, v) => s + v, 0));
    const heat = await sharp(Buffer.from(a.body.heatmap, 'base64')).metadata();
    expect([heat.width, heat.height, heat.channels]).toEqual([img.pixels.width, img.pixels.height, 3]);
  });

  it('takes a multipart form as well as raw bytes', async () => {
    const form = new FormData();
    form.append('image', new Blob([Buffer.from(images[2].png)], { type: 'image/png' }), 'part.png');
    const res = await fetch(`${url}/v1/localize`, { method: 'POST', body: form });
    expectSame({ status: res.status, body: await res.json(), headers: res.headers }, expected[2], images[2]);
  });

  it('bad input gets a 4xx with a code, and the server still serves afterwards', async () => {
    const png = images[0].png;
    const cases: [string, () => Promise<Answer>, number, string][] = [
      ['garbage bytes', () => postImage(`${url}/v1/localize`, new Uint8Array(3000).map((_, i) => (i * 7919) % 251)), 400, 'BAD_IMAGE'],
      ['truncated PNG', () => postImage(`${url}/v1/localize`, png.slice(0, Math.floor(png.length / 2))), 400, 'BAD_IMAGE'],
      ['a PNG header claiming 40000×40000', () => postImage(`${url}/v1/localize`, pngClaiming(40000, 40000)), 413, 'TOO_LARGE'],
      ['wrong content-type (JSON)', () => postImage(`${url}/v1/localize`, png, 'application/json'), 415, 'UNSUPPORTED'],
      ['wrong content-type (text)', () => postImage(`${url}/v1/localize`, png, 'text/plain'), 415, 'UNSUPPORTED'],
      ['unknown model', () => postImage(`${url}/v1/models/nope/localize`, png), 404, 'NOT_FOUND'],
      ['empty body', () => postImage(`${url}/v1/localize`, new Uint8Array(0)), 400, 'BAD_IMAGE'],
      ['a body over the size cap', () => postImage(`${url}/v1/localize`, new Uint8Array((1 << 20) + 1)), 413, 'TOO_LARGE'],
      ['an unknown mask format', () => postImage(`${url}/v1/localize?mask=jpg`, png), 400, 'BAD_ARGUMENT'],
      ['an unknown route', () => postImage(`${url}/v1/localise`, png), 404, 'NOT_FOUND'],
      ['a multipart form without a file', async () => {
        const form = new FormData();
        form.append('note', 'no image here');
        const res = await fetch(`${url}/v1/localize`, { method: 'POST', body: form });
        return { status: res.status, body: await res.json(), headers: res.headers };
      }, 400, 'BAD_ARGUMENT'],
    ];
    for (const [what, send, status, code] of cases) {
      const a = await send();
      expect([a.status, a.body.code], what).toEqual([status, code]);
      expect(typeof a.body.message, what).toBe('string');
      expectSame(await postImage(`${url}/v1/localize`, png), expected[0], images[0]);
    }
  });

  it('reload: the admin route needs the token; swaps under load answer wholly from one model or the other', async () => {
    const unauthorised = await fetch(`${url}/v1/admin/reload`, { method: 'POST' });
    expect([unauthorised.status, (await unauthorised.json()).code]).toEqual([401, 'UNAUTHORIZED']);
    const wrong = await fetch(`${url}/v1/admin/reload`, { method: 'POST', headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(401);

    // Reload "other" with the weights of "default" (a detector handed over in memory) under load.
    const underLoad = pool(40, 8, (i) => postImage(`${url}/v1/models/other/localize`, images[i % images.length].png));
    const info = await server.reload('other', ref);
    expect(info.map((m) => [m.name, m.version])).toEqual([['other', 2]]);
    (await underLoad).forEach((a, i) => {
      // Each answer is entirely one model's: version 1 = the old weights, version 2 = the new ones.
      expectSame(a, (a.body.version === 1 ? expectedOther : expected)[i % images.length], images[i % images.length]);
    });
    const after = await postImage(`${url}/v1/models/other/localize`, images[5].png);
    expect(after.body.version).toBe(2);
    expectSame(after, expected[5], images[5]);

    // The admin route reloads from disk: "other" goes back to its own weights, as version 3.
    const res = await fetch(`${url}/v1/admin/reload?model=other`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect((await res.json()).models.map((m: { name: string; version: number }) => [m.name, m.version])).toEqual([['other', 3]]);
    const back = await postImage(`${url}/v1/models/other/localize`, images[5].png);
    expect(back.body.version).toBe(3);
    expectSame(back, expectedOther[5], images[5]);
    // The handed-over detector is still the caller's: not disposed by the swap.
    expect((await ref.localize(images[0].pixels)).score).toBe(expected[0].score);
  });

  it('reload swaps atomically: requests inside finish on the old model, requests after it get the new one', async () => {
    const g = gated(other);
    const s = await createServer({ m: g.detector });
    const u = await s.listen({ port: 0 });
    try {
      const held = [0, 1, 2].map((i) => postImage(`${u}/v1/localize`, images[i].png));
      while (g.received() + (await queueDepth(u)) < 3) await new Promise((r) => setTimeout(r, 10));
      await s.reload('m', ref);
      // Sent while the old model still holds three requests: it goes to the new one.
      const fresh = postImage(`${u}/v1/localize`, images[3].png);
      while ((await queueDepth(u)) < 3) await new Promise((r) => setTimeout(r, 10));
      g.open();
      (await Promise.all(held)).forEach((a, i) => {
        expect(a.body.version).toBe(1);
        expectSame(a, expectedOther[i], images[i]);
      });
      const a = await fresh;
      expect(a.body.version).toBe(2);
      expectSame(a, expected[3], images[3]);
    } finally {
      await s.close();
    }
  });

  it('a full queue answers 503 with Retry-After at once, and the server recovers', async () => {
    const g = gated(ref);
    const small = await createServer(g.detector, { maxQueue: 2 });
    const u = await small.listen({ port: 0 });
    try {
      // One request inside the (held) model, two waiting: the queue is full.
      const admitted = [0, 1, 2].map((i) => postImage(`${u}/v1/localize`, images[i].png));
      while (g.received() + (await queueDepth(u)) < 3) await new Promise((r) => setTimeout(r, 10));
      const refused = await Promise.all([3, 4, 5, 6].map((i) => postImage(`${u}/v1/localize`, images[i].png)));
      for (const a of refused) {
        expect([a.status, a.body.code]).toEqual([503, 'OVERLOADED']);
        expect(Number(a.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
      g.open();
      (await Promise.all(admitted)).forEach((a, i) => expectSame(a, expected[i], images[i]));
      expectSame(await postImage(`${u}/v1/localize`, images[4].png), expected[4], images[4]);
    } finally {
      await small.close();
    }
  });

  it('a request past its deadline gets 503 TIMEOUT, waiting or running, and the server recovers', async () => {
    const g = gated(ref);
    const slow = await createServer(g.detector, { timeoutMs: 300 });
    const u = await slow.listen({ port: 0 });
    try {
      const late = await Promise.all([0, 1, 2].map((i) => postImage(`${u}/v1/localize`, images[i].png)));
      for (const a of late) expect([a.status, a.body.code, Number(a.headers.get('retry-after')) >= 1]).toEqual([503, 'TIMEOUT', true]);
      g.open();
      expectSame(await postImage(`${u}/v1/localize`, images[3].png), expected[3], images[3]);
    } finally {
      await slow.close();
    }
  });

  it('close(): the request inside finishes with Connection: close; one pipelined behind it on that connection is not served', async () => {
    const g = gated(ref);
    const s = await createServer(g.detector, {});
    const u = new URL(await s.listen({ port: 0 }));
    const socket = net.connect(Number(u.port), u.hostname);
    let raw = '';
    socket.on('data', (d: Buffer) => (raw += d.toString('latin1')));
    const ended = new Promise((r) => socket.on('close', r));
    const png = Buffer.from(images[0].png);
    socket.write(`POST /v1/localize HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: ${png.length}\r\n\r\n`);
    socket.write(png);
    while (g.received() < 1) await new Promise((r) => setTimeout(r, 10));
    const closed = s.close();
    socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    g.open();
    await closed;
    await ended;
    const responses = raw.split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(1);
    expect(responses[0]).toMatch(/^HTTP\/1\.1 200/);
    expect(responses[0]).toMatch(/\r\nconnection: close\r\n/i);
    expect(Math.abs(JSON.parse(responses[0].slice(responses[0].indexOf('\r\n\r\n') + 4)).score - expected[0].score)).toBeLessThanOrEqual(1e-6);
  });

  it('createServer checks its arguments with typed errors, and a failed start disposes what it loaded', async () => {
    const attempts: [string, () => Promise<unknown>, string][] = [
      ['no models', () => createServer({}), 'BAD_ARGUMENT'],
      ['a name that cannot be a URL segment', () => createServer({ 'a/b': ref }), 'BAD_ARGUMENT'],
      ['an unknown default model', () => createServer({ a: ref }, { defaultModel: 'b' }), 'BAD_ARGUMENT'],
      ['a queue of 0', () => createServer(ref, { maxQueue: 0 }), 'BAD_ARGUMENT'],
      ['a short admin token', () => createServer(ref, { adminToken: 'short' }), 'BAD_ARGUMENT'],
      ['a model folder that does not exist', () => createServer({ a: path.join(tmp, 'nowhere') }), 'NOT_FOUND'],
    ];
    for (const [what, attempt, code] of attempts) {
      const e = await attempt().then(() => undefined, (err: unknown) => err);
      expect(isDanflowError(e) && e.code, what).toBe(code);
    }
    // The handed-over detector survived every failed start.
    expect((await ref.localize(images[0].pixels)).score).toBe(expected[0].score);
  });

  it('close() is graceful: in-flight requests finish, new connections are refused, handed-over detectors stay usable', async () => {
    // The model waits for a gate, so the requests are provably inside the server when close() starts.
    const g = gated(ref);
    const s = await createServer(g.detector, {});
    const u = await s.listen({ port: 0 });
    const inFlight = Promise.allSettled(Array.from({ length: 8 }, (_, i) => postImage(`${u}/v1/localize`, images[i].png)));
    while (g.received() + (await queueDepth(u)) < 8) await new Promise((r) => setTimeout(r, 10));
    const closed = s.close();
    await new Promise((r) => setTimeout(r, 50));
    await expect(fetch(`${u}/healthz`)).rejects.toThrow();
    g.open();
    await closed;
    (await inFlight).forEach((r, i) => {
      expect(r.status).toBe('fulfilled');
      if (r.status === 'fulfilled') expectSame(r.value, expected[i], images[i]);
    });
    expect((await ref.localize(images[0].pixels)).score).toBe(expected[0].score);
  });
});

describe('danflow serve (the CLI command, in process)', () => {
  it('serves until stopped, reloads on SIGHUP, and stops gracefully on SIGTERM', async () => {
    const { io, send, waitFor } = signalIo(tmp);
    const exit = run(['serve', '--model', modelDir, '--model', `second=${otherDir}`, '--port', '0', '--backend', 'wasm', '--max-batch', '4'], io);
    const base = (await waitFor(/listening on (http:\/\/[\d.:]+)/))[1];
    expectSame(await postImage(`${base}/v1/localize`, images[6].png), expected[6], images[6]);
    expectSame(await postImage(`${base}/v1/models/second/localize`, images[6].png), expectedOther[6], images[6]);
    send('SIGHUP');
    await waitFor(/reloaded default v2, second v2/);
    const list = (await (await fetch(`${base}/v1/models`)).json()) as { models: { version: number }[] };
    expect(list.models.map((m) => m.version)).toEqual([2, 2]);
    expectSame(await postImage(`${base}/v1/localize`, images[6].png), expected[6], images[6]);
    send('SIGTERM');
    expect(await exit).toBe(0);
    expect(io.err()).toContain('SIGTERM: finishing in-flight requests');
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('Ctrl-C stops it too', async () => {
    const { io, interrupt, waitFor } = signalIo(tmp);
    const exit = run(['serve', '--model', modelDir, '--port', '0', '--backend', 'wasm', '--json'], io);
    const doc = JSON.parse((await waitFor(/\{[\s\S]*"url"[\s\S]*\}\n/))[0]) as { url: string; models: { name: string }[] };
    expect(doc.models.map((m) => m.name)).toEqual(['default']);
    expect((await fetch(`${doc.url}/readyz`)).status).toBe(200);
    interrupt();
    expect(await exit).toBe(0);
  });
});

/** `det` behind a gate: localize calls wait until open() (to hold requests inside the server on purpose). */
function gated(det: Detector): { detector: Detector; open(): void; received(): number } {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let received = 0;
  const detector = Object.create(det, {
    localize: { value: async (imgs: RawImage[], o: LocalizeOptions) => ((received += imgs.length), await gate, det.localize(imgs, o)) },
  }) as Detector;
  return { detector, open, received: () => received };
}

async function queueDepth(base: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^danflow_queue_depth (\d+)/m.exec(text)?.[1] ?? NaN);
}

async function batchCount(): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^danflow_localize_batch_size_count (\d+)/m.exec(text)?.[1] ?? NaN);
}
