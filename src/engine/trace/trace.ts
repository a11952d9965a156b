/**
 * traceToOnnx: runs a tfjs function under the 'onnx-trace' backend and returns the recorded graph.
 *
 * tfjs's active backend is process-wide, so while the trace backend is active every other tfjs call
 * would land on it. The whole trace is therefore synchronous: switching to an already initialised
 * backend completes inside the `tf.setBackend` call (tfjs-core awaits nothing on that path), the
 * traced function is synchronous, and the previous backend is restored before any other JavaScript
 * can run. Traces are also serialised per process (one at a time), so two exports never interleave.
 */
import * as tf from '@tensorflow/tfjs-core';
import { DanflowError, isDanflowError } from '../../core/errors.js';
import { whileTracing } from '../../core/tracing.js';
import type { OnnxGraph } from '../onnx/graph.js';
import { registerTraceBackend, TRACE_BACKEND } from './backend.js';
import { TRACE_KERNELS } from './kernels/index.js';
import { onnxType, TraceError, TraceSession } from './session.js';

export interface TraceInput {
  name: string;
  /** Static sizes; the batch axis's entry is ignored (it becomes the symbolic 'N'). */
  shape: number[];
  dtype?: tf.DataType;
  /** Default 0; −1 for an input without a batch. */
  batchAxis?: number;
}

export interface TraceOptions {
  /** Sentinel batch size the code runs at (default 97, a prime no model dimension is a multiple of). */
  traceBatch?: number;
  /** State-dict names for parameter tensors, so initializers are recognisable in the graph. */
  paramNames?: Map<object, string>;
}

export interface TracedGraph {
  graph: OnnxGraph;
  /** Graph outputs with their declared shapes ('N' for the batch). */
  outputs: { name: string; shape: (number | string)[] }[];
}

export type TracedFunction = (...inputs: tf.Tensor[]) => Record<string, tf.Tensor>;

let queue: Promise<unknown> = Promise.resolve();

/** Runs `job` after every earlier one has settled: one export at a time per process. */
export function serialised<T>(job: () => Promise<T>): Promise<T> {
  const run = queue.then(job, job);
  queue = run.catch(() => undefined);
  return run;
}

/** Switches the global backend without yielding (see the file comment); throws if tfjs would have to await. */
function switchBackendNow(name: string): void {
  void tf.setBackend(name);
  if (tf.getBackend() !== name) throw new TraceError(`could not switch to the '${name}' backend synchronously`);
}

/**
 * Traces `fn` on symbolic inputs. The function must be synchronous tfjs code that reads no tensor
 * values; its named outputs become the graph outputs. The previously active backend is restored
 * afterwards, and every tensor made during the trace is released. Errors other than danflow's own
 * (a kernel without a recording, a shape tfjs rejects) become ONNX_EXPORT errors.
 */
export function traceToOnnx(fn: TracedFunction, inputs: TraceInput[], options: TraceOptions = {}): TracedGraph {
  const backend = registerTraceBackend(TRACE_KERNELS);
  const session = new TraceSession(options.traceBatch ?? 97, options.paramNames);
  // The cpu backend evaluates constant subgraphs; it must exist before the switch.
  if (!tf.engine().findBackend('cpu')) throw new TraceError('@tensorflow/tfjs-backend-cpu must be registered (it folds constants)');
  const previous = tf.getBackend();
  if (previous === TRACE_BACKEND) throw new TraceError('traces cannot nest');
  // tfjs's production flag keeps tfjs-backend-cpu's one-time "install tfjs-node" banner quiet when
  // constant folding makes its first write (see backend/candidates.ts); nothing else here logs.
  const prod = tf.env().getBool('PROD');
  tf.env().set('PROD', true);
  switchBackendNow(TRACE_BACKEND);
  backend.begin(session);
  try {
    const outputs: TracedGraph['outputs'] = [];
    whileTracing(() =>
      tf.tidy(() => {
        const tensors = inputs.map((i) => {
          const v = session.input(i.name, i.shape, i.dtype ?? 'float32', i.batchAxis ?? 0);
          return tf.engine().makeTensorFromTensorInfo(backend.register(v), backend);
        });
        const result = fn(...tensors);
        for (const [name, t] of Object.entries(result)) {
          const v = backend.lookup(t);
          const shape = v.shape.map((d, i) => (i === v.batchAxis ? 'N' : d));
          session.graph.addOutput(name, session.nameOf(v), onnxType(v.dtype), shape);
          outputs.push({ name, shape });
        }
      }),
    );
    session.graph.prune();
    return { graph: session.graph, outputs };
  } catch (e) {
    if (isDanflowError(e)) throw e;
    throw new DanflowError('ONNX_EXPORT', `ONNX export: ${(e as Error)?.message ?? String(e)}`, { cause: e });
  } finally {
    backend.end();
    switchBackendNow(previous);
    tf.env().set('PROD', prod);
  }
}
