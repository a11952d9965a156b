import * as tf from '@tensorflow/tfjs-core';
import { DanflowError } from '../../core/errors.js';
import type { MethodDefinition } from '../types.js';
import { PATCHCORE_DEFAULTS, type PatchCoreConfig } from './config.js';
import { MEMORY_BANK_KEY, PatchCoreHead } from './head.js';
import { MemoryBank } from './memory-bank.js';

const DEFAULT_CORESET_RATIO = PATCHCORE_DEFAULTS.coresetRatio;

function settings(config: { patchcore?: PatchCoreConfig }): PatchCoreConfig {
  return config.patchcore ?? { coresetRatio: DEFAULT_CORESET_RATIO, scales: [] };
}

export const patchcoreMethod: MethodDefinition = {
  iterative: false,
  hasLikelihood: false,
  summary: (c, backbone) => `PatchCore, ${backbone} @${c.inputSize}`,
  facts: (c) => [['Method', `PatchCore (kNN memory bank of normal patch features, ${Math.round(settings(c).coresetRatio * 100)} % coreset)`]],
  resolve: (options) => ({ patchcore: { coresetRatio: options.patchcore?.coresetRatio ?? DEFAULT_CORESET_RATIO, scales: options.patchcore?.scales ?? [] } }),
  validate: (config, backbone) => {
    const c = settings(config);
    if (!(c.coresetRatio > 0 && c.coresetRatio <= 1)) throw new DanflowError('BAD_CONFIG', `patchcore.coresetRatio must be in (0, 1] (got ${c.coresetRatio}).`);
    new PatchCoreHead(c, backbone.scales.length, config);
  },
  // The memory bank's size is only known after fitting, so it is not a spec but an extra tensor.
  specs: () => [],
  create: (config, backbone, _params, checkpoint) => {
    let bank: MemoryBank | undefined;
    if (checkpoint) {
      const t = checkpoint.take(MEMORY_BANK_KEY);
      if (!t) throw new DanflowError('WEIGHTS_MISMATCH', `${checkpoint.what} is a PatchCore model without "${MEMORY_BANK_KEY}"; it was saved before fitting or is corrupt.`);
      bank = new MemoryBank(tf.tensor2d(t.data, t.shape as [number, number]));
    }
    return new PatchCoreHead(settings(config), backbone.scales.length, config, bank);
  },
};
