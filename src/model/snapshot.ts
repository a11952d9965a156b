import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from '../nn/params.js';

/** A host-memory copy of every tensor of a model (weights and BN statistics), for best-epoch restore. */
export type ParamSnapshot = Map<string, Float32Array>;

export function snapshotParams(params: ParamStore, keys: string[]): ParamSnapshot {
  return new Map(keys.map((k) => [k, params.get(k).dataSync().slice() as Float32Array]));
}

export function restoreParams(params: ParamStore, snapshot: ParamSnapshot): void {
  for (const [k, data] of snapshot) {
    const v = params.get(k);
    const t = tf.tensor(data, v.shape, 'float32');
    v.assign(t);
    t.dispose();
  }
}
