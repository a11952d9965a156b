/**
 * The training kernels danflow registers with tfjs (per backend: see kernels/register.ts). Their
 * names live apart from their implementations so that the layers choosing a path (batch-norm.ts,
 * depthwise.ts, pointwise.ts, permute.ts) need not load the implementations, which are a chunk of
 * their own loaded on first use.
 */
export const KERNELS = {
  /** Train-mode BatchNorm (+ ReLU6) forward: x, gamma, beta → y, batch mean, biased variance. */
  bn: 'DanflowBatchNormTrain',
  /** Its backward: dy, x, mean, variance, gamma, beta → dx, dgamma, dbeta. */
  bnGrad: 'DanflowBatchNormTrainGrad',
  /** Depthwise 3×3 (stride 1, pad 1) filter gradient: x, dy → dW [3, 3, C, 1]. */
  dw: 'DanflowDepthwise3x3FilterGrad',
  /** 1×1 convolution weight gradient aᵀ·dy: a [P, cin], dy [P, cout] → dW [cin, cout]. */
  pw: 'DanflowPointwiseWeightGrad',
  /** Channel permutation y[…, i] = x[…, perm[i]]. */
  perm: 'DanflowGatherChannels',
} as const;

export type FastKernel = 'bn' | 'dw' | 'pw' | 'perm';
