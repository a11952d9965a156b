/**
 * Whether model code is running under the ONNX trace (src/engine/trace). Model code whose
 * structure depends on the batch size asks this to take a batch-independent path instead, e.g.
 * PatchCore's chunked nearest-neighbour search. Kept here, dependency-free, so that methods/ can
 * ask without importing the engine layer above it.
 */
let depth = 0;

export function isTracing(): boolean {
  return depth > 0;
}

/** Runs `fn` with isTracing() true (the trace is synchronous, so a counter is enough). */
export function whileTracing<T>(fn: () => T): T {
  depth++;
  try {
    return fn();
  } finally {
    depth--;
  }
}
