import type { TrainSettings } from '../types.js';

/**
 * Learning rate of optimisation step `t` (0-based) with `perEpoch` steps per epoch: constant, or
 * a linear warm-up over `warmupEpochs` followed by a cosine decay to 0 at the last step (as
 * PyTorch's LambdaLR with ½(1 + cos(π·t/T))).
 */
export function learningRateAt(o: Pick<TrainSettings, 'learningRate' | 'learningRateSchedule' | 'warmupEpochs' | 'epochs'>, t: number, perEpoch: number): number {
  if (o.learningRateSchedule === 'constant') return o.learningRate;
  const total = o.epochs * perEpoch;
  const warm = Math.min(Math.round(o.warmupEpochs * perEpoch), total - 1);
  if (t < warm) return (o.learningRate * (t + 1)) / warm;
  const span = Math.max(1, total - warm);
  return o.learningRate * 0.5 * (1 + Math.cos((Math.PI * (t - warm)) / span));
}
