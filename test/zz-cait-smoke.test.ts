import { writeFileSync, statSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { it } from 'vitest';
import { resolveConfig } from '../src/config.js';
import { DanflowModel } from '../src/model/danflow-model.js';
import { setBackend } from './helpers/backend.js';
import { createBackbone } from '../src/backbones/registry.js';
import { loadBackboneSource } from '../src/backbones/weights.js';
import { writeSafetensors, type WritableTensor } from '../src/io/safetensors.js';
import { numel } from '../src/model/param-spec.js';

const FILE = '/tmp/x/cait_m48_448.safetensors';
const rss = () => (process.memoryUsage().rss / 1e9).toFixed(2) + ' GB';

it('write', () => {
  if (process.env.STEP !== 'write') return;
  const specs = createBackbone('cait_m48_448').specs('');
  const file: Record<string, WritableTensor> = {};
  for (const s of specs) {
    const d = new Float32Array(numel(s.torchShape));
    if (s.key.endsWith('norm1.weight') || s.key.endsWith('norm2.weight') || s.key === 'norm.weight') d.fill(1);
    else if (s.key.includes('gamma')) d.fill(1e-2);
    else for (let i = 0; i < d.length; i += 7) d[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
    file[s.key] = { dtype: 'F32', shape: s.torchShape, data: d };
  }
  // What the timm checkpoint has besides: cls token, blocks 41..47, class-attention blocks, head.
  file.cls_token = { dtype: 'F32', shape: [1, 1, 768], data: new Float32Array(768) };
  for (let b = 41; b < 48; b++) file[`blocks.${b}.mlp.fc1.weight`] = { dtype: 'F32', shape: [3072, 768], data: new Float32Array(3072 * 768) };
  file['blocks_token_only.0.attn.q.weight'] = { dtype: 'F32', shape: [768, 768], data: new Float32Array(768 * 768) };
  file['head.weight'] = { dtype: 'F32', shape: [1000, 768], data: new Float32Array(768000) };
  writeFileSync(FILE, writeSafetensors(file));
  console.log('wrote', (statSync(FILE).size / 1e9).toFixed(2), 'GB', rss());
}, 3_000_000);

it('load + run', async () => {
  if (process.env.STEP !== 'load') return;
  await setBackend('wasm');
  const config = resolveConfig({ backbone: 'cait_m48_448', weights: FILE, flowSteps: 1, numDw: 1 });
  let t0 = Date.now();
  const source = await loadBackboneSource(config, undefined);
  console.log('header checked', Date.now() - t0, 'ms', rss());
  t0 = Date.now();
  const model = new DanflowModel(config, undefined, source);
  console.log('model built', Date.now() - t0, 'ms', rss(), 'tensors', tf.memory().numTensors);
  t0 = Date.now();
  const img = tf.randomUniform([1, 448, 448, 3], 0, 255) as tf.Tensor4D;
  const out = tf.tidy(() => model.anomalyMap(model.head(model.backboneFeatures(img))));
  const v = await out.data();
  let ok = true;
  for (const x of v) if (!Number.isFinite(x)) ok = false;
  console.log('forward+flow', Date.now() - t0, 'ms', out.shape, 'finite', ok, rss());
}, 3_000_000);
