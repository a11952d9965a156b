export { DanflowError, isDanflowError } from './errors.js';
export type { DanflowErrorCode } from './errors.js';
export { env } from './env.js';
export type { DanflowEnv } from './env.js';
export type { RawImage, ScoreMap, BinaryMask } from './types.js';
