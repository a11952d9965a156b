import { DanflowError } from './errors.js';

/** Throws ABORTED when the caller's signal fired; long loops call it between units of work. */
export function throwIfAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new DanflowError('ABORTED', `${what} was aborted.`, { cause: signal.reason });
}

/** Lets the event loop run (progress bars, UI, abort handlers) between heavy steps. */
export const yieldToEventLoop = (): Promise<void> => new Promise((r) => setTimeout(r, 0));
