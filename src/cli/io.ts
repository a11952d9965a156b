/** What the CLI talks to, so tests can run commands in-process and read what they printed. */
export interface CliStream {
  write(chunk: string): unknown;
  /** Whether this is a terminal (progress bars redraw in place only then). */
  isTTY?: boolean;
  columns?: number;
}

export interface CliIo {
  stdout: CliStream;
  stderr: CliStream;
  env: Record<string, string | undefined>;
  /** Base for relative paths. */
  cwd: string;
  /** Aborts long work (Ctrl-C). */
  signal?: AbortSignal;
  /**
   * Subscribes to a process signal for as long as a long-running command (serve, worker) runs;
   * returns the unsubscribe function. Absent when embedded (tests pass their own).
   */
  onSignal?(name: 'SIGTERM' | 'SIGHUP', handler: () => void): () => void;
}

/** The real process streams. */
export function processIo(signal?: AbortSignal): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    ...(signal ? { signal } : {}),
    onSignal(name, handler) {
      process.on(name, handler);
      return () => void process.off(name, handler);
    },
  };
}

/** Collects output in strings (for tests and embedding). */
export function memoryIo(options: { cwd?: string; env?: Record<string, string | undefined>; tty?: boolean } = {}): CliIo & { out(): string; err(): string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s), isTTY: options.tty ?? false },
    stderr: { write: (s: string) => (err += s), isTTY: options.tty ?? false, columns: 100 },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    out: () => out,
    err: () => err,
  };
}
