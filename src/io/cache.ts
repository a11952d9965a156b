/**
 * Download cache in front of fetchBytes. A verified hit never touches the network, which is what
 * makes repeated runs fast and lets a machine that downloaded once keep working offline.
 *
 * Node: files under env.cacheDir / $DANFLOW_CACHE / ~/.cache/danflow with a JSON sidecar.
 * Browser: the Cache API. Node modules are imported lazily so browser bundles never pull them in.
 */
import { env, isNode, log } from '../core/env.js';
import { DanflowError, describeError, isDanflowError } from '../core/errors.js';
import { fetchBytes, type FetchBytesOptions } from './download.js';
import { resolveWeightSource, urlCacheKey } from './hub.js';
import { sha256Hex } from './sha256.js';
import { nodeFs, nodeOs, nodePath } from './node-modules.js';

export interface CachedFetchOptions extends FetchBytesOptions {
  /** Relative '/'-separated cache path; defaults to one derived from the URL (see urlCacheKey). */
  cacheKey?: string;
}

/** What we record next to a cached file, to detect corruption and to know where it came from. */
export interface CacheSidecar {
  url: string;
  size: number;
  sha256: string;
  etag?: string;
  downloadedAt: string;
}

export interface CacheEntry {
  bytes: Uint8Array;
  /** Absent for files a person placed in the cache by hand; those are trusted if they pass expectations. */
  sidecar?: CacheSidecar;
}

export interface CacheStore {
  /** Human-readable location of an entry, for log lines and error hints. */
  where(key: string, url: string): string;
  get(key: string, url: string): Promise<CacheEntry | undefined>;
  put(key: string, url: string, bytes: Uint8Array, sidecar: CacheSidecar): Promise<void>;
}

function processEnv(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

/** The Node cache directory, resolved at call time so changes to env.cacheDir take effect. */
export async function nodeCacheDir(): Promise<string> {
  const configured = env.cacheDir ?? processEnv('DANFLOW_CACHE');
  if (configured) return configured;
  const [{ homedir }, { join }] = await Promise.all([nodeOs(), nodePath()]);
  return join(homedir(), '.cache', 'danflow');
}

/** Absolute path of the cache file for a URL (or explicit cache key) in Node. */
export async function nodeCachePath(url: string, cacheKey?: string): Promise<string> {
  const { join } = await nodePath();
  return join(await nodeCacheDir(), ...(cacheKey ?? urlCacheKey(url)).split('/'));
}

function isErrno(e: unknown, code: string): boolean {
  return (e as { code?: string } | null)?.code === code;
}

export function createFileCacheStore(dir: string): CacheStore {
  const pathFor = async (key: string) => (await nodePath()).join(dir, ...key.split('/'));

  // Write to a unique temp file in the same directory, then rename: rename is atomic within one
  // filesystem, so a crash or a concurrent reader never sees a half-written file at the final path.
  const writeAtomic = async (path: string, data: Uint8Array | string) => {
    const fs = await nodeFs();
    const { dirname } = await nodePath();
    await fs.mkdir(dirname(path), { recursive: true });
    const pid = (globalThis as { process?: { pid?: number } }).process?.pid ?? 0;
    const tmp = `${path}.tmp-${pid}-${Math.random().toString(36).slice(2, 10)}`;
    try {
      await fs.writeFile(tmp, data);
      await fs.rename(tmp, path);
    } catch (e) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw e;
    }
  };

  return {
    where: (key) => `${dir}/${key}`,
    async get(key) {
      const fs = await nodeFs();
      const path = await pathFor(key);
      let bytes: Uint8Array;
      try {
        const buf = await fs.readFile(path);
        // A plain Uint8Array view, so callers never depend on Buffer semantics.
        bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
      } catch (e) {
        if (isErrno(e, 'ENOENT')) return undefined;
        throw e;
      }
      let text: string;
      try {
        text = await fs.readFile(`${path}.json`, 'utf8');
      } catch (e) {
        if (isErrno(e, 'ENOENT')) return { bytes };
        throw e;
      }
      try {
        return { bytes, sidecar: JSON.parse(text) as CacheSidecar };
      } catch {
        // A garbled sidecar means we cannot vouch for the file; re-download it.
        log('warn', `ignoring cached ${path}: its sidecar ${path}.json is not valid JSON`);
        return undefined;
      }
    },
    async put(key, _url, bytes, sidecar) {
      const path = await pathFor(key);
      // Data first: if we die between the two writes the complete file is still usable unverified.
      await writeAtomic(path, bytes);
      await writeAtomic(`${path}.json`, JSON.stringify(sidecar, null, 2) + '\n');
    },
  };
}

export function createCacheApiStore(storage: CacheStorage, name = 'danflow'): CacheStore {
  return {
    where: (_key, url) => `Cache API '${name}' entry ${url}`,
    async get(_key, url) {
      const cache = await storage.open(name);
      const res = await cache.match(url);
      if (!res) return undefined;
      const bytes = new Uint8Array(await res.arrayBuffer());
      const sha256 = res.headers.get('x-danflow-sha256');
      if (!sha256) return { bytes };
      return {
        bytes,
        sidecar: {
          url,
          size: Number(res.headers.get('x-danflow-size') ?? bytes.byteLength),
          sha256,
          etag: res.headers.get('etag') ?? undefined,
          downloadedAt: res.headers.get('x-danflow-downloaded-at') ?? '',
        },
      };
    },
    async put(_key, url, bytes, sidecar) {
      const cache = await storage.open(name);
      const headers: Record<string, string> = {
        'content-type': 'application/octet-stream',
        'x-danflow-size': String(sidecar.size),
        'x-danflow-sha256': sidecar.sha256,
        'x-danflow-downloaded-at': sidecar.downloadedAt,
      };
      if (sidecar.etag) headers.etag = sidecar.etag;
      await cache.put(url, new Response(bytes as Uint8Array<ArrayBuffer>, { headers }));
    },
  };
}

async function openDefaultStore(): Promise<CacheStore | undefined> {
  if (isNode) return createFileCacheStore(await nodeCacheDir());
  const storage = (globalThis as { caches?: CacheStorage }).caches;
  return storage ? createCacheApiStore(storage) : undefined;
}

/** Why a cached entry cannot be used, or undefined when it checks out. */
async function entryProblem(entry: CacheEntry, opts: CachedFetchOptions): Promise<string | undefined> {
  const size = entry.bytes.byteLength;
  if (entry.sidecar && entry.sidecar.size !== size) return `size ${size} differs from the recorded ${entry.sidecar.size}`;
  if (opts.expectedSize !== undefined && opts.expectedSize !== size) return `size ${size} differs from the expected ${opts.expectedSize}`;
  const wanted = (opts.expectedSha256 ?? entry.sidecar?.sha256)?.toLowerCase();
  if (wanted) {
    const actual = await sha256Hex(entry.bytes);
    if (actual !== wanted) return `SHA-256 ${actual} differs from the expected ${wanted}`;
  }
  return undefined;
}

/**
 * fetchBytes with a cache in front. Cache failures (read-only disk, quota) only cost the caching,
 * never the download itself.
 */
export async function cachedFetch(url: string, opts: CachedFetchOptions = {}): Promise<Uint8Array> {
  const { cacheKey, ...fetchOpts } = opts;
  if (!env.useCache) return (await fetchBytes(url, fetchOpts)).bytes;
  const key = cacheKey ?? urlCacheKey(url);

  let store: CacheStore | undefined;
  try {
    store = await openDefaultStore();
  } catch (e) {
    log('warn', `download cache unavailable (${describeError(e)}); downloading without it`);
  }

  if (store) {
    let entry: CacheEntry | undefined;
    try {
      entry = await store.get(key, url);
    } catch (e) {
      log('warn', `could not read the cached copy at ${store.where(key, url)} (${describeError(e)})`);
    }
    if (entry) {
      const problem = await entryProblem(entry, opts);
      if (!problem) {
        const n = entry.bytes.byteLength;
        opts.onProgress?.({ type: 'download', url, loaded: n, total: n, cached: true });
        return entry.bytes;
      }
      log('warn', `cached copy of ${url} at ${store.where(key, url)} is corrupted (${problem}); downloading it again`);
    }
  }

  let fetched;
  try {
    fetched = await fetchBytes(url, fetchOpts);
  } catch (e) {
    if (store && isDanflowError(e, 'OFFLINE')) {
      throw new DanflowError('OFFLINE', `${e.message} To use a pre-downloaded copy of this file, place it at ${store.where(key, url)}.`, { cause: e });
    }
    throw e;
  }

  if (store) {
    try {
      const sidecar: CacheSidecar = {
        url,
        size: fetched.bytes.byteLength,
        sha256: opts.expectedSha256?.toLowerCase() ?? (await sha256Hex(fetched.bytes)),
        downloadedAt: new Date().toISOString(),
      };
      if (fetched.etag) sidecar.etag = fetched.etag;
      await store.put(key, url, fetched.bytes, sidecar);
    } catch (e) {
      log('warn', `could not cache ${url} at ${store.where(key, url)} (${describeError(e)})`);
    }
  }
  return fetched.bytes;
}

/**
 * Where the download cache holds the file a weights spec (`hf:` id or URL) resolves to, if it is
 * there and not empty; undefined otherwise (also for local paths). Node only.
 */
export async function cachedFilePath(spec: string): Promise<string | undefined> {
  const src = resolveWeightSource(spec);
  if (src.kind !== 'url') return undefined;
  const file = await nodeCachePath(src.url, src.cacheKey);
  const fs = await nodeFs();
  return (await fs.stat(file).then((s) => s.isFile() && s.size > 0, () => false)) ? file : undefined;
}
