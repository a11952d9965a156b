import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { engineState, withOuterTapeRestored } from '../../../src/core/tf-helpers.js';
import { setBackend } from '../../helpers/backend.js';
import { REPO_ROOT } from '../../helpers/paths.js';

/**
 * danflow reaches into one private tfjs-core field (engine().state.activeTape, for gradients
 * computed inside a backward pass). These tests fail if a tfjs-core upgrade moves it, and the
 * package pins tfjs exactly so that no user gets an untested version.
 */
describe('the tfjs-core internals danflow relies on', () => {
  beforeAll(() => setBackend('cpu'));

  it('tfjs packages are pinned to one exact version, the one installed', () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const tfjs = Object.entries(pkg.dependencies).filter(([k]) => k.startsWith('@tensorflow/'));
    expect(tfjs.length).toBeGreaterThanOrEqual(5);
    for (const [, range] of tfjs) expect(range).toMatch(/^\d+\.\d+\.\d+$/);
    expect(new Set(tfjs.map(([, v]) => v)).size).toBe(1);
    expect(tf.version_core).toBe(tfjs[0][1]);
  });

  it('engine().state.activeTape exists and is the tape gradients record into', () => {
    const state = engineState();
    const x = tf.scalar(3);
    let seen: unknown;
    tf.grads((a: tf.Tensor) => {
      seen = state.activeTape;
      return tf.square(a);
    })([x]);
    expect(Array.isArray(seen)).toBe(true);
    x.dispose();
  });

  it('a gradient taken inside a custom gradient (recomputation) leaves the outer backward pass intact', () => {
    // y = (x²)² with the inner square's backward recomputed under its own tape: dy/dx = 4x³.
    const inner = tf.customGrad(((a: tf.Tensor, save: tf.GradSaveFunc) => {
      save([a]);
      return {
        value: tf.square(a),
        gradFunc: (dy: tf.Tensor, [sa]: tf.Tensor[]) => withOuterTapeRestored(() => tf.grads((b: tf.Tensor) => tf.square(b))([sa], dy)[0]),
      };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor) => tf.Tensor;
    const x = tf.tensor1d([1, 2, -3]);
    const g = tf.grad((a: tf.Tensor) => tf.sum(tf.square(inner(a))))(x);
    expect(Array.from(g.dataSync())).toEqual([4, 32, -108]);
    tf.dispose([x, g]);
    // Without the restore, the outer gradient call would find no tape to clean up and throw.
    const broken = tf.customGrad(((a: tf.Tensor, save: tf.GradSaveFunc) => {
      save([a]);
      return { value: tf.square(a), gradFunc: (dy: tf.Tensor, [sa]: tf.Tensor[]) => tf.grads((b: tf.Tensor) => tf.square(b))([sa], dy)[0] };
    }) as unknown as Parameters<typeof tf.customGrad>[0]) as (a: tf.Tensor) => tf.Tensor;
    const y = tf.tensor1d([1]);
    expect(() => tf.grad((a: tf.Tensor) => tf.sum(tf.square(broken(a))))(y)).toThrow();
    y.dispose();
  });
});
