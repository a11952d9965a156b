import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

// One bundle per format. tfjs-core stays external (a dependency the app shares) except for
// its gradient registrations, which tfjs ships as extension-less ESM that Node cannot load
// raw — bundling those files is the only portable way to get gradients in both ESM and CJS.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'index.node': 'src/index.node.ts',
    node: 'src/node.ts',
    cli: 'src/cli/main.ts',
    bench: 'src/bench/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', 'index.node': 'src/index.node.ts', node: 'src/node.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  shims: true,
  define: { __DANFLOW_VERSION__: JSON.stringify(pkg.version) },
  noExternal: [/@tensorflow\/tfjs-core\/dist\/(register_all_gradients|gradients)/],
  external: [
    '@tensorflow/tfjs-core',
    '@tensorflow/tfjs-backend-cpu',
    '@tensorflow/tfjs-backend-wasm',
    '@tensorflow/tfjs-backend-webgl',
    '@tensorflow/tfjs-backend-webgpu',
    '@tensorflow/tfjs-node',
    '@tensorflow/tfjs-node-gpu',
    'webgpu',
    'sharp',
  ],
});
