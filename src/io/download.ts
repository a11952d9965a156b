/**
 * One streaming HTTP download with progress, size and checksum verification, and errors that say
 * what to do next. No caching here (see cache.ts); this is the only module that touches the network.
 */
import { env, isNode } from '../core/env.js';
import { DanflowError, describeError } from '../core/errors.js';
import type { ProgressCallback } from '../core/progress.js';
import { sha256Hex } from './sha256.js';

export interface FetchBytesOptions {
  onProgress?: ProgressCallback;
  signal?: AbortSignal;
  /** Lower-case or upper-case hex; a mismatch throws CHECKSUM. */
  expectedSha256?: string;
  /** Exact byte count; a mismatch throws DOWNLOAD. */
  expectedSize?: number;
}

export interface FetchedBytes {
  bytes: Uint8Array;
  /** The response ETag, when the server sent one (stored in the cache sidecar). */
  etag?: string;
}

/** How to work without a network, appended to every OFFLINE error. */
export function offlineHint(): string {
  if (!isNode) {
    // Browsers have no file paths or environment variables: the ways out are bytes and same-origin URLs.
    return (
      'To work without network access, pass the weights as bytes (e.g. from a file input: `weights: new Uint8Array(await file.arrayBuffer())`) ' +
      "or as a URL your own server hosts (`weights: '/models/resnet18.safetensors'`); a file fetched once is kept in the browser's Cache API."
    );
  }
  return (
    "To work without network access, pass a local file instead, e.g. `weights: '/path/to/model.safetensors'` " +
    '(or the file bytes), or point env.cacheDir (or $DANFLOW_CACHE) at a directory holding a pre-downloaded copy; ' +
    'set DANFLOW_OFFLINE=1 to skip network attempts entirely.'
  );
}

function abortedError(url: string, cause?: unknown): DanflowError {
  return new DanflowError('ABORTED', `Download of ${url} was aborted.`, { cause });
}

function isAbort(e: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true || (e instanceof Error && e.name === 'AbortError');
}

/** Node's fetch hides the useful part (ECONNREFUSED, ENOTFOUND …) in `cause`. */
function networkCause(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  const detail = cause?.code ?? cause?.message;
  return detail ? `${describeError(e)}: ${detail}` : describeError(e);
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function parseLength(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

export async function fetchBytes(url: string, opts: FetchBytesOptions = {}): Promise<FetchedBytes> {
  const { onProgress, signal } = opts;
  if (!env.allowRemote) {
    throw new DanflowError(
      'OFFLINE',
      `Cannot download ${url}: network downloads are disabled (env.allowRemote is false, e.g. because DANFLOW_OFFLINE ` +
        `or HF_HUB_OFFLINE=1 is set). ${offlineHint()} Set env.allowRemote = true to allow downloads again.`,
    );
  }
  if (signal?.aborted) throw abortedError(url, signal.reason);
  const doFetch = env.fetch ?? globalThis.fetch;
  if (typeof doFetch !== 'function') {
    throw new DanflowError('OFFLINE', `Cannot download ${url}: no fetch implementation is available; set env.fetch. ${offlineHint()}`);
  }

  let res: Response;
  try {
    res = await doFetch(url, signal ? { signal } : {});
  } catch (e) {
    if (isAbort(e, signal)) throw abortedError(url, e);
    throw new DanflowError(
      'OFFLINE',
      `Could not reach ${hostOf(url)} to download ${url} (${networkCause(e)}). The machine appears to be offline or the host is unreachable. ${offlineHint()}`,
      { cause: e },
    );
  }

  if (res.status === 404) {
    await res.body?.cancel().catch(() => undefined);
    throw new DanflowError(
      'NOT_FOUND',
      `Not found (HTTP 404): ${url}. Check the model id, revision and file name (for hf: ids the default file is model.safetensors).`,
    );
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    const auth = res.status === 401 || res.status === 403 ? ' The file may be private or gated and need authentication.' : '';
    throw new DanflowError('DOWNLOAD', `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''} while downloading ${url}.${auth}`);
  }

  // With Content-Encoding, Content-Length counts compressed bytes while the body stream yields
  // decompressed ones, so it can serve neither as the progress total nor as a size check.
  const encoding = res.headers.get('content-encoding');
  const declared = encoding && encoding.toLowerCase() !== 'identity' ? undefined : parseLength(res.headers.get('content-length'));
  const total = declared ?? opts.expectedSize;
  const report = (loaded: number) => onProgress?.({ type: 'download', url, loaded, total, cached: false });

  // Preallocate when the size is known (no copy at the end), but never trust a huge declared size
  // with one giant allocation; growth covers the rest.
  let buf = new Uint8Array(Math.min(total ?? 1 << 20, 1 << 29));
  let loaded = 0;
  const append = (chunk: Uint8Array) => {
    if (loaded + chunk.byteLength > buf.byteLength) {
      const grown = new Uint8Array(Math.max(buf.byteLength * 2, loaded + chunk.byteLength));
      grown.set(buf.subarray(0, loaded));
      buf = grown;
    }
    buf.set(chunk, loaded);
    loaded += chunk.byteLength;
  };
  const truncated = (expected: number) =>
    new DanflowError(
      'DOWNLOAD',
      `truncated download: got ${loaded} of ${expected} bytes from ${url}. The connection was probably interrupted; try again.`,
    );

  report(0);
  if (res.body) {
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        append(value);
        report(loaded);
      }
    } catch (e) {
      if (isAbort(e, signal)) throw abortedError(url, e);
      if (declared !== undefined && loaded < declared) throw Object.assign(truncated(declared), { cause: e });
      throw new DanflowError('DOWNLOAD', `Connection lost while downloading ${url} after ${loaded} bytes (${networkCause(e)}).`, { cause: e });
    } finally {
      reader.releaseLock();
    }
  } else {
    // Some fetch polyfills have no streaming body; fall back to one read.
    try {
      append(new Uint8Array(await res.arrayBuffer()));
    } catch (e) {
      if (isAbort(e, signal)) throw abortedError(url, e);
      throw new DanflowError('DOWNLOAD', `Failed to read the response body of ${url} (${networkCause(e)}).`, { cause: e });
    }
    report(loaded);
  }
  if (signal?.aborted) throw abortedError(url, signal.reason);

  if (declared !== undefined && loaded !== declared) {
    if (loaded < declared) throw truncated(declared);
    throw new DanflowError('DOWNLOAD', `Download of ${url} returned ${loaded} bytes but the server declared ${declared}.`);
  }
  if (opts.expectedSize !== undefined && loaded !== opts.expectedSize) {
    if (loaded < opts.expectedSize) throw truncated(opts.expectedSize);
    throw new DanflowError('DOWNLOAD', `Download of ${url} returned ${loaded} bytes but ${opts.expectedSize} were expected.`);
  }

  const bytes = loaded === buf.byteLength ? buf : buf.slice(0, loaded);
  if (opts.expectedSha256) {
    const actual = await sha256Hex(bytes);
    if (actual !== opts.expectedSha256.toLowerCase()) {
      throw new DanflowError(
        'CHECKSUM',
        `SHA-256 mismatch for ${url}: expected ${opts.expectedSha256.toLowerCase()}, got ${actual}. The download is corrupted or the file changed upstream.`,
      );
    }
  }
  const etag = res.headers.get('etag') ?? undefined;
  return etag !== undefined ? { bytes, etag } : { bytes };
}
