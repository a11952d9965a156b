/**
 * Long-running commands (serve, worker) run until told to stop: Ctrl-C (the CLI's abort signal) or
 * SIGTERM from a process manager. SIGHUP is the conventional "reload your configuration" signal.
 */
import type { CliIo } from './io.js';

export interface StopWatch {
  /** Resolves with what stopped the command. */
  stopped: Promise<'SIGINT' | 'SIGTERM'>;
  /** Unsubscribes from the signals. */
  dispose(): void;
}

export function watchSignals(io: CliIo, onReload?: () => void): StopWatch {
  const off: (() => void)[] = [];
  const stopped = new Promise<'SIGINT' | 'SIGTERM'>((resolve) => {
    if (io.signal?.aborted) return resolve('SIGINT');
    const onAbort = () => resolve('SIGINT');
    io.signal?.addEventListener('abort', onAbort, { once: true });
    off.push(() => io.signal?.removeEventListener('abort', onAbort));
    if (io.onSignal) off.push(io.onSignal('SIGTERM', () => resolve('SIGTERM')));
  });
  if (onReload && io.onSignal) off.push(io.onSignal('SIGHUP', onReload));
  return { stopped, dispose: () => off.forEach((f) => f()) };
}
