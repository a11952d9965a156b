import { defineConfig } from 'tsup';

// One bundle per format. tfjs-core stays external (a dependency the app shares) except for
// its gradient registrations, which tfjs ships as extension-less ESM that Node cannot load
// raw — bundling those files is the only portable way to get gradients in both ESM and CJS.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    cli: 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'es2022',
  platform: 'neutral',
  splitting: false,
  shims: true,
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
