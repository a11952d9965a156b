import * as tf from '@tensorflow/tfjs-core';
import { DanflowError, describeError } from '../core/errors.js';
import { log } from '../core/env.js';
import { defaultCandidates, type BackendCandidate } from './candidates.js';
import { BACKEND_NAMES, type BackendName, type BackendRequest } from './names.js';

/**
 * Backend registry in the manner of onnxruntime-common: candidates with priorities, initialised
 * lazily on first use, and one error that lists every backend that was tried and why it failed.
 */
const candidates = new Map<BackendName, BackendCandidate>(defaultCandidates().map((c) => [c.name, c]));
const initialised = new Map<BackendName, Promise<void>>();

/** Replace or add a candidate (tests, or apps that bring their own backend package). */
export function registerBackendCandidate(candidate: BackendCandidate): void {
  candidates.set(candidate.name, candidate);
  initialised.delete(candidate.name);
}

async function initialise(name: BackendName, auto: boolean): Promise<void> {
  const candidate = candidates.get(name);
  if (!candidate) throw new Error('no such backend candidate');
  const key = name;
  // Memoise successes only, so a failure can be retried after the user installs something.
  let pending = initialised.get(key);
  if (!pending) {
    pending = (async () => {
      await candidate.load(auto);
      if (!tf.findBackendFactory(name)) throw new Error(`package loaded but did not register a '${name}' backend`);
      const ok = await tf.setBackend(name);
      if (!ok) throw new Error('the backend failed to initialise (tf.setBackend returned false)');
      await tf.ready();
      candidate.ready?.();
    })();
    initialised.set(key, pending);
    pending.catch(() => initialised.delete(key));
  } else {
    await pending;
    if (tf.getBackend() !== name && !(await tf.setBackend(name))) throw new Error('the backend failed to re-initialise');
  }
  await pending;
}

export interface BackendFailure {
  backend: BackendName;
  reason: string;
}

/**
 * Make `request` the active tfjs backend and return its name. `auto` walks the eligible candidates
 * by priority and stops at the first that initialises.
 */
export async function useBackend(request: BackendRequest = 'auto'): Promise<BackendName> {
  if (request !== 'auto' && !BACKEND_NAMES.includes(request)) {
    throw new DanflowError('BAD_CONFIG', `Unknown backend "${String(request)}". Use one of: auto, ${BACKEND_NAMES.join(', ')}.`);
  }
  const order =
    request === 'auto'
      ? [...candidates.values()].filter((c) => c.autoEligible).sort((a, b) => b.priority - a.priority)
      : [candidates.get(request)!];
  const failures: BackendFailure[] = [];
  for (const candidate of order) {
    try {
      await initialise(candidate.name, request === 'auto');
      if (failures.length) log('info', `using backend ${candidate.name}; skipped ${failures.map((f) => f.backend).join(', ')}`);
      return candidate.name;
    } catch (e) {
      failures.push({ backend: candidate.name, reason: describeError(e) });
    }
  }
  const lines = failures.map((f) => `  - ${f.backend}: ${f.reason}`).join('\n');
  throw new DanflowError(
    'BACKEND_UNAVAILABLE',
    `No usable backend for "${request}". Tried:\n${lines}\n` +
      (request === 'auto' ? 'Install one of the backend packages or pick another backend.' : 'Pick another backend or use backend: "auto".'),
    { details: failures },
  );
}
