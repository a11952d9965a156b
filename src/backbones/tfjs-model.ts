/**
 * Reading TF.js models saved in the layers format (`model.json` + binary weight shards) without the
 * TF.js layers/converter runtimes: the JSON's `weightsManifest` says how the shards' bytes split into
 * named tensors, which is all a backbone implemented with tfjs-core ops (see mobilenetv2.ts) needs.
 * The topology is only inspected, to recognise the architecture and give clear errors.
 */
import { DanflowError } from '../core/errors.js';
import { halfToFloat } from '../io/safetensors.js';

export interface TfjsWeightEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64' | string;
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number; original_dtype?: string };
}

export interface TfjsWeightsGroup {
  paths: string[];
  weights: TfjsWeightEntry[];
}

export interface TfjsModelJson {
  format?: string;
  modelTopology?: unknown;
  weightsManifest: TfjsWeightsGroup[];
}

export interface TfjsTensor {
  shape: number[];
  data: Float32Array;
}

const HINT = 'expected a TensorFlow.js model.json (with "modelTopology" and "weightsManifest")';

/** Parses and checks a model.json. */
export function parseTfjsModelJson(bytes: Uint8Array | string): TfjsModelJson {
  let json: unknown;
  try {
    json = JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes));
  } catch (e) {
    throw new DanflowError('MODEL_FORMAT', `Not valid JSON: ${HINT}.`, { cause: e });
  }
  const m = json as Partial<TfjsModelJson>;
  if (!m || typeof m !== 'object' || !Array.isArray(m.weightsManifest)) throw new DanflowError('MODEL_FORMAT', `No "weightsManifest": ${HINT}.`);
  for (const g of m.weightsManifest) {
    if (!g || !Array.isArray(g.paths) || !Array.isArray(g.weights)) throw new DanflowError('MODEL_FORMAT', `A weightsManifest group lacks "paths" or "weights": ${HINT}.`);
    for (const w of g.weights) {
      if (typeof w?.name !== 'string' || !Array.isArray(w.shape)) throw new DanflowError('MODEL_FORMAT', `A weightsManifest entry lacks "name" or "shape": ${HINT}.`);
    }
  }
  return m as TfjsModelJson;
}

function elementCount(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function bytesPerElement(w: TfjsWeightEntry): number {
  if (w.quantization) return w.quantization.dtype === 'uint8' ? 1 : 2;
  if (w.dtype === 'float32' || w.dtype === 'int32') return 4;
  if (w.dtype === 'bool') return 1;
  throw new DanflowError('UNSUPPORTED', `Weight "${w.name}" has dtype ${w.dtype}, which the SDK cannot read from TF.js shards.`);
}

function decode(w: TfjsWeightEntry, bytes: Uint8Array): Float32Array {
  const n = elementCount(w.shape);
  const out = new Float32Array(n);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const q = w.quantization;
  if (q) {
    if (q.dtype === 'float16') {
      for (let i = 0; i < n; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
    } else {
      const scale = q.scale ?? 1;
      const min = q.min ?? 0;
      for (let i = 0; i < n; i++) out[i] = (q.dtype === 'uint8' ? view.getUint8(i) : view.getUint16(2 * i, true)) * scale + min;
    }
    return out;
  }
  if (w.dtype === 'float32') for (let i = 0; i < n; i++) out[i] = view.getFloat32(4 * i, true);
  else if (w.dtype === 'int32') for (let i = 0; i < n; i++) out[i] = view.getInt32(4 * i, true);
  else for (let i = 0; i < n; i++) out[i] = view.getUint8(i);
  return out;
}

/**
 * Splits the shards into named float32 tensors. `shards[g]` holds the bytes of group g's paths in
 * order (the group's weights run across its shards back to back).
 */
export function readTfjsWeights(model: TfjsModelJson, shards: Uint8Array[][]): Map<string, TfjsTensor> {
  const out = new Map<string, TfjsTensor>();
  model.weightsManifest.forEach((group, g) => {
    const parts = shards[g] ?? [];
    if (parts.length !== group.paths.length) throw new DanflowError('MODEL_FORMAT', `Weights group ${g} lists ${group.paths.length} shard(s) but ${parts.length} were given.`);
    const total = parts.reduce((a, p) => a + p.byteLength, 0);
    const buf = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      buf.set(p, at);
      at += p.byteLength;
    }
    let offset = 0;
    for (const w of group.weights) {
      const size = elementCount(w.shape) * bytesPerElement(w);
      if (offset + size > total) {
        throw new DanflowError('MODEL_FORMAT', `The weight shards of group ${g} (${group.paths.join(', ')}) are ${total} bytes, too short for "${w.name}"; a shard is missing or truncated.`);
      }
      out.set(w.name, { shape: w.shape.slice(), data: decode(w, buf.subarray(offset, offset + size)) });
      offset += size;
    }
    if (offset !== total) {
      throw new DanflowError('MODEL_FORMAT', `The weight shards of group ${g} are ${total} bytes but the manifest describes ${offset}; they do not belong to this model.json.`);
    }
  });
  return out;
}

/**
 * Keras weight name → `<layer>.<weight>` (the key the SDK's specs use): drops a `:0` suffix and any
 * enclosing model scopes, e.g. `mobilenetv2_1.00_224/block_1_expand/kernel:0` → `block_1_expand.kernel`.
 */
export function kerasWeightKey(name: string): string {
  const parts = name.replace(/:\d+$/, '').split('/');
  return parts.length >= 2 ? `${parts[parts.length - 2]}.${parts[parts.length - 1]}` : parts[0];
}

/** Class names of the layers in a layers-format topology (nested Sequential/Model flattened). */
export function topologyLayerClasses(topology: unknown): string[] {
  const out: string[] = [];
  const walk = (node: unknown) => {
    if (!node || typeof node !== 'object') return;
    const n = node as { class_name?: string; config?: { layers?: unknown[] } | unknown[]; model_config?: unknown };
    if (n.model_config) walk(n.model_config);
    const cfg = n.config as { layers?: unknown[] } | undefined;
    const layers = Array.isArray(n.config) ? n.config : cfg?.layers;
    if (Array.isArray(layers)) for (const l of layers) walk(l);
    else if (typeof n.class_name === 'string') out.push(n.class_name);
  };
  walk(topology);
  return out;
}

/** Whether the model.json is a converted GraphModel (a TF graph) rather than a Keras layers model. */
export function isGraphModel(model: TfjsModelJson): boolean {
  return model.format === 'graph-model' || (typeof model.modelTopology === 'object' && model.modelTopology !== null && 'node' in (model.modelTopology as object));
}

/** Resolves a shard path against the model.json location (URL or local path, '/' or '\\' separated). */
export function resolveShardLocation(modelLocation: string, shard: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(shard)) return shard;
  if (/^https?:\/\//i.test(modelLocation) || /^file:\/\//i.test(modelLocation)) return new URL(shard, modelLocation).toString();
  const cut = Math.max(modelLocation.lastIndexOf('/'), modelLocation.lastIndexOf('\\'));
  const dir = cut >= 0 ? modelLocation.slice(0, cut + 1) : '';
  return dir + shard.replace(/^\.\//, '');
}
