import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, readdir, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { env } from '../../src/core/env.js';
import { DanflowError } from '../../src/core/errors.js';
import type { ProgressEvent } from '../../src/core/progress.js';
import { cachedFetch, createCacheApiStore, nodeCachePath } from '../../src/io/cache.js';
import { fetchBytes } from '../../src/io/download.js';
import { resolveWeightSource, urlCacheKey } from '../../src/io/hub.js';
import { loadWeightBytes } from '../../src/io/load-bytes.js';
import { readSafetensors, writeSafetensors } from '../../src/io/safetensors.js';
import { sha256Hex } from '../../src/io/sha256.js';

/** Deterministic pseudo-random payload, so a wrong byte anywhere shows up. */
function payload(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0;
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const FILE = payload(300_000, 1);
const MODEL = writeSafetensors({ 'fc.weight': { dtype: 'F32', shape: [2, 2], data: [1, 2, 3, 4] } }, { format: 'pt' });
const HF_PATH = '/timm/resnet18.a1_in1k/resolve/main/model.safetensors';

let server: Server;
let base: string;
const hits = new Map<string, number>();
const hitCount = (path: string) => hits.get(path) ?? 0;

async function sendInChunks(res: ServerResponse, bytes: Uint8Array, chunk: number): Promise<void> {
  for (let i = 0; i < bytes.length; i += chunk) {
    res.write(bytes.subarray(i, i + chunk));
    await new Promise((r) => setTimeout(r, 2));
  }
  res.end();
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  hits.set(path, hitCount(path) + 1);
  switch (path) {
    case '/file.bin':
    case '/other.bin':
      res.writeHead(200, { 'content-length': FILE.length, etag: '"v1"', 'content-type': 'application/octet-stream' });
      void sendInChunks(res, FILE, 32 * 1024);
      return;
    case HF_PATH:
      res.writeHead(200, { 'content-length': MODEL.length });
      res.end(MODEL);
      return;
    case '/boom':
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
      return;
    case '/truncated':
      res.writeHead(200, { 'content-length': 1000 });
      res.write(FILE.subarray(0, 400));
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    case '/stall':
      // Sends a first chunk, then never finishes: only an abort ends this download.
      res.writeHead(200, { 'content-length': 1_000_000 });
      res.write(FILE.subarray(0, 16 * 1024));
      return;
    default:
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
  }
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const savedEnv = { ...env };
let cacheDir: string;

beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'danflow-cache-test-'));
  env.cacheDir = cacheDir;
  env.useCache = true;
  env.allowRemote = true;
  env.fetch = undefined;
  env.logLevel = 'silent';
});

afterEach(async () => {
  Object.assign(env, savedEnv);
  await rm(cacheDir, { recursive: true, force: true });
});

async function caught(p: Promise<unknown>): Promise<DanflowError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DanflowError);
    return e as DanflowError;
  }
  throw new Error('expected the promise to reject');
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath ?? (entry as unknown as { path: string }).path, entry.name));
  }
  return out;
}

describe('fetchBytes', () => {
  it('streams a file with monotone progress ending at the content length', async () => {
    const events: ProgressEvent[] = [];
    const { bytes, etag } = await fetchBytes(`${base}/file.bin`, { onProgress: (e) => events.push(e) });
    expect(bytes.length).toBe(FILE.length);
    expect(Buffer.from(bytes).equals(Buffer.from(FILE))).toBe(true);
    expect(etag).toBe('"v1"');

    const downloads = events.filter((e): e is Extract<ProgressEvent, { type: 'download' }> => e.type === 'download');
    expect(downloads.length).toBeGreaterThan(2);
    for (const e of downloads) {
      expect(e.cached).toBe(false);
      expect(e.total).toBe(FILE.length);
      expect(e.url).toBe(`${base}/file.bin`);
    }
    for (let i = 1; i < downloads.length; i++) expect(downloads[i].loaded).toBeGreaterThanOrEqual(downloads[i - 1].loaded);
    expect(downloads.at(-1)!.loaded).toBe(FILE.length);
  });

  it('accepts a matching sha256 and rejects a mismatch with CHECKSUM', async () => {
    const good = await sha256Hex(FILE);
    await expect(fetchBytes(`${base}/file.bin`, { expectedSha256: good.toUpperCase() })).resolves.toBeTruthy();
    const err = await caught(fetchBytes(`${base}/file.bin`, { expectedSha256: '0'.repeat(64) }));
    expect(err.code).toBe('CHECKSUM');
    expect(err.message).toContain(good);
    expect(err.message).toContain('file.bin');
  });

  it('maps 404 to NOT_FOUND naming the URL', async () => {
    const err = await caught(fetchBytes(`${base}/nope.safetensors`));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain(`${base}/nope.safetensors`);
  });

  it('maps other HTTP errors to DOWNLOAD with the status', async () => {
    const err = await caught(fetchBytes(`${base}/boom`));
    expect(err.code).toBe('DOWNLOAD');
    expect(err.message).toMatch(/HTTP 500/);
    expect(err.message).toContain('/boom');
  });

  it('detects a truncated response', async () => {
    const err = await caught(fetchBytes(`${base}/truncated`));
    expect(err.code).toBe('DOWNLOAD');
    expect(err.message).toMatch(/truncated download: got 400 of 1000 bytes/);
  });

  it('checks expectedSize even when the server sends no content length', async () => {
    const err = await caught(fetchBytes(`${base}/file.bin`, { expectedSize: FILE.length + 1 }));
    expect(err.code).toBe('DOWNLOAD');
    expect(err.message).toMatch(/truncated download: got 300000 of 300001 bytes/);
  });

  it('aborts mid-download with ABORTED', async () => {
    const controller = new AbortController();
    const err = await caught(
      fetchBytes(`${base}/stall`, {
        signal: controller.signal,
        onProgress: (e) => {
          if (e.type === 'download' && e.loaded > 0) controller.abort();
        },
      }),
    );
    expect(err.code).toBe('ABORTED');
    expect(err.message).toContain('/stall');
  });

  it('rejects an already-aborted signal without touching the network', async () => {
    const before = hitCount('/file.bin');
    const err = await caught(fetchBytes(`${base}/file.bin`, { signal: AbortSignal.abort() }));
    expect(err.code).toBe('ABORTED');
    expect(hitCount('/file.bin')).toBe(before);
  });

  it('reports a refused connection as OFFLINE with the local-file hint', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const err = await caught(fetchBytes(`http://127.0.0.1:${port}/model.safetensors`));
    expect(err.code).toBe('OFFLINE');
    expect(err.message).toMatch(/appears to be offline/);
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(err.message).toContain("weights: '/path/to/model.safetensors'");
  });

  it('refuses to download when env.allowRemote is false', async () => {
    env.allowRemote = false;
    const before = hitCount('/file.bin');
    const err = await caught(fetchBytes(`${base}/file.bin`));
    expect(err.code).toBe('OFFLINE');
    expect(err.message).toContain("weights: '/path/to/model.safetensors'");
    expect(err.message).toContain('DANFLOW_OFFLINE');
    expect(err.message).toContain('env.cacheDir');
    expect(hitCount('/file.bin')).toBe(before);
  });

  it('uses env.fetch when set', async () => {
    let calls = 0;
    env.fetch = (input, init) => {
      calls++;
      return globalThis.fetch(input, init);
    };
    await fetchBytes(`${base}/file.bin`);
    expect(calls).toBe(1);
  });
});

describe('cachedFetch', () => {
  it('serves the second fetch from disk with one cached progress event and no request', async () => {
    const url = `${base}/file.bin`;
    const first = await cachedFetch(url);
    expect(Buffer.from(first).equals(Buffer.from(FILE))).toBe(true);
    const requests = hitCount('/file.bin');

    const events: ProgressEvent[] = [];
    const second = await cachedFetch(url, { onProgress: (e) => events.push(e) });
    expect(Buffer.from(second).equals(Buffer.from(FILE))).toBe(true);
    expect(hitCount('/file.bin')).toBe(requests);
    expect(events).toEqual([{ type: 'download', url, loaded: FILE.length, total: FILE.length, cached: true }]);

    const path = await nodeCachePath(url);
    expect(path.startsWith(cacheDir)).toBe(true);
    const sidecar = JSON.parse(await readFile(`${path}.json`, 'utf8'));
    expect(sidecar).toMatchObject({ url, size: FILE.length, sha256: await sha256Hex(FILE), etag: '"v1"' });
    // Only the data file and its sidecar: no temp files left behind.
    expect((await listFiles(cacheDir)).sort()).toEqual([path, `${path}.json`].sort());
  });

  it('works offline once a file is cached', async () => {
    const url = `${base}/file.bin`;
    await cachedFetch(url);
    env.allowRemote = false;
    const bytes = await cachedFetch(url);
    expect(bytes.length).toBe(FILE.length);
  });

  it('re-downloads a cache entry whose bytes were corrupted (same size)', async () => {
    const url = `${base}/file.bin`;
    await cachedFetch(url);
    const path = await nodeCachePath(url);
    const corrupt = new Uint8Array(FILE);
    corrupt[12345] ^= 0xff;
    await writeFile(path, corrupt);
    const before = hitCount('/file.bin');

    const bytes = await cachedFetch(url);
    expect(hitCount('/file.bin')).toBe(before + 1);
    expect(Buffer.from(bytes).equals(Buffer.from(FILE))).toBe(true);
    expect(Buffer.from(await readFile(path)).equals(Buffer.from(FILE))).toBe(true);
  });

  it('re-downloads a truncated cache entry', async () => {
    const url = `${base}/file.bin`;
    await cachedFetch(url);
    const path = await nodeCachePath(url);
    await writeFile(path, FILE.subarray(0, 1000));
    const before = hitCount('/file.bin');
    const bytes = await cachedFetch(url);
    expect(hitCount('/file.bin')).toBe(before + 1);
    expect(bytes.length).toBe(FILE.length);
    expect((await stat(path)).size).toBe(FILE.length);
  });

  it('re-downloads when the cached file does not match a newly expected sha256', async () => {
    const url = `${base}/other.bin`;
    await cachedFetch(url);
    const before = hitCount('/other.bin');
    const err = await caught(cachedFetch(url, { expectedSha256: 'f'.repeat(64) }));
    expect(err.code).toBe('CHECKSUM');
    expect(hitCount('/other.bin')).toBe(before + 1);
  });

  it('never leaves a partial file at the cache path when a download fails', async () => {
    const url = `${base}/truncated`;
    const err = await caught(cachedFetch(url));
    expect(err.code).toBe('DOWNLOAD');
    await expect(stat(await nodeCachePath(url))).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await listFiles(cacheDir)).toEqual([]);
  });

  it('uses a pre-downloaded file placed in the cache directory while offline, and names that path otherwise', async () => {
    const url = `${base}/file.bin`;
    env.allowRemote = false;
    const err = await caught(cachedFetch(url));
    expect(err.code).toBe('OFFLINE');
    expect(err.message).toContain(cacheDir);

    const path = await nodeCachePath(url);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, FILE);
    const bytes = await cachedFetch(url, { expectedSha256: await sha256Hex(FILE) });
    expect(bytes.length).toBe(FILE.length);
  });

  it('bypasses the cache when env.useCache is false', async () => {
    env.useCache = false;
    const url = `${base}/file.bin`;
    await cachedFetch(url);
    const before = hitCount('/file.bin');
    await cachedFetch(url);
    expect(hitCount('/file.bin')).toBe(before + 1);
    expect(await listFiles(cacheDir)).toEqual([]);
  });

  it('stores entries in a Cache API store (browser path) with verification metadata', async () => {
    // A minimal in-memory CacheStorage: enough to exercise the browser code path under Node.
    const entries = new Map<string, Response>();
    const storage = {
      open: async () => ({
        match: async (url: string) => entries.get(url)?.clone(),
        put: async (url: string, res: Response) => void entries.set(url, res),
      }),
    } as unknown as CacheStorage;
    const store = createCacheApiStore(storage);
    const url = `${base}/file.bin`;
    expect(await store.get('k', url)).toBeUndefined();
    const sha256 = await sha256Hex(FILE);
    await store.put('k', url, FILE, { url, size: FILE.length, sha256, etag: '"v1"', downloadedAt: 'now' });
    const hit = await store.get('k', url);
    expect(Buffer.from(hit!.bytes).equals(Buffer.from(FILE))).toBe(true);
    expect(hit!.sidecar).toMatchObject({ size: FILE.length, sha256, etag: '"v1"' });
  });
});

describe('weight sources', () => {
  it('resolves hf: ids, URLs and paths', () => {
    env.hubEndpoint = 'https://hub.example/';
    expect(resolveWeightSource('hf:timm/resnet18.a1_in1k')).toEqual({
      kind: 'url',
      url: 'https://hub.example/timm/resnet18.a1_in1k/resolve/main/model.safetensors',
      cacheKey: 'hf/timm/resnet18.a1_in1k/main/model.safetensors',
    });
    expect(resolveWeightSource('hf:timm/wide_resnet50_2.tv2_in1k@abc123/sub dir/w.safetensors')).toEqual({
      kind: 'url',
      url: 'https://hub.example/timm/wide_resnet50_2.tv2_in1k/resolve/abc123/sub%20dir/w.safetensors',
      cacheKey: expect.stringMatching(/^hf\/timm\/wide_resnet50_2\.tv2_in1k\/abc123\/sub_dir\/w\.safetensors-[0-9a-f]{8}$/),
    });
    expect(resolveWeightSource('hf:owner/repo@refs%2Fpr%2F1')).toMatchObject({
      url: 'https://hub.example/owner/repo/resolve/refs%2Fpr%2F1/model.safetensors',
      cacheKey: expect.stringMatching(/^hf\/owner\/repo\/refs_pr_1\/model\.safetensors-[0-9a-f]{8}$/),
    });
    expect(resolveWeightSource('https://x.example/a/b.safetensors?download=1')).toMatchObject({ kind: 'url', url: 'https://x.example/a/b.safetensors?download=1' });
    expect(resolveWeightSource('./weights/model.safetensors')).toEqual({ kind: 'file', path: './weights/model.safetensors' });
    expect(resolveWeightSource('file:///tmp/a%20b.safetensors')).toEqual({ kind: 'file', path: '/tmp/a b.safetensors' });
    expect(() => resolveWeightSource('hf:resnet18')).toThrow(/expected 'hf:owner\/name'/);
  });

  it('derives distinct, filesystem-safe cache keys from URLs', () => {
    const a = urlCacheKey('http://127.0.0.1:8080/a/model.safetensors');
    expect(a).toMatch(/^url\/127\.0\.0\.1_8080\/a\/model\.safetensors-[0-9a-f]{8}$/);
    expect(urlCacheKey('https://h.example/x/y.bin')).toBe('url/h.example/x/y.bin');
    expect(urlCacheKey('https://h.example/x/y.bin?v=1')).not.toBe(urlCacheKey('https://h.example/x/y.bin?v=2'));
    expect(urlCacheKey('https://h.example/../../etc/passwd')).not.toMatch(/(^|\/)\.\.(\/|$)/);
  });

  it('loads an hf: id from env.hubEndpoint and caches it under the repo path', async () => {
    env.hubEndpoint = base;
    const events: ProgressEvent[] = [];
    const bytes = await loadWeightBytes('hf:timm/resnet18.a1_in1k', { onProgress: (e) => events.push(e) });
    expect(hitCount(HF_PATH)).toBeGreaterThanOrEqual(1);
    expect(Array.from(readSafetensors(bytes).get('fc.weight').data)).toEqual([1, 2, 3, 4]);
    expect(events.at(-1)).toMatchObject({ type: 'download', url: `${base}${HF_PATH}`, loaded: MODEL.length, cached: false });

    const cached = join(cacheDir, 'hf', 'timm', 'resnet18.a1_in1k', 'main', 'model.safetensors');
    expect((await stat(cached)).size).toBe(MODEL.length);
    const before = hitCount(HF_PATH);
    env.allowRemote = false;
    await loadWeightBytes('hf:timm/resnet18.a1_in1k@main/model.safetensors');
    expect(hitCount(HF_PATH)).toBe(before);
  });

  it('passes bytes through and reads local files, with NOT_FOUND naming a missing path', async () => {
    expect(await loadWeightBytes(MODEL)).toBe(MODEL);
    const ab = MODEL.slice().buffer;
    expect((await loadWeightBytes(ab)).byteLength).toBe(MODEL.length);

    const path = join(cacheDir, 'local.safetensors');
    await writeFile(path, MODEL);
    expect(Buffer.from(await loadWeightBytes(path)).equals(Buffer.from(MODEL))).toBe(true);

    const missing = join(cacheDir, 'missing.safetensors');
    const err = await caught(loadWeightBytes(missing));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain(missing);
  });
});
