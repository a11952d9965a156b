/**
 * Export → onnxruntime-node → the graph contract's outputs vs the tfjs `cpu` backend, for every
 * attention type, single/double subnets, dwKernel 1, every backbone (reduced ViTs: the real
 * architecture code at D 32, 2 blocks, 64 px), both methods and every image-score rule; each at
 * N = 1 and N = 3 from the same file (the batch is dynamic). Every file also passes Debian's
 * onnx.checker when python3-onnx is installed.
 *
 * Tolerances: flows 1e-5 absolute (maps are in [−1, 0]). PatchCore maps are feature distances (tens
 * to hundreds here) computed as √(‖q‖² + ‖m‖² − 2q·m), which cancels catastrophically: float32
 * resolves them to ~1e-7 of the map's scale and ORT's MatMul sums in another order, so the bound is
 * relative: 1e-4 · max(1, max|map|). The square root amplifies the rounding of d² where a patch is
 * close to a bank patch (d ≈ 0, as normal patches are), so the largest difference sits there:
 * measured 2e-5 (resnet18) and 7e-6 (mobilenetv2) of max|map|; a wrong op errs by the map itself.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig, type DetectorOptions } from '../../../src/api/config.js';
import { VIT_ARCHS, vitArch } from '../../../src/backbones/vit.js';
import { hashUniform } from '../../../src/core/prng.js';
import { exportOnnx } from '../../../src/engine/export.js';
import { createDetector } from '../../../src/index.js';
import { Model } from '../../../src/methods/model.js';
import { setBackend } from '../../helpers/backend.js';
import { modelOf } from '../../helpers/internals.js';
import { checkOnnx, contractInput, maxAbs, onnxCheckerMissing, runOrt, tfjsReference, u8Images } from '../../helpers/onnx.js';

// Reduced transformers under test names: the architecture code is the real one.
VIT_ARCHS.deit_tiny = { ...vitArch('deit', { embedDim: 32, heads: 4, depthUsed: 2, imageSize: 64, mlpRatio: 2 }), name: 'deit_tiny' };
VIT_ARCHS.cait_tiny = { ...vitArch('cait', { embedDim: 32, heads: 4, depthUsed: 2, imageSize: 64, mlpRatio: 2 }), name: 'cait_tiny' };

const base: DetectorOptions = { backbone: 'resnet18', inputSize: 32, flowSteps: 2, numDw: 2, doubleSubnets: true, attention: 'eca', seed: 3 };
const FLOWS: Record<string, DetectorOptions> = {
  'resnet18 eca double': base,
  'resnet18 gcnet double': { ...base, attention: 'gcnet' },
  'resnet18 none double': { ...base, attention: 'none' },
  'resnet18 eca single': { ...base, doubleSubnets: false },
  'resnet18 gcnet single dwKernel 1': { ...base, attention: 'gcnet', doubleSubnets: false, dwKernel: 1 },
  'resnet18 numDw 0': { ...base, numDw: 0 },
  'wide_resnet50_2 eca': { ...base, backbone: 'wide_resnet50_2', flowSteps: 1, numDw: 1 },
  'mobilenetv2 eca': { ...base, backbone: 'mobilenetv2' },
  'deit eca': { ...base, backbone: 'deit_tiny' as never, inputSize: 64, numDw: 1 },
  'cait gcnet': { ...base, backbone: 'cait_tiny' as never, inputSize: 64, numDw: 1, attention: 'gcnet' },
  'score rule top 5 %': { ...base, imageScore: { rule: 'top', fraction: 0.05 } },
  'score rule mean': { ...base, imageScore: 'mean' },
  'score rule likelihood': { ...base, imageScore: 'likelihood' },
};
const PATCHCORE: Record<string, DetectorOptions> = {
  'patchcore resnet18': { ...base, method: 'patchcore', inputSize: 64 },
  'patchcore mobilenetv2 top 1 %': { ...base, method: 'patchcore', backbone: 'mobilenetv2', imageScore: { rule: 'top', fraction: 0.01 } },
};

/** Head parameters moved off their initial values, so that no block is an identity (GCNet's last conv starts at 0). */
function perturb(model: Model): void {
  for (const key of model.headKeys()) {
    if (key.endsWith('running_var')) continue;
    const v = model.params.get(key);
    tf.tidy(() => v.assign(tf.add(v, tf.tensor(hashUniform(`perturb/${key}`, v.size, -0.2, 0.2), v.shape))));
  }
}

const exported: Record<string, Uint8Array> = {};

async function parity(name: string, model: Model, relative: boolean): Promise<void> {
  const s = model.config.inputSize;
  const before = tf.memory().numTensors;
  const { bytes } = await exportOnnx(model, { scoreSigma: 4, mapSigma: 0 });
  expect(tf.memory().numTensors, 'tensors leaked by the export').toBe(before);
  exported[name] = bytes;
  for (const n of [1, 3]) {
    const u8 = u8Images(`parity/${name}/${n}`, n, s);
    const ref = tfjsReference(model, u8, n, 4, 0);
    const got = await runOrt(bytes, s, contractInput(u8, n, s), n);
    expect(got.maps.length).toBe(n * s * s);
    expect(got.scores.length).toBe(n);
    const tol = relative ? 1e-4 * Math.max(1, maxAbs(ref.maps)) : 1e-5;
    const dMap = maxAbs(got.maps.map((v, i) => v - ref.maps[i]));
    const dScore = maxAbs(got.scores.map((v, i) => v - ref.scores[i]));
    console.log(`${name.padEnd(32)} N=${n}: |Δmap| ${dMap.toExponential(1)}, |Δscore| ${dScore.toExponential(1)}${relative ? ` (max|map| ${maxAbs(ref.maps).toPrecision(3)})` : ''}`);
    expect(maxAbs(ref.maps)).toBeGreaterThan(0); // the comparison means something
    expect(dMap).toBeLessThanOrEqual(tol);
    expect(dScore).toBeLessThanOrEqual(tol);
  }
}

describe('ONNX export parity with tfjs cpu (onnxruntime-node, N = 1 and 3)', () => {
  beforeAll(() => setBackend('cpu'));

  it.each(Object.keys(FLOWS))('%s', async (name) => {
    const model = new Model(resolveConfig(FLOWS[name]), () => undefined);
    try {
      perturb(model);
      await parity(name, model, false);
    } finally {
      model.dispose();
    }
  });

  it.each(Object.keys(PATCHCORE))('%s', async (name) => {
    const s = PATCHCORE[name].inputSize!;
    const images = Array.from({ length: 4 }, (_, i) => ({ data: u8Images(`bank/${i}`, 1, s), width: s, height: s, channels: 3 }));
    const det = await createDetector({ ...PATCHCORE[name], backend: 'cpu', engine: 'tfjs', patchcore: { coresetRatio: 0.25 } });
    try {
      await det.fit(images);
      await parity(name, modelOf(det), true);
    } finally {
      det.dispose();
    }
  });

  const missing = onnxCheckerMissing();
  if (missing) console.log(`[onnx checker] skipped: ${missing}`);
  it.skipIf(!!missing)('every exported file passes onnx.checker.check_model(full_check=True)', () => {
    const names = Object.keys(exported);
    expect(names.length).toBe(Object.keys(FLOWS).length + Object.keys(PATCHCORE).length);
    const results = checkOnnx(exported);
    for (const n of names) expect(results[n], n).toBe('ok');
  });

  afterAll(() => {
    delete VIT_ARCHS.deit_tiny;
    delete VIT_ARCHS.cait_tiny;
  });
});
