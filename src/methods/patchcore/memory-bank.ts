import * as tf from '@tensorflow/tfjs-core';
import { seededShuffle } from '../../core/prng.js';
import { isTracing } from '../../core/tracing.js';

/**
 * Nearest-neighbour distances against a bank of normal patch features, computed as
 * ‖q‖² + min_m(‖m‖² − 2·q·mᵀ) in chunks so the Q×M distance matrix never exists at once. ‖q‖² is
 * added after the minimum (it does not depend on m), and −2·mᵀ is stored pre-scaled (exact in
 * float32), so the Q×M matrix sees one matMul with a bias and one reduction: in ONNX Runtime a
 * single Gemm and a ReduceMin.
 */
export class MemoryBank {
  readonly bank: tf.Tensor2D;
  /** ‖m‖² per bank row. [M] */
  private readonly bankSq: tf.Tensor1D;
  /** −2·bankᵀ [D, M]: tfjs-wasm's matMul with transposeB is ~20× slower than a plain one. */
  private readonly bankTm2: tf.Tensor2D;

  constructor(bank: tf.Tensor2D) {
    this.bank = bank;
    this.bankSq = tf.tidy(() => tf.sum(tf.square(bank), 1) as tf.Tensor1D);
    this.bankTm2 = tf.tidy(() => tf.mul(tf.transpose(bank), -2) as tf.Tensor2D);
  }

  get size(): number {
    return this.bank.shape[0];
  }

  /**
   * Euclidean distance of each query row to its nearest bank row. [Q]
   * Under the ONNX trace there is one chunk: the query count is N·h·w, so a chunked loop would bake
   * the trace's batch size into the graph; ONNX Runtime computes the whole Q×M matrix instead.
   */
  nearest(query: tf.Tensor2D, chunk = 4096): tf.Tensor1D {
    if (isTracing()) chunk = Number.POSITIVE_INFINITY;
    return tf.tidy(() => {
      const q = query.shape[0];
      const parts: tf.Tensor[] = [];
      for (let start = 0; start < q; start += chunk) {
        const qs = tf.slice(query, [start, 0], [Math.min(chunk, q - start), -1]);
        const closest = tf.min(tf.add(tf.matMul(qs, this.bankTm2), this.bankSq), 1);
        parts.push(tf.sqrt(tf.relu(tf.add(closest, tf.sum(tf.square(qs), 1)))));
      }
      return (parts.length === 1 ? parts[0] : tf.concat(parts)) as tf.Tensor1D;
    });
  }

  dispose(): void {
    this.bank.dispose();
    this.bankSq.dispose();
    this.bankTm2.dispose();
  }
}

/** A seeded random subset of `ratio`·n indices (PatchCore-lite's coreset), sorted. */
export function randomCoreset(n: number, ratio: number, seed: number): number[] {
  const k = Math.max(1, Math.min(n, Math.round(n * ratio)));
  return seededShuffle(n, seed).slice(0, k).sort((x, y) => x - y);
}
