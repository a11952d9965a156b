import { beforeAll, describe, expect, it } from 'vitest';
import { loadDetector } from '../../src/index.js';
import { isDanflowError } from '../../src/core/errors.js';
import { goldenImage, manifestToSafetensors, maxAbsDiff, readGoldenF32, readGoldenJson } from '../helpers/golden.js';
import { setBackend } from '../helpers/backend.js';

/**
 * Parity on cpu and wasm. The cpu backend's kernels are exact float32 (measured 2.4e-7 – 3.0e-7 from
 * PyTorch). wasm's XNNPACK convs, matMuls and resize are each ≤ 4e-7 relative from cpu; its one lossy
 * op, the LayerNorm moments (a float32 single-accumulator Mean over 262 144 terms), is summed in
 * blocks (src/nn/precise-reductions.ts), which took wasm from 6.5e-5 – 8.7e-5 to 4.8e-7 – 6.0e-7.
 * Both are held to 2e-6: 3× margin over wasm's worst, 6× over cpu's (the issue asked for ≤ 1e-5).
 *
 * A reference-format checkpoint (the PyTorch DANFlow's own state_dict keys, random weights rebuilt
 * from the manifest) imported with loadDetector(…, { from: 'pytorch' }) must give PyTorch's anomaly
 * map within 1e-4 absolute on a 256×256 image, for every attention type.
 */
describe.each(['none', 'eca', 'gcnet'])('reference checkpoint import (resnet18, %s)', (attention) => {
  const meta = readGoldenJson(`full-resnet18-${attention}.json`);
  beforeAll(() => setBackend('cpu'));

  it.each([
    ['cpu', 'tfjs', 2e-6],
    ['wasm', 'tfjs', 2e-6],
    // The exported graph in onnxruntime-node (decoding and resizing on cpu, as localize does).
    ['cpu', 'onnxruntime', 1e-4],
  ] as const)('localize(img, { sigma: 0 }) on %s with engine %s equals the PyTorch anomaly map within %s', async (backend, engine, tol) => {
    const bytes = manifestToSafetensors(meta.tensors);
    const det = await loadDetector(bytes, { from: 'pytorch', config: meta.config, backend, engine });
    expect(det.engine).toBe(engine);
    expect(det.trainableParameters).toBe(meta.expected.trainableParams);
    const r = await det.localize(goldenImage(meta.image.shape), { sigma: 0 });
    const ref = readGoldenF32(meta.expected.anomalyMap.file);
    const diff = maxAbsDiff(r.anomalyMap.data, ref);
    console.log(`resnet18/${attention} on ${backend}/${engine}: max |map − PyTorch| = ${diff.toExponential(2)}, score ${r.score} vs ${meta.expected.score}`);
    expect(diff).toBeLessThan(tol);
    expect(Math.abs(r.score - meta.expected.score)).toBeLessThan(tol);
    // The map must carry signal for the comparison to mean anything.
    expect(meta.expected.anomalyMapStats.std).toBeGreaterThan(1e-2);
    det.dispose();
  });

  it('names the first missing tensor of a truncated checkpoint', async () => {
    const victim = meta.tensors.find((t: any) => t.key.includes('nf_flows.1.module_list.0.subnet_2.pw_linear.0.weight')).key;
    const bytes = manifestToSafetensors(meta.tensors, (k) => k === victim);
    const err = await loadDetector(bytes, { from: 'pytorch', config: meta.config, backend: 'cpu' }).catch((e) => e);
    expect(isDanflowError(err, 'WEIGHTS_MISMATCH')).toBe(true);
    expect(err.message).toContain(victim);
  });

  it('rejects a checkpoint whose config does not match, naming the mis-shaped tensor', async () => {
    const bytes = manifestToSafetensors(meta.tensors);
    const err = await loadDetector(bytes, { from: 'pytorch', config: { ...meta.config, inputSize: 224 }, backend: 'cpu' }).catch((e) => e);
    expect(isDanflowError(err, 'WEIGHTS_MISMATCH')).toBe(true);
    expect(err.message).toMatch(/norms\.0\.weight.*shape/);
  });
});
