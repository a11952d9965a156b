import * as tf from '@tensorflow/tfjs-core';
import { batchNormTrainCpu, batchNormTrainGradCpu, depthwise3x3FilterGradCpu, gatherChannelsCpu, pointwiseWeightGradCpu } from './cpu.js';
import { KERNELS } from './names.js';
import { batchNormTrainGradWasm, batchNormTrainWasm, depthwise3x3FilterGradWasm, gatherChannelsWasm, pointwiseWeightGradWasm } from './wasm.js';

/**
 * Registers danflow's training kernels for the backends that have them: wasm (SIMD) and cpu (the
 * reference loops). Other backends (WebGPU, WebGL, native TensorFlow) keep the composite tfjs ops:
 * fastKernel() checks the registry per backend. Registering needs no backend to exist yet; the
 * wasm module is instantiated on first use, per backend instance. Idempotent.
 */
const IMPLEMENTATIONS: Record<string, Record<keyof typeof KERNELS, unknown>> = {
  cpu: { bn: batchNormTrainCpu, bnGrad: batchNormTrainGradCpu, dw: depthwise3x3FilterGradCpu, pw: pointwiseWeightGradCpu, perm: gatherChannelsCpu },
  wasm: { bn: batchNormTrainWasm, bnGrad: batchNormTrainGradWasm, dw: depthwise3x3FilterGradWasm, pw: pointwiseWeightGradWasm, perm: gatherChannelsWasm },
};

export function registerTrainingKernels(): void {
  for (const [backendName, impls] of Object.entries(IMPLEMENTATIONS)) {
    for (const [key, kernelFunc] of Object.entries(impls)) {
      const kernelName = KERNELS[key as keyof typeof KERNELS];
      if (tf.getKernel(kernelName, backendName)) continue;
      tf.registerKernel({ kernelName, backendName, kernelFunc: kernelFunc as tf.KernelFunc });
    }
  }
}
