import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Attention, FlowConfig } from '../../../../src/methods/danflow/config.js';
import { flowForward, flowInverse, makePermutation, type ScaleFlow } from '../../../../src/methods/danflow/flow.js';
import { flowSpecs } from '../../../../src/methods/danflow/spec.js';
import { hashPermutation, hashUniform } from '../../../../src/core/prng.js';
import { ParamStore } from '../../../../src/nn/params.js';
import { numel } from '../../../../src/nn/param-spec.js';
import { setBackend } from '../../../helpers/backend.js';

/** A flow with every parameter random (not just its init), so the invariants are tested in general position. */
function randomFlow(channels: number, cfg: FlowConfig): { flow: ScaleFlow; params: ParamStore } {
  const params = new ParamStore();
  for (const spec of flowSpecs('f', channels, cfg)) {
    const n = numel(spec.shape);
    let data: Float32Array;
    if (spec.key.endsWith('running_var')) data = hashUniform(spec.key, n, 0.5, 1.5);
    else if (spec.key.endsWith('global_scale')) data = hashUniform(spec.key, n, 8, 12);
    else data = hashUniform(spec.key, n, -0.5, 0.5);
    params.add(spec.key, tf.tensor(data, spec.shape), spec.trainable);
  }
  const flow: ScaleFlow = {
    prefix: 'f',
    channels,
    permutations: Array.from({ length: cfg.flowSteps }, (_, k) => makePermutation(hashPermutation(`p${k}`, channels))),
  };
  return { flow, params };
}

const cases: [Attention, boolean, 1 | 3][] = [
  ['none', true, 3],
  ['eca', true, 3],
  ['gcnet', true, 3],
  ['eca', false, 3],
  ['eca', true, 1],
];

beforeAll(() => setBackend('cpu'));

describe.each(cases)('flow (attention %s, double subnets %s, depthwise kernel %i)', (attention, doubleSubnets, dwKernel) => {
  const cfg: FlowConfig = { flowSteps: 2, numDw: 2, doubleSubnets, attention, dwKernel };

  it('inverse(forward(x)) reproduces x within 1e-4', () => {
    const { flow, params } = randomFlow(6, cfg);
    const x = tf.tensor4d(hashUniform('x', 2 * 5 * 4 * 6, -2, 2), [2, 5, 4, 6]);
    const { z } = flowForward(flow, params, cfg, x);
    const back = flowInverse(flow, params, cfg, z);
    const err = tf.max(tf.abs(tf.sub(back, x))).dataSync()[0];
    expect(err).toBeLessThan(1e-4);
    // z must differ from x, or the round trip would be trivially exact.
    expect(tf.max(tf.abs(tf.sub(z, x))).dataSync()[0]).toBeGreaterThan(1e-2);
    params.dispose();
  });

  it('log-det equals log|det J| from a numerical Jacobian (4×3×3 input) within 1e-3', () => {
    const { flow, params } = randomFlow(4, cfg);
    const shape: [number, number, number, number] = [1, 3, 3, 4];
    const d = 36;
    // float64 is unavailable in tfjs; central differences with h = 1e-2 on float32 keep the
    // truncation and rounding errors well below the tolerance for these smooth functions.
    const x0 = hashUniform('jac-x', d, -1, 1);
    const f = (v: Float32Array) => tf.tidy(() => flowForward(flow, params, cfg, tf.tensor4d(v, shape)).z.dataSync() as Float32Array);
    const h = 1e-2;
    const jac: number[][] = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (let j = 0; j < d; j++) {
      const xp = Float32Array.from(x0);
      const xm = Float32Array.from(x0);
      xp[j] += h;
      xm[j] -= h;
      const fp = f(xp);
      const fm = f(xm);
      for (let i = 0; i < d; i++) jac[i][j] = (fp[i] - fm[i]) / (2 * h);
    }
    const numeric = logAbsDet(jac);
    const analytic = tf.tidy(() => flowForward(flow, params, cfg, tf.tensor4d(x0, shape)).logdet.dataSync()[0]);
    expect(Math.abs(analytic)).toBeGreaterThan(0.05); // a non-trivial volume change
    expect(Math.abs(numeric - analytic)).toBeLessThan(1e-3);
    params.dispose();
  });
});

/** log|det A| by LU decomposition with partial pivoting (float64). */
function logAbsDet(a: number[][]): number {
  const n = a.length;
  const m = a.map((r) => [...r]);
  let sum = 0;
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    const piv = m[c][c];
    sum += Math.log(Math.abs(piv));
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / piv;
      for (let k = c; k < n; k++) m[r][k] -= f * m[c][k];
    }
  }
  return sum;
}
