import { DanflowError } from '../core/errors.js';
import type { DetectionMethod } from './config.js';
import { danflowMethod } from './danflow/index.js';
import { patchcoreMethod } from './patchcore/index.js';
import type { MethodDefinition } from './types.js';

/**
 * The table of methods. A new method is a new row (a MethodDefinition); nothing outside this file
 * branches on the method's name.
 */
export const METHODS: Readonly<Record<DetectionMethod, MethodDefinition>> = {
  danflow: danflowMethod,
  patchcore: patchcoreMethod,
};

export const METHOD_NAMES = Object.keys(METHODS) as DetectionMethod[];

export function methodOf(name: DetectionMethod | undefined): MethodDefinition {
  const m = METHODS[name ?? 'danflow'];
  if (!m) throw new DanflowError('BAD_CONFIG', `method must be one of ${METHOD_NAMES.map((n) => `'${n}'`).join(', ')} (got "${String(name)}").`);
  return m;
}
