import * as tf from '@tensorflow/tfjs-core';

/** Whether the active backend has a kernel, used to pick a gradient path the backend can run. */
export function backendHasKernel(kernelName: string): boolean {
  return tf.getKernel(kernelName, tf.getBackend()) !== undefined;
}

/**
 * The one place danflow touches a private tfjs-core field. A gradient computed inside a backward
 * pass (recomputation in a custom gradient) makes tfjs-core replace and then clear the engine's
 * active tape when the inner computation ends, which would drop the outer backward's tape; this
 * puts it back. tfjs-core is pinned to an exact version because of it, and
 * test/unit/core/tf-helpers.test.ts fails if the field moves.
 */
export function withOuterTapeRestored<T>(inner: () => T): T {
  const state = engineState();
  const outer = state.activeTape;
  try {
    return inner();
  } finally {
    state.activeTape = outer;
  }
}

interface EngineState {
  activeTape: unknown;
  gradientDepth: number;
}

/** @internal exported for the guard test. */
export function engineState(): EngineState {
  const state = (tf.engine() as unknown as { state?: EngineState }).state;
  // activeTape is only assigned once a gradient is taken; gradientDepth marks the same class.
  if (!state || typeof state.gradientDepth !== 'number') {
    throw new Error('tfjs-core internals changed: engine().state.activeTape is gone; danflow needs the tfjs-core version pinned in its package.json.');
  }
  return state;
}
