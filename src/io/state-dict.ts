import { log } from '../core/env.js';
import { DanflowError } from '../core/errors.js';
import { fromTorchLayout, sameShape, toTorchLayout, type ParamSpec, type TensorSource } from '../nn/param-spec.js';
import type { ParamStore } from '../nn/params.js';
import { readSafetensors, writeSafetensors, type SafetensorsTensor, type WritableTensor } from './safetensors.js';

/**
 * A model's tensors as a PyTorch-reference state_dict in safetensors: same keys, PyTorch layout,
 * BatchNorm step counters included, so `model.load_state_dict(...)` in the reference accepts a
 * danflow model file and `loadDetector(…, { from: 'pytorch' })` accepts theirs. `skipPrefix` leaves
 * out a group of keys (the backbone, when saving without it); `extra` adds tensors that are not
 * specs (a flow's permutation matrices, PatchCore's memory bank).
 */
export async function exportStateDict(specs: ParamSpec[], params: ParamStore, options: { skipPrefix?: string; extra?: Record<string, WritableTensor> } = {}): Promise<Uint8Array> {
  const out: Record<string, WritableTensor> = { ...options.extra };
  for (const spec of specs) {
    if (options.skipPrefix !== undefined && spec.key.startsWith(options.skipPrefix)) continue;
    const data = toTorchLayout(spec, (await params.get(spec.key).data()) as Float32Array);
    out[spec.key] = { dtype: 'F32', shape: spec.torchShape, data };
    if (spec.key.endsWith('.running_var')) {
      out[spec.key.replace(/running_var$/, 'num_batches_tracked')] = { dtype: 'I64', shape: [], data: [0] };
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

/** The tensors of a checkpoint that are not specs, for the method that owns them (e.g. w_perm). */
export interface CheckpointTensors {
  /** Names the file in errors, e.g. "the PyTorch checkpoint". */
  readonly what: string;
  /** The tensor named `key` (wrapper prefixes ignored), marked as used; undefined when absent. */
  take(key: string): SafetensorsTensor | undefined;
}

export interface StateDict extends CheckpointTensors {
  /** Values for the specs, in internal layout. */
  source: TensorSource;
  /** Warns once about tensors nobody took; call when every part of the model has read its own. */
  finish(): void;
}

/**
 * Reads a reference-format state_dict (parsed once) and checks it against the specs the model
 * expects: the first missing or mis-shaped tensor is named in the error. `skipPrefix` leaves those
 * keys to another source (e.g. a danflow file saved without the backbone).
 */
export function readStateDict(bytes: Uint8Array, specs: ParamSpec[], options: { skipPrefix?: string; what: string }): StateDict {
  const { what, skipPrefix } = options;
  const file = readSafetensors(bytes);
  const keys = new Map<string, string>();
  for (const k of file.keys()) keys.set(stripWrapperPrefixes(k), k);
  const skipped = (key: string) => skipPrefix !== undefined && key.startsWith(skipPrefix);
  const values = new Map<string, Float32Array>();
  const used = new Set<string>();
  for (const spec of specs) {
    if (skipped(spec.key)) continue;
    const original = keys.get(spec.key);
    if (original === undefined) {
      throw new DanflowError(
        'WEIGHTS_MISMATCH',
        `${what} has no tensor "${spec.key}" (expected shape [${spec.torchShape.join(', ')}]). ` +
          'Check that the config (backbone, flowSteps, numDw, doubleSubnets, attention, inputSize) matches the one the checkpoint was trained with.',
      );
    }
    const t = file.get(original);
    if (!sameShape(t.shape, spec.torchShape)) {
      throw new DanflowError(
        'WEIGHTS_MISMATCH',
        `${what}: tensor "${spec.key}" has shape [${t.shape.join(', ')}] but the model expects [${spec.torchShape.join(', ')}]. ` +
          'Check that the config (backbone, inputSize, flowSteps, numDw, doubleSubnets, attention) matches the checkpoint.',
      );
    }
    values.set(spec.key, fromTorchLayout(spec, t.data));
    used.add(spec.key);
  }
  return {
    what,
    source: (spec) => values.get(spec.key),
    take(key) {
      const original = keys.get(key);
      if (original === undefined) return undefined;
      used.add(key);
      return file.get(original);
    },
    finish() {
      const extra = [...keys.keys()].filter((k) => !used.has(k) && !k.endsWith('num_batches_tracked') && !skipped(k));
      if (extra.length) log('warn', `${what}: ignoring ${extra.length} tensors the model does not use (first: ${extra[0]})`);
    },
  };
}
