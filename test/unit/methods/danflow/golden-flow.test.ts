import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowConfig } from '../../../../src/methods/danflow/config.js';
import { flowForward, flowInverse, makePermutation, nll, type ScaleFlow } from '../../../../src/methods/danflow/flow.js';
import { flowSpecs } from '../../../../src/methods/danflow/spec.js';
import { readSafetensors, type SafetensorsFile } from '../../../../src/io/safetensors.js';
import { applyBatchStats, type BatchStats } from '../../../../src/nn/batch-norm.js';
import { env } from '../../../../src/core/env.js';
import { loadFastKernels } from '../../../../src/nn/fast-kernels.js';
import { ParamStore } from '../../../../src/nn/params.js';
import { fromTorchLayout, toTorchLayout } from '../../../../src/nn/param-spec.js';
import { Adam } from '../../../../src/methods/danflow/adam.js';
import { GOLDEN_DIR, maxScaledDiff, nchwToNhwc, readGoldenJson } from '../../../helpers/golden.js';
import { setBackend } from '../../../helpers/backend.js';

/**
 * The flow against fixtures/golden/flow-*.safetensors, made by the PyTorch reference in float64
 * (fixtures/scripts/make_golden.py). Tolerance 1e-4, absolute for |value| ≤ 1 and relative above
 * (losses are ~60). Run on cpu and on wasm, each with danflow's training kernels (nn/kernels: fused
 * BatchNorm+ReLU6 and its backward, depthwise and 1×1 weight gradients, channel gather) and with
 * tfjs's composite ops, so both paths stay exact.
 */
const TOL = 1e-4;
const CASES = ['none', 'eca', 'gcnet', 'eca-single', 'gcnet-c9', 'eca-dwk1'];

interface Loaded {
  cfg: FlowConfig;
  shape: number[];
  file: SafetensorsFile;
  flow: ScaleFlow;
  params: ParamStore;
  x: tf.Tensor4D;
}

function load(name: string): Loaded {
  const meta = readGoldenJson(`flow-${name}.json`);
  const c = meta.config;
  const cfg: FlowConfig = { flowSteps: c.flowSteps, numDw: c.numDw, doubleSubnets: c.doubleSubnets, attention: c.attention, ...(c.dwKernel ? { dwKernel: c.dwKernel } : {}) };
  const file = readSafetensors(new Uint8Array(readFileSync(path.join(GOLDEN_DIR, meta.file))));
  const params = new ParamStore();
  for (const spec of flowSpecs('f', c.channels, cfg)) {
    const t = file.get(`param.${spec.key.slice(2)}`);
    params.add(spec.key, tf.tensor(fromTorchLayout(spec, t.data), spec.shape), spec.trainable);
  }
  const flow: ScaleFlow = { prefix: 'f', channels: c.channels, permutations: meta.perms.map((p: number[]) => makePermutation(p)) };
  const shape = [c.batch, c.channels, c.height, c.width];
  const x = tf.tensor4d(nchwToNhwc(file.get('input.x').data, shape), [c.batch, c.height, c.width, c.channels]);
  return { cfg, shape, file, flow, params, x };
}

function expected(l: Loaded, key: string, nchw = true): Float32Array {
  const t = l.file.get(key);
  return nchw && t.shape.length === 4 ? nchwToNhwc(t.data, t.shape) : t.data;
}

describe.each([
  ['cpu', 'danflow'],
  ['cpu', 'tfjs'],
  ['wasm', 'danflow'],
  ['wasm', 'tfjs'],
] as const)('flow golden numbers on %s with %s training kernels', (backend, kernels) => {
  const previous = env.trainingKernels;
  beforeAll(async () => {
    await setBackend(backend);
    await loadFastKernels();
    env.trainingKernels = kernels;
  });
  afterAll(async () => {
    env.trainingKernels = previous;
    await setBackend('cpu');
  });

  describe.each(CASES)('%s', (name) => {
    it('eval mode: z, log-det, loss and map match PyTorch; inverse restores the input', () => {
      const l = load(name);
      tf.tidy(() => {
        const { z, logdet } = flowForward(l.flow, l.params, l.cfg, l.x);
        expect(maxScaledDiff(z.dataSync(), expected(l, 'eval.z'))).toBeLessThan(TOL);
        expect(maxScaledDiff(logdet.dataSync(), expected(l, 'eval.logdet'))).toBeLessThan(TOL);
        expect(maxScaledDiff(tf.mean(nll(z, logdet)).dataSync(), expected(l, 'eval.loss'))).toBeLessThan(TOL);
        const map = tf.neg(tf.exp(tf.mul(tf.mean(tf.square(z), 3), -0.5)));
        expect(maxScaledDiff(map.dataSync(), expected(l, 'eval.logp_map'))).toBeLessThan(TOL);
        const zRef = tf.tensor4d(expected(l, 'eval.z'), l.x.shape);
        expect(maxScaledDiff(flowInverse(l.flow, l.params, l.cfg, zRef).dataSync(), l.x.dataSync())).toBeLessThan(TOL);
      });
      l.params.dispose();
    });

    it('train mode: z, loss, BN running stats, every gradient and one Adam step match PyTorch', () => {
      const l = load(name);
      const trainable = l.params.trainable();
      const stats: BatchStats[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const { z, logdet } = flowForward(l.flow, l.params, l.cfg, l.x, stats);
        tf.keep(z);
        const loss = tf.mean(nll(z, logdet)) as tf.Scalar;
        expect(maxScaledDiff(z.dataSync(), expected(l, 'train.z'))).toBeLessThan(TOL);
        expect(maxScaledDiff(logdet.dataSync(), expected(l, 'train.logdet'))).toBeLessThan(TOL);
        return loss;
      }, [...trainable.values()]);
      expect(maxScaledDiff(value.dataSync(), expected(l, 'train.loss'))).toBeLessThan(TOL);
      const byName = new Map([...trainable].map(([k, v]) => [v.name, k]));
      const keyed: Record<string, tf.Tensor> = {};
      for (const [n, g] of Object.entries(grads)) keyed[byName.get(n)!] = g;
      const specs = new Map(flowSpecs('f', l.flow.channels, l.cfg).map((s) => [s.key, s]));
      let checked = 0;
      for (const [key, g] of Object.entries(keyed)) {
        const ref = l.file.get(`grad.${key.slice(2)}`).data;
        const ours = toTorchLayout(specs.get(key)!, g.dataSync() as Float32Array);
        expect(maxScaledDiff(ours, ref), `gradient of ${key}`).toBeLessThan(TOL);
        expect(ours.every(Number.isFinite)).toBe(true);
        checked++;
      }
      expect(checked).toBe(trainable.size);

      applyBatchStats(stats);
      for (const key of l.params.keys().filter((k) => k.endsWith('running_mean') || k.endsWith('running_var'))) {
        const ref = l.file.get(`train_running.${key.slice(2)}`).data;
        expect(maxScaledDiff(l.params.get(key).dataSync(), ref), key).toBeLessThan(TOL);
      }

      const adam = new Adam({ learningRate: 1e-3, weightDecay: 1e-5 });
      adam.apply(trainable, keyed);
      for (const [key, v] of trainable) {
        const ref = l.file.get(`adam1.${key.slice(2)}`).data;
        expect(maxScaledDiff(toTorchLayout(specs.get(key)!, v.dataSync() as Float32Array), ref), `adam step of ${key}`).toBeLessThan(TOL);
      }
      adam.dispose();
      value.dispose();
      tf.dispose(Object.values(grads));
      l.params.dispose();
      l.x.dispose();
    });
  });
});
