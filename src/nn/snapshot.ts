import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from './params.js';

/** A host-memory copy of every tensor of a model (weights and BN statistics), for best-epoch restore. */
export type ParamSnapshot = Map<string, Float32Array>;

export async function snapshotParams(params: ParamStore, keys: string[]): Promise<ParamSnapshot> {
  return new Map(await Promise.all(keys.map(async (k) => [k, ((await params.get(k).data()) as Float32Array).slice()] as const)));
}

export function restoreParams(params: ParamStore, snapshot: ParamSnapshot): void {
  for (const [k, data] of snapshot) {
    const v = params.get(k);
    const t = tf.tensor(data, v.shape, 'float32');
    v.assign(t);
    t.dispose();
  }
}
