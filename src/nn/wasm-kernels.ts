import * as tf from '@tensorflow/tfjs-core';

let identityShared = false;

/**
 * tfjs-backend-wasm's Identity kernel copies the whole buffer, and tfjs-core clones (Identity) every
 * tensor it saves for backprop — so on wasm each saved activation existed twice (time and memory).
 * This swaps in the cpu backend's behaviour: share the buffer and bump its reference count, exactly
 * like wasm's own Reshape does. Safe because tensors are immutable (Variable.assign swaps buffers).
 * Idempotent; a no-op until tfjs-backend-wasm has been imported.
 */
export function installWasmKernelOverrides(): void {
  if (identityShared) return;
  const original = tf.getKernel('Identity', 'wasm');
  if (!original) return;
  identityShared = true;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({
    kernelName: 'Identity',
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype === 'string') return original.kernelFunc(args);
      (args.backend as unknown as { incRef(id: object): void }).incRef(x.dataId);
      return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
    },
  });
}
