/**
 * Shared by the ONNX tests: running an exported graph in onnxruntime-node, the tfjs `cpu` reference
 * of the graph contract, and Debian's onnx checker.
 */
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashBytes } from '../../src/core/prng.js';
import { INPUT_NAME, IR_VERSION, OPSET } from '../../src/engine/contract.js';
import { exportTraced } from '../../src/engine/export.js';
import { loadOrt } from '../../src/engine/ort/load.js';
import { OrtEngine } from '../../src/engine/ort/session.js';
import type { TracedFunction } from '../../src/engine/trace/trace.js';
import type { Model } from '../../src/methods/model.js';

/** n 8-bit RGB images, NHWC, as the decoder makes them (values 0..255). */
export function u8Images(key: string, n: number, s: number): Uint8Array {
  return hashBytes(key, n * s * s * 3);
}

/** The contract's input from 8-bit NHWC images: NCHW in [0, 1]. */
export function contractInput(u8: Uint8Array, n: number, s: number): Float32Array {
  const out = new Float32Array(n * 3 * s * s);
  for (let b = 0; b < n; b++) for (let c = 0; c < 3; c++) for (let p = 0; p < s * s; p++) out[((b * 3 + c) * s * s) + p] = u8[(b * s * s + p) * 3 + c] / 255;
  return out;
}

/**
 * What the graph must equal, computed by the model on the active tfjs backend exactly as localize
 * does (0..255 NHWC input): maps at `mapSigma` (0 = localize(img, { sigma: 0 })), scores at `scoreSigma`.
 */
export function tfjsReference(model: Model, u8: Uint8Array, n: number, scoreSigma: number, mapSigma: number): { maps: Float32Array; scores: Float32Array } {
  const s = model.config.inputSize;
  return tf.tidy(() => {
    const images = tf.tensor4d(Float32Array.from(u8), [n, s, s, 3]);
    const { maps, scores } = model.mapsAndScores(images, scoreSigma, { mapSigma });
    return { maps: maps.dataSync() as Float32Array, scores: scores.dataSync() as Float32Array };
  });
}

export async function runOrt(bytes: Uint8Array, inputSize: number, input: Float32Array, n: number): Promise<{ maps: Float32Array; scores: Float32Array }> {
  const engine = await OrtEngine.create(bytes, inputSize, { threads: 1 });
  try {
    return await engine.run(input, n);
  } finally {
    await engine.release();
  }
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

const PYTHON = '/usr/bin/python3';

/** Why Debian's python3-onnx cannot run here, or undefined when it can. */
export function onnxCheckerMissing(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import onnx'], { encoding: 'utf8' });
  return r.status === 0 ? undefined : 'python3-onnx is not installed (apt-get install python3-onnx)';
}

/** onnx.checker.check_model(full_check=True) on each model; returns 'ok' or the checker's complaint per file. */
export function checkOnnx(models: Record<string, Uint8Array>): Record<string, string> {
  const dir = mkdtempSync(path.join(tmpdir(), 'danflow-onnx-check-'));
  try {
    const files = Object.entries(models).map(([name, bytes]) => {
      const f = path.join(dir, `${name}.onnx`);
      writeFileSync(f, bytes);
      return [name, f] as const;
    });
    const script = [
      'import sys, onnx',
      'for name, path in zip(sys.argv[1::2], sys.argv[2::2]):',
      '    try:',
      '        onnx.checker.check_model(onnx.load(path), full_check=True)',
      "        print(name + '\\tok')",
      '    except Exception as e:',
      "        print(name + '\\t' + str(e).replace('\\n', ' '))",
    ].join('\n');
    const r = spawnSync(PYTHON, ['-c', script, ...files.flat()], { encoding: 'utf8', maxBuffer: 16 << 20 });
    if (r.status !== 0) throw new Error(`the onnx checker did not run: ${r.stderr}`);
    return Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split('\t') as [string, string]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A traced function as an ONNX file (both sentinel traces, like every export), without the detector contract. */
export async function exportFunction(fn: TracedFunction, inputShape: number[], optimize = true): Promise<Uint8Array> {
  const { bytes } = await exportTraced(fn, inputShape, (graph) => ({ irVersion: IR_VERSION, opsetImport: [{ domain: '', version: OPSET }], producerName: 'danflow-test', producerVersion: '0', graph: graph.toProto('test') }), { optimize });
  return bytes;
}

/** Runs a graph with one input `image` in onnxruntime-node; every output as numbers. */
export async function runGraph(bytes: Uint8Array, input: Float32Array, dims: number[]): Promise<Record<string, Float32Array>> {
  const ort = await loadOrt();
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1 });
  try {
    const out = await session.run({ [INPUT_NAME]: new ort.Tensor('float32', input, dims) });
    return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Float32Array.from(t.data as ArrayLike<number>)]));
  } finally {
    await session.release();
  }
}
