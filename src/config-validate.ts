import { BACKBONE_NAMES } from './backbones/registry.js';
import type { DetectorConfig } from './config.js';
import { DanflowError } from './errors.js';

const ATTENTIONS = ['none', 'eca', 'gcnet'];

/** Rejects settings that cannot build a model, naming the field and the accepted values. */
export function validateConfig(c: DetectorConfig): void {
  const bad = (msg: string) => {
    throw new DanflowError('BAD_CONFIG', msg);
  };
  if (!BACKBONE_NAMES.includes(c.backbone)) bad(`Unknown backbone "${c.backbone}". Available: ${BACKBONE_NAMES.join(', ')}.`);
  if (!Number.isInteger(c.inputSize) || c.inputSize < 32 || c.inputSize % 16 !== 0) bad(`inputSize must be a multiple of 16 and at least 32 (got ${c.inputSize}); the reference uses 256 for ResNets.`);
  if (!Number.isInteger(c.flowSteps) || c.flowSteps < 1 || c.flowSteps > 32) bad(`flowSteps must be an integer from 1 to 32 (got ${c.flowSteps}).`);
  if (!Number.isInteger(c.numDw) || c.numDw < 0 || c.numDw > 16) bad(`numDw must be an integer from 0 to 16 (got ${c.numDw}).`);
  if (typeof c.doubleSubnets !== 'boolean') bad(`doubleSubnets must be true or false (got ${String(c.doubleSubnets)}).`);
  if (!ATTENTIONS.includes(c.attention)) bad(`attention must be one of ${ATTENTIONS.join(', ')} (got "${c.attention}").`);
  if (!Number.isInteger(c.seed)) bad(`seed must be an integer (got ${c.seed}).`);
}
