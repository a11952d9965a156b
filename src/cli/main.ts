#!/usr/bin/env node
/** The `danflow` executable (dist/cli.js): wires the process to run() and exits with its code. */
import { processIo } from './io.js';
import { run } from './run.js';

const controller = new AbortController();
let interrupted = false;
process.on('SIGINT', () => {
  // First Ctrl-C: stop after the current step (a clean ABORTED error); second: exit now.
  if (interrupted) process.exit(130);
  interrupted = true;
  process.stderr.write('\ninterrupted — stopping after the current step (Ctrl-C again to quit now)\n');
  controller.abort(new Error('interrupted'));
});

const argv = process.argv.slice(2);
// `danflow bench` is the benchmark harness (npm run bench), with its own flags (--help lists them).
const job = argv[0] === 'bench' ? import('../bench/main.js').then((b) => b.main(argv.slice(1)).then(() => 0)) : run(argv, processIo(controller.signal));
job.then(
  (code) => {
    process.exitCode = interrupted && code !== 0 ? 130 : code;
  },
  (e: unknown) => {
    process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
