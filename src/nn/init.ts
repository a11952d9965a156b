import * as tf from '@tensorflow/tfjs-core';
import { hashUniform } from '../core/prng.js';
import { numel, type ParamSpec } from './param-spec.js';

/** A spec's initial value, deterministic in (seed, key). */
export function initialValue(spec: ParamSpec, seed: number): Float32Array {
  const n = numel(spec.shape);
  const init = spec.init;
  if (init.kind === 'const') return new Float32Array(n).fill(init.value);
  const [lo, hi] = init.kind === 'uniform' ? [-init.bound, init.bound] : [init.lo, init.hi];
  return hashUniform(`${seed}/${spec.key}`, n, lo, hi);
}

export function initialTensor(spec: ParamSpec, seed: number): tf.Tensor {
  return tf.tensor(initialValue(spec, seed), spec.shape, 'float32');
}
