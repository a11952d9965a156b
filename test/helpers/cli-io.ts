/** An in-memory CLI io for long-running commands: Ctrl-C is an abort, SIGTERM/SIGHUP are sent by the test. */
import { memoryIo } from '../../src/cli/index.js';
import type { CliIo } from '../../src/cli/io.js';

export function signalIo(cwd: string): { io: CliIo & { out(): string; err(): string }; interrupt(): void; send(name: 'SIGTERM' | 'SIGHUP'): void; waitFor(re: RegExp, ms?: number): Promise<RegExpExecArray> } {
  const ctrl = new AbortController();
  const handlers = new Map<string, Set<() => void>>();
  const base = memoryIo({ cwd });
  const io = {
    ...base,
    signal: ctrl.signal,
    onSignal(name: 'SIGTERM' | 'SIGHUP', h: () => void) {
      if (!handlers.has(name)) handlers.set(name, new Set());
      handlers.get(name)!.add(h);
      return () => void handlers.get(name)!.delete(h);
    },
  };
  const waitFor = async (re: RegExp, ms = 60_000) => {
    const until = Date.now() + ms;
    for (;;) {
      const m = re.exec(base.out() + base.err());
      if (m) return m;
      if (Date.now() > until) throw new Error(`no ${re} within ${ms} ms; stdout:\n${base.out()}\nstderr:\n${base.err()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { io, interrupt: () => ctrl.abort(), send: (name) => handlers.get(name)?.forEach((h) => h()), waitFor };
}
