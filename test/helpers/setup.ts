import * as tf from '@tensorflow/tfjs-core';
import { env } from '../../src/core/env.js';

// In vitest, tfjs-core is loaded twice (the inlined ESM build for our sources, the CommonJS build the
// backends require), and the second copy warns that its platform "has already been set". tfjs's
// production flag silences its warnings and changes nothing else (IS_TEST would also turn on
// per-kernel leak checks, which misread the wasm buffer sharing in nn/wasm-kernels.ts). Published
// builds load one copy and never see the warning.
tf.env().set('PROD', true);

// One thread per test process: vitest already runs a process per core, and on a busy machine
// threads that wait for each other lose (measured). test/integration/wasm-threads.test.ts runs the
// threaded wasm backend in processes of its own.
env.numThreads = 1;
