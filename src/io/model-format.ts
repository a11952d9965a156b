import { DanflowError } from '../core/errors.js';
import { VERSION } from '../core/version.js';

export const MODEL_FORMAT = 'danflow-model';
export const MODEL_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'danflow.json';
export const WEIGHTS_FILE = 'weights.safetensors';

/**
 * The container half of a saved model's manifest: what the stores and the integrity checks need.
 * The API layer adds the detector's own fields (config, thresholds, …) to the same JSON object.
 */
export interface ModelManifest {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  sdkVersion: string;
  createdAt: string;
  weights: {
    file: string;
    format: 'safetensors';
    layout: 'pytorch-state-dict';
    byteLength: number;
    sha256: string;
    includesBackbone: boolean;
  };
}

export interface SavedModel<M extends ModelManifest = ModelManifest> {
  manifest: M;
  weights: Uint8Array;
}

/** Validates a parsed manifest, naming the first problem. */
export function checkManifest(value: unknown, where: string): ModelManifest {
  const m = value as Partial<ModelManifest>;
  if (!m || typeof m !== 'object' || m.format !== MODEL_FORMAT) {
    throw new DanflowError('MODEL_FORMAT', `${where} is not a danflow model (missing "format": "${MODEL_FORMAT}"). To import a PyTorch checkpoint use loadDetector(path, { from: 'pytorch', config }).`);
  }
  if (typeof m.formatVersion !== 'number' || m.formatVersion > MODEL_FORMAT_VERSION) {
    throw new DanflowError(
      'MODEL_VERSION',
      `${where} uses model format version ${String(m.formatVersion)} (written by danflow ${String(m.sdkVersion)}), but this danflow ${VERSION} reads up to version ${MODEL_FORMAT_VERSION}. Upgrade danflow to load it.`,
    );
  }
  if (m.weights == null) throw new DanflowError('MODEL_FORMAT', `${where}: the manifest has no "weights"; the file is corrupt or was edited.`);
  return m as ModelManifest;
}

/**
 * Single-file container (browser downloads, IndexedDB, one-URL hosting):
 * "DANFLOW1" | u32 LE manifest length | manifest JSON | zero padding to 8 | safetensors weights.
 */
const MAGIC = 'DANFLOW1';

export function packModel(saved: SavedModel): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(saved.manifest));
  const headerLen = 12 + json.length;
  const padded = Math.ceil(headerLen / 8) * 8;
  const out = new Uint8Array(padded + saved.weights.length);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(saved.weights, padded);
  return out;
}

export function isPackedModel(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && new TextDecoder().decode(bytes.subarray(0, 8)) === MAGIC;
}

export function unpackModel(bytes: Uint8Array, where: string): SavedModel {
  if (!isPackedModel(bytes)) throw new DanflowError('MODEL_FORMAT', `${where} is not a packed danflow model (bad magic bytes).`);
  const len = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true);
  if (12 + len > bytes.length) throw new DanflowError('MODEL_FORMAT', `${where} is truncated: the manifest runs past the end of the file.`);
  let manifest: unknown;
  try {
    manifest = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + len)));
  } catch {
    throw new DanflowError('MODEL_FORMAT', `${where}: the manifest is not valid JSON; the file is corrupt.`);
  }
  const start = Math.ceil((12 + len) / 8) * 8;
  return { manifest: checkManifest(manifest, where), weights: bytes.subarray(start) };
}
