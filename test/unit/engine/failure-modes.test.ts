/**
 * What the exporter says for code it cannot turn into a batch-independent graph. Each failure is an
 * ONNX_EXPORT error naming the problem, the previous backend is active again afterwards, and no
 * tensor leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { isDanflowError } from '../../../src/core/errors.js';
import { isTracing } from '../../../src/core/tracing.js';
import { setBackend } from '../../helpers/backend.js';
import { exportFunction } from '../../helpers/onnx.js';

const CASES: [string, (x: tf.Tensor) => tf.Tensor, RegExp][] = [
  ['reads a value (dataSync)', (x) => tf.mul(x, tf.max(x).dataSync()[0]), /read a tensor value/],
  ['uses the batch size as a number', (x) => tf.div(x, x.shape[0]), /depends on the batch size: .*differs between traces/],
  ['a kernel without a recording (Cumsum)', (x) => tf.cumsum(x, 1), /Cumsum/],
  ['slices the batch', (x) => tf.slice(x, [0, 0], [1, -1]), /Slice along the batch axis/],
  ['pads the batch', (x) => tf.pad(x, [[1, 0], [0, 0]]), /pads the batch axis/],
  ['symmetric mirror padding (no ONNX mode)', (x) => tf.mirrorPad(x, [[0, 0], [1, 1]], 'symmetric'), /symmetric/],
];

describe('ONNX export failure modes', () => {
  beforeAll(() => setBackend('cpu'));

  it.each(CASES)('%s', async (_name, fn, message) => {
    const before = tf.memory().numTensors;
    const err = await exportFunction((x) => ({ y: fn(x) }), [0, 4]).catch((e: unknown) => e);
    expect(isDanflowError(err, 'ONNX_EXPORT'), String(err)).toBe(true);
    expect((err as Error).message).toMatch(message);
    expect(tf.getBackend()).toBe('cpu');
    expect(isTracing()).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
    // The backend works as before.
    expect(tf.add(tf.scalar(1), 2).dataSync()[0]).toBe(3);
  });

  it('a working export right after a failed one', async () => {
    await exportFunction((x) => ({ y: tf.cumsum(x, 1) }), [0, 4]).catch(() => undefined);
    const bytes = await exportFunction((x) => ({ y: tf.exp(x) }), [0, 4]);
    expect(bytes.length).toBeGreaterThan(0);
  });

  it('exports are serialised: concurrent ones never see each other on the trace backend', async () => {
    const results = await Promise.all(Array.from({ length: 4 }, (_, i) => exportFunction((x) => ({ y: tf.mul(x, i + 1) }), [0, 4])));
    expect(new Set(results.map((b) => b.length)).size).toBe(1);
    expect(tf.getBackend()).toBe('cpu');
  });
});
