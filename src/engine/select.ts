/**
 * Engine selection for createDetector / loadDetector. Training always runs on tfjs; this only
 * decides what runs localize (and so calibrate, eval, the CLI and the report).
 */
import { log } from '../core/env.js';
import { DanflowError, describeError } from '../core/errors.js';
import { ENGINE_REQUESTS, type EngineName, type EngineRequest } from './names.js';
import { loadOrt } from './ort/load.js';

export async function resolveEngine(request: EngineRequest = 'auto'): Promise<EngineName> {
  if (!ENGINE_REQUESTS.includes(request)) throw new DanflowError('BAD_CONFIG', `Unknown engine "${String(request)}". Use one of: ${ENGINE_REQUESTS.join(', ')}.`);
  if (request === 'tfjs') return 'tfjs';
  if (request === 'onnxruntime') {
    await loadOrt(); // ENGINE_UNAVAILABLE with the install command when the package is missing
    return 'onnxruntime';
  }
  try {
    await loadOrt();
    return 'onnxruntime';
  } catch (e) {
    log('debug', `engine auto: using tfjs (${describeError(e).split('\n')[0]})`);
    return 'tfjs';
  }
}
