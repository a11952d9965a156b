import { DanflowError } from '../core/errors.js';
import { isNode } from '../core/env.js';
import { fetchBytes } from './download.js';
import { checkManifest, isPackedModel, MANIFEST_FILE, unpackModel, type SavedModel } from './model-format.js';
import { sha256Hex } from './sha256.js';

/** Where a model can be saved: a Node path, `indexeddb://name` or `downloads://name` in browsers. */
export type SaveTarget = string;
/** Where a model can be loaded from: the above, an http(s) URL, or the packed bytes. */
export type LoadSource = string | Uint8Array | ArrayBuffer;

export async function writeModel(target: SaveTarget, saved: SavedModel): Promise<void> {
  if (target.startsWith('indexeddb://')) return (await import('./model-store-browser.js')).saveToIndexedDb(target.slice(12), saved);
  if (target.startsWith('downloads://')) return (await import('./model-store-browser.js')).saveToDownload(target.slice(12), saved);
  if (/^https?:\/\//.test(target)) throw new DanflowError('UNSUPPORTED', 'Saving to a URL is not supported; save to a path, indexeddb:// or downloads://, then upload.');
  if (!isNode) throw new DanflowError('UNSUPPORTED', `Cannot save to "${target}" here: use indexeddb://name or downloads://name in the browser.`);
  return (await import('./model-store-node.js')).saveToPath(target, saved);
}

async function readFromUrl(url: string): Promise<SavedModel> {
  const base = url.replace(/\/$/, '');
  const { bytes } = await fetchBytes(base.endsWith('.json') || base.endsWith('.danflow') ? base : `${base}/${MANIFEST_FILE}`);
  if (isPackedModel(bytes)) return unpackModel(bytes, url);
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new DanflowError('MODEL_FORMAT', `${url} did not return a danflow manifest (not JSON).`);
  }
  const manifest = checkManifest(json, url);
  const dir = base.endsWith('.json') ? base.slice(0, base.lastIndexOf('/')) : base;
  const weights = (await fetchBytes(`${dir}/${manifest.weights.file}`)).bytes;
  return { manifest, weights };
}

export async function readModel(source: LoadSource): Promise<SavedModel> {
  let saved: SavedModel;
  if (typeof source !== 'string') {
    saved = unpackModel(source instanceof Uint8Array ? source : new Uint8Array(source), 'the given bytes');
  } else if (source.startsWith('indexeddb://')) {
    saved = await (await import('./model-store-browser.js')).loadFromIndexedDb(source.slice(12));
  } else if (/^https?:\/\//.test(source)) {
    saved = await readFromUrl(source);
  } else if (isNode) {
    saved = await (await import('./model-store-node.js')).loadFromPath(source);
  } else {
    throw new DanflowError('UNSUPPORTED', `Cannot load "${source}" in the browser: use indexeddb://name, an http(s) URL or the file's bytes.`);
  }
  await verifyWeights(saved, typeof source === 'string' ? source : 'the given bytes');
  return saved;
}

async function verifyWeights(saved: SavedModel, where: string): Promise<void> {
  const w = saved.manifest.weights;
  if (saved.weights.length !== w.byteLength) {
    throw new DanflowError('CHECKSUM', `${where}: the weights are ${saved.weights.length} bytes but the manifest says ${w.byteLength}; the file is truncated or from another save. Re-save or re-download the model.`);
  }
  const sha = await sha256Hex(saved.weights);
  if (sha !== w.sha256) {
    throw new DanflowError('CHECKSUM', `${where}: the weights' SHA-256 (${sha.slice(0, 12)}…) does not match the manifest (${w.sha256.slice(0, 12)}…); the file is corrupt. Re-save or re-download the model.`);
  }
}
