import { useBackend } from '../../src/backend/registry.js';
import '../../src/nn/register-gradients.js';
import '../../src/image/register-node-decoder.js';

/** Tests run on the pure-JS CPU backend unless they name another; float32 everywhere. */
export async function setBackend(name: 'cpu' | 'wasm' = 'cpu'): Promise<void> {
  await useBackend(name);
}
