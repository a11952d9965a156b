import { DanflowError } from '../errors.js';
import { log } from '../env.js';
import type { DanflowModel, TensorSource } from '../model/danflow-model.js';
import { fromTorchLayout, numel, toTorchLayout, type ParamSpec } from '../model/param-spec.js';
import { readSafetensors, writeSafetensors, type SafetensorsFile, type WritableTensor } from './safetensors.js';

/**
 * The model's tensors as a PyTorch-reference state_dict in safetensors: same keys, PyTorch layout,
 * permutation matrices and BatchNorm step counters included, so `model.load_state_dict(...)` in the
 * reference accepts a danflow model file and `loadDetector(…, { from: 'pytorch' })` accepts theirs.
 */
export async function exportStateDict(model: DanflowModel, options: { includeBackbone: boolean; extra?: Record<string, WritableTensor> }): Promise<Uint8Array> {
  const out: Record<string, WritableTensor> = { ...options.extra };
  for (const spec of model.specs) {
    if (!options.includeBackbone && spec.key.startsWith('feature_extractor.')) continue;
    const data = toTorchLayout(spec, (await model.params.get(spec.key).data()) as Float32Array);
    out[spec.key] = { dtype: 'F32', shape: spec.torchShape, data };
    if (spec.key.endsWith('.running_var')) {
      out[spec.key.replace(/running_var$/, 'num_batches_tracked')] = { dtype: 'I64', shape: [], data: [0] };
    }
  }
  for (const flow of model.flows) {
    for (const [k, p] of flow.permutations.entries()) {
      const perm = Array.from(await p.perm.data());
      const c = perm.length;
      const w = new Float32Array(c * c);
      const wInv = new Float32Array(c * c);
      perm.forEach((j, i) => {
        w[i * c + j] = 1;
        wInv[j * c + i] = 1;
      });
      out[`${flow.prefix}.module_list.${k}.w_perm`] = { dtype: 'F32', shape: [c, c, 1, 1], data: w };
      out[`${flow.prefix}.module_list.${k}.w_perm_inv`] = { dtype: 'F32', shape: [c, c, 1, 1], data: wInv };
    }
  }
  return writeSafetensors(out, { format: 'pt', producer: 'danflow' });
}

/** Prefixes wrappers add to state_dict keys (DataParallel, Lightning) that we strip. */
const WRAPPER_PREFIXES = ['module.', 'model.'];

/** A checkpoint key without the wrapper prefixes (`module.`, `model.`, in any nesting). */
export function stripWrapperPrefixes(k: string): string {
  let key = k;
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of WRAPPER_PREFIXES) {
      if (key.startsWith(p)) {
        key = key.slice(p.length);
        changed = true;
      }
    }
  }
  return key;
}

function normaliseKeys(file: SafetensorsFile): Map<string, string> {
  const map = new Map<string, string>();
  for (const k of file.keys()) {
    map.set(stripWrapperPrefixes(k), k);
  }
  return map;
}

/** Same element count and the same shape once size-1 dims are ignored ((1,C,1,1) ~ (C)). */
export function sameShape(a: number[], b: number[]): boolean {
  return numel(a) === numel(b) && a.filter((d) => d !== 1).join(',') === b.filter((d) => d !== 1).join(',');
}

export interface StateDictContents {
  /** Values for the specs, in internal layout. */
  source: TensorSource;
  /** Permutations read from w_perm, per scale, per step. */
  permutations: number[][][];
}

function permutationFromMatrix(data: Float32Array, c: number, key: string): number[] {
  const perm = new Array<number>(c);
  const seen = new Set<number>();
  for (let i = 0; i < c; i++) {
    let found = -1;
    for (let j = 0; j < c; j++) {
      const v = data[i * c + j];
      if (v === 1) {
        if (found >= 0) found = -2;
        else if (found === -1) found = j;
      } else if (v !== 0) found = -2;
    }
    if (found < 0 || seen.has(found)) {
      throw new DanflowError('WEIGHTS_MISMATCH', `${key} is not a permutation matrix (row ${i}); the checkpoint is corrupt or not a DANFlow/FastFlow model.`);
    }
    seen.add(found);
    perm[i] = found;
  }
  return perm;
}

/**
 * Reads a reference-format state_dict and checks it against what the model expects. The first
 * missing or mis-shaped tensor is named in the error; `skipBackbone` leaves backbone tensors to
 * another source (e.g. a danflow file saved without the backbone).
 */
export function readStateDict(
  bytes: Uint8Array,
  specs: ParamSpec[],
  flows: { prefix: string; channels: number; steps: number }[],
  options: { skipBackbone?: boolean; what: string },
): StateDictContents {
  const file = readSafetensors(bytes);
  const keys = normaliseKeys(file);
  const values = new Map<string, Float32Array>();
  const used = new Set<string>();
  for (const spec of specs) {
    if (options.skipBackbone && spec.key.startsWith('feature_extractor.')) continue;
    const original = keys.get(spec.key);
    if (original === undefined) {
      throw new DanflowError(
        'WEIGHTS_MISMATCH',
        `${options.what} has no tensor "${spec.key}" (expected shape [${spec.torchShape.join(', ')}]). ` +
          'Check that the config (backbone, flowSteps, numDw, doubleSubnets, attention, inputSize) matches the one the checkpoint was trained with.',
      );
    }
    const t = file.get(original);
    if (!sameShape(t.shape, spec.torchShape)) {
      throw new DanflowError(
        'WEIGHTS_MISMATCH',
        `${options.what}: tensor "${spec.key}" has shape [${t.shape.join(', ')}] but the model expects [${spec.torchShape.join(', ')}]. ` +
          'Check that the config (backbone, inputSize, flowSteps, numDw, doubleSubnets, attention) matches the checkpoint.',
      );
    }
    values.set(spec.key, fromTorchLayout(spec, t.data));
    used.add(spec.key);
  }
  const permutations = flows.map((f) =>
    Array.from({ length: f.steps }, (_, k) => {
      const key = `${f.prefix}.module_list.${k}.w_perm`;
      const original = keys.get(key);
      if (original === undefined) throw new DanflowError('WEIGHTS_MISMATCH', `${options.what} has no tensor "${key}" (the step's fixed channel permutation).`);
      const t = file.get(original);
      if (!sameShape(t.shape, [f.channels, f.channels])) {
        throw new DanflowError('WEIGHTS_MISMATCH', `${options.what}: "${key}" has shape [${t.shape.join(', ')}], expected [${f.channels}, ${f.channels}, 1, 1].`);
      }
      used.add(key);
      used.add(key + '_inv');
      return permutationFromMatrix(t.data, f.channels, key);
    }),
  );
  const extra = [...keys.keys()].filter((k) => !used.has(k) && !k.endsWith('num_batches_tracked') && !(options.skipBackbone && k.startsWith('feature_extractor.')));
  if (extra.length) log('warn', `${options.what}: ignoring ${extra.length} tensors the model does not use (first: ${extra[0]})`);
  return { source: (spec) => values.get(spec.key), permutations };
}
