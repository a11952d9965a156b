'use strict';
// Entry script of each tfjs-backend-wasm pthread (XNNPACK thread pool) on Node's worker_threads.
// tfjs ships the Emscripten worker only as a string (`wasmWorkerContents`) that it turns into a
// blob: URL, which Node's Worker cannot load; this file runs that same string in a CommonJS scope,
// where the `require` and `__filename` it expects exist. It then loads the main script
// (tfjs-backend-wasm-threaded-simd.js) from disk via importScripts → fs.readFileSync.
const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
// The template literal it is shipped in turned the source's "\n" escapes into real newlines inside
// string literals (tfjs undoes that the same way before making its blob). Direct eval on purpose:
// the worker source needs this module's `require` and `__filename`.
eval(wasmWorkerContents.replace(/\n/g, '\\n'));
