/**
 * The single entry point for "give me the weight bytes": accepts bytes, `hf:` ids, URLs and local
 * paths, so model constructors need not care where weights come from.
 */
import { isNode } from '../core/env.js';
import { DanflowError, describeError } from '../core/errors.js';
import { cachedFetch } from './cache.js';
import type { FetchBytesOptions } from './download.js';
import { resolveWeightSource } from './hub.js';
import { sha256Hex } from './sha256.js';
import { nodeFs, nodeOs } from './node-modules.js';

export type WeightBytesSource = string | Uint8Array | ArrayBuffer;

export type LoadWeightBytesOptions = FetchBytesOptions;

async function readLocalFile(path: string, opts: LoadWeightBytesOptions): Promise<Uint8Array> {
  if (!isNode) {
    throw new DanflowError(
      'BAD_ARGUMENT',
      `'${path}' looks like a local path, which only works in Node. In the browser pass a URL, an hf: id or the file bytes.`,
    );
  }
  const fs = await nodeFs();
  let resolved = path;
  if (path === '~' || path.startsWith('~/')) {
    const { homedir } = await nodeOs();
    resolved = homedir() + path.slice(1);
  }
  let bytes: Uint8Array;
  try {
    const buf = await fs.readFile(resolved);
    bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new DanflowError(
        'NOT_FOUND',
        `Weights file not found: ${resolved}. Pass an existing .safetensors path, an hf: id (e.g. 'hf:timm/resnet18.a1_in1k') or a URL.`,
        { cause: e },
      );
    }
    if (code === 'EISDIR') {
      throw new DanflowError('BAD_ARGUMENT', `Weights path ${resolved} is a directory; pass the .safetensors file inside it.`, { cause: e });
    }
    throw new DanflowError('NOT_FOUND', `Could not read weights file ${resolved} (${describeError(e)}).`, { cause: e });
  }
  if (opts.expectedSize !== undefined && bytes.byteLength !== opts.expectedSize) {
    throw new DanflowError('CHECKSUM', `Weights file ${resolved} is ${bytes.byteLength} bytes but ${opts.expectedSize} were expected.`);
  }
  if (opts.expectedSha256) {
    const actual = await sha256Hex(bytes);
    if (actual !== opts.expectedSha256.toLowerCase()) {
      throw new DanflowError('CHECKSUM', `SHA-256 mismatch for ${resolved}: expected ${opts.expectedSha256.toLowerCase()}, got ${actual}.`);
    }
  }
  return bytes;
}

export async function loadWeightBytes(source: WeightBytesSource, opts: LoadWeightBytesOptions = {}): Promise<Uint8Array> {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (ArrayBuffer.isView(source)) {
    const v = source as ArrayBufferView;
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }
  if (typeof source !== 'string') {
    throw new DanflowError('BAD_ARGUMENT', `Unsupported weight source of type ${typeof source}: pass a path, URL, hf: id, Uint8Array or ArrayBuffer.`);
  }
  const resolved = resolveWeightSource(source);
  if (resolved.kind === 'url') return cachedFetch(resolved.url, { ...opts, cacheKey: resolved.cacheKey });
  return readLocalFile(resolved.path, opts);
}
