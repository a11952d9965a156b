import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/paths.js';

/**
 * The threaded wasm backend in Node (src/backend/node-modules.ts) runs in processes of its own, on
 * the built package (`npm test` builds first): the backend is chosen once per process, and the
 * pthread entry must be found next to dist's files as it is for users. A fit and a localize at 1 and
 * at 2 threads must give the same numbers (XNNPACK splits work by output tiles, never a sum), use
 * the threads asked for, leak nothing, and the process must exit on its own (pool threads hold it
 * open unless unref'd).
 */
const run = promisify(execFile);
const ENTRY = path.join(REPO_ROOT, 'dist', 'index.node.js');

const SCRIPT = `
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
const { createDetector, env, synthetic } = await import(process.argv[1]);
env.numThreads = Number(process.argv[2]);
const ds = synthetic.generateSyntheticDataset({ category: 'fabric', size: 64, trainCount: 8, testGoodCount: 1, testDefectCount: 1 });
const det = await createDetector({ backend: 'wasm', backbone: 'resnet18', weights: 'random', inputSize: 64, flowSteps: 2, seed: 1 });
const fit = await det.fit(ds.train, { epochs: 1, batchSize: 4, validation: false, augment: [] });
const before = tf.memory().numTensors;
const r = await det.localize(ds.test[1].image, { sigma: 0 });
console.log(JSON.stringify({ threads: getThreadsCount(), backend: det.backend, loss: fit.epochLosses[0], score: r.score, map: Array.from(r.anomalyMap.data), leaked: tf.memory().numTensors - before }));
`;

async function runWith(threads: number) {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', SCRIPT, ENTRY, String(threads)], { cwd: REPO_ROOT, timeout: 240_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as { threads: number; backend: string; loss: number; score: number; map: number[]; leaked: number };
}

describe.skipIf(!existsSync(ENTRY))('threaded wasm backend in Node', () => {
  it('fit and localize on 2 threads equal 1 thread, and the process exits by itself', async () => {
    const [one, two] = [await runWith(1), await runWith(2)];
    expect([one.backend, two.backend]).toEqual(['wasm', 'wasm']);
    expect([one.threads, two.threads]).toEqual([1, 2]);
    expect(two.loss).toBe(one.loss);
    expect(two.score).toBe(one.score);
    expect(two.map).toEqual(one.map);
    expect(Number.isFinite(one.loss)).toBe(true);
    expect([one.leaked, two.leaked]).toEqual([0, 0]);
  }, 600_000);
});
