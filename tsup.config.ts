import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defineConfig, type Options } from 'tsup';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// Peer packages the app shares (or installs when it wants them); never bundled.
const EXTERNAL = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-backend-webgl',
  '@tensorflow/tfjs-backend-webgpu',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  'webgpu',
  'sharp',
];

const shared: Options = {
  format: ['esm', 'cjs'],
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
  shims: true,
  define: { __DANFLOW_VERSION__: JSON.stringify(pkg.version) },
  // tsup prints every emitted file; the size that matters is measured by the packaging test.
  silent: true,
};

/** Browser build: the core's one door to Node built-ins is replaced by a stub that says "needs Node". */
const browserNodeStub = {
  name: 'danflow-browser-node-stub',
  setup(build: { onResolve(o: { filter: RegExp }, cb: (a: { path: string; resolveDir: string }) => { path: string }): void }) {
    build.onResolve({ filter: /\/node-modules\.js$/ }, (args) => ({ path: path.join(path.dirname(path.resolve(args.resolveDir, args.path)), 'node-modules.browser.ts') }));
  },
};

export default defineConfig([
  // What bundlers get for `import 'danflow'` outside Node. tfjs stays external, gradients included
  // (the app's bundler resolves tfjs-core's extension-less ESM itself, so there is one copy of it).
  {
    ...shared,
    entry: { index: 'src/index.ts' },
    external: EXTERNAL,
    esbuildPlugins: [browserNodeStub],
    dts: {
      entry: { index: 'src/index.ts', 'index.node': 'src/index.node.ts', node: 'src/node.ts' },
      // tfjs-core's declarations use the global `Long` of @types/long without referencing it; a
      // consumer whose tsconfig sets "types": ["node"] would not load it (TS2304), so we do.
      banner: '/// <reference types="long" />',
    },
  },
  // Node: the main entry with file decoding, `danflow/node`, `danflow/serve` (HTTP service and worker
  // fleet; Fastify, BullMQ and ioredis stay external as dependencies), the CLI and the benchmark. tfjs-core's
  // gradient registrations are bundled here: tfjs ships them as extension-less ESM that Node cannot
  // load raw. They run after tfjs-core's own entry (see src/nn/register-gradients.ts).
  {
    ...shared,
    entry: { 'index.node': 'src/index.node.ts', node: 'src/node.ts', serve: 'src/serve.ts', cli: 'src/cli/main.ts', bench: 'src/bench/main.ts' },
    noExternal: [/@tensorflow\/tfjs-core\/dist\/(register_all_gradients|gradients)/],
    external: EXTERNAL,
    // The threaded wasm backend's pthread entry (src/backend/node-modules.ts) is loaded by path.
    onSuccess: async () => copyFileSync('src/backend/wasm-pthread-worker.cjs', 'dist/wasm-pthread-worker.cjs'),
  },
  // `danflow/serve` declarations on their own: declared together with the three above, they would
  // re-split the shared declaration chunks that the API report (docs/api/) pins.
  {
    ...shared,
    entry: { serve: 'src/serve.ts' },
    external: EXTERNAL,
    dts: { only: true, banner: '/// <reference types="long" />' },
  },
]);
