import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * `danflow` as an app gets it. Installed into this folder (`npm install` here, or copy the folder out
 * and `npm install danflow`), it resolves from node_modules like any package. Inside the danflow repo
 * it resolves to the repo's built dist/ (run `npm run build` first) — the built package, never src/.
 */
const installed = existsSync(join(here, 'node_modules/danflow/package.json'));
const danflowEntry = installed ? join(here, 'node_modules/danflow/dist/index.js') : join(here, '../../dist/index.js');

/**
 * tfjs-backend-wasm fetches its .wasm binaries at run time from `env.wasmPaths`. This plugin serves
 * them at <base>tfjs-wasm/ in dev and copies them there in production builds — the copy the bundled
 * JS belongs to, resolved from danflow's own location, so JS and binaries always match.
 */
function tfjsWasmBinaries(): Plugin {
  const dir = join(dirname(createRequire(danflowEntry).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  const files = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];
  return {
    name: 'danflow-example:tfjs-wasm-binaries',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const name = req.url?.split('?')[0].match(/\/tfjs-wasm\/([^/]+)$/)?.[1];
        if (!name || !files.includes(name)) return next();
        res.setHeader('Content-Type', 'application/wasm');
        createReadStream(join(dir, name)).pipe(res);
      });
    },
    generateBundle() {
      for (const f of files) this.emitFile({ type: 'asset', fileName: `tfjs-wasm/${f}`, source: readFileSync(join(dir, f)) });
    },
  };
}

/**
 * Cross-origin isolation lets tfjs-wasm use its multi-threaded build (SharedArrayBuffer). Static
 * hosts need the same two headers; without them wasm still works, single-threaded.
 */
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig({
  root: here,
  base: './',
  resolve: installed ? {} : { alias: { danflow: danflowEntry } },
  plugins: [tfjsWasmBinaries()],
  // The detector lives in a module worker; 'es' lets the worker lazy-load backend chunks.
  worker: { format: 'es' },
  server: { headers: isolation },
  preview: { headers: isolation },
  build: { target: 'es2022', outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2_000 },
});
