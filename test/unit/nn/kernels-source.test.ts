import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SOURCE_HASH, TRAIN_KERNELS_WASM, TRAIN_KERNELS_WASM_SHARED } from '../../../src/nn/wasm/train-kernels.generated.js';
import { REPO_ROOT } from '../../helpers/paths.js';

/**
 * The committed kernel bytes were compiled from the committed AssemblyScript: the generator stamps a
 * hash of its source and of itself, so an edit to either without `npm run build:kernels` fails here.
 */
describe('wasm training kernels (src/nn/wasm/train-kernels.generated.ts)', () => {
  it('are built from the current assembly/train-kernels.ts and scripts/build-kernels.mjs', () => {
    const hash = createHash('sha256')
      .update(readFileSync(path.join(REPO_ROOT, 'assembly', 'train-kernels.ts')))
      .update(readFileSync(path.join(REPO_ROOT, 'scripts', 'build-kernels.mjs')))
      .digest('hex')
      .slice(0, 16);
    expect(SOURCE_HASH, 'run `npm run build:kernels` and commit src/nn/wasm/train-kernels.generated.ts').toBe(hash);
  });

  it('are valid WebAssembly modules with SIMD, importing a plain and a shared memory', () => {
    for (const [b64, shared] of [[TRAIN_KERNELS_WASM, false], [TRAIN_KERNELS_WASM_SHARED, true]] as const) {
      const m = new WebAssembly.Module(Buffer.from(b64, 'base64'));
      expect(WebAssembly.Module.imports(m)).toEqual([{ module: 'env', name: 'memory', kind: 'memory' }]);
      const names = WebAssembly.Module.exports(m).map((e) => e.name);
      expect(names).toEqual(expect.arrayContaining(['channel_sum', 'bn_apply', 'bn_grad_dx', 'dw_filter_grad3x3', 'pw_weight_grad', 'gather_channels']));
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared });
      expect(() => new WebAssembly.Instance(m, { env: { memory } })).not.toThrow();
    }
  });
});
