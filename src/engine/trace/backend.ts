/**
 * 'onnx-trace': a tfjs backend whose kernels compute nothing. Each kernel appends ONNX nodes to the
 * active TraceSession and returns a tensor that only has a shape — so running the model's own
 * forward code (the same layer functions and parameter store as inference) under this backend
 * records the model as an ONNX graph. There is no second description of the architecture to keep
 * in sync.
 *
 * Tensors the traced code did not create (parameters, BN-folded backbone weights, permutation
 * indices: all living on the real backend) are read once through the engine and become
 * initializers. Kernels whose inputs are all known constants are evaluated at export time with the
 * tfjs cpu backend's own kernel (constant folding), so parameter-only arithmetic such as
 * BatchNorm's γ/√(σ²+ε) or the flows' softplus scales reaches the graph as a value, computed with
 * exactly tfjs's float32 arithmetic.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { isUniform, TraceError, TraceSession, type TraceValue, type TypedArray } from './session.js';

export const TRACE_BACKEND = 'onnx-trace';

/** How one tfjs kernel is recorded. */
export interface TraceKernel {
  kernelName: string;
  /** Input keys in order (tfjs passes a named map); default: the map's own order (array-like inputs of AddN, Concat). */
  inputs?: string[];
  /** Set false for kernels that must stay in the graph even on constants. Default true. */
  fold?: boolean;
  emit(s: TraceSession, inputs: TraceValue[], attrs: Record<string, unknown>): TraceValue | TraceValue[];
}

interface Entry {
  value: TraceValue;
  refCount: number;
}

type CpuBackend = tf.KernelBackend & { write(v: tf.backend_util.BackendValues, s: number[], d: tf.DataType): tf.DataId };

export class OnnxTraceBackend extends tf.KernelBackend {
  private entries = new WeakMap<object, Entry>();
  private count = 0;
  /** Parameters and other foreign tensors already read, by dataId (read once per trace). */
  private foreign = new WeakMap<object, TraceValue>();
  session: TraceSession | undefined;

  begin(session: TraceSession): void {
    this.session = session;
    this.foreign = new WeakMap();
  }

  end(): void {
    this.session = undefined;
  }

  private active(): TraceSession {
    if (!this.session) throw new TraceError(`the '${TRACE_BACKEND}' backend is only usable inside traceToOnnx()`);
    return this.session;
  }

  /** Registers a traced value under a new dataId, as kernels and write() return them. */
  register(value: TraceValue): tf.TensorInfo {
    const dataId = {};
    this.entries.set(dataId, { value, refCount: 1 });
    this.count++;
    return { dataId, shape: value.shape, dtype: value.dtype };
  }

  /** The traced value behind a tensor: ours, or a foreign one (a parameter) read as a constant. */
  lookup(t: tf.TensorInfo): TraceValue {
    const mine = this.entries.get(t.dataId);
    if (mine) return mine.value;
    let v = this.foreign.get(t.dataId);
    if (!v) {
      const data = tf.engine().readSync(t.dataId) as TypedArray;
      const s = this.active();
      v = s.constant(data.slice() as TypedArray, t.shape.slice(), t.dtype, s.paramNames.get(t.dataId));
      this.foreign.set(t.dataId, v);
    }
    return v;
  }

  /** tf.tensor(...) under the trace: a constant (batch-sized uniform ones become Expand of N, see TraceSession.nameOf). */
  override write(values: tf.backend_util.BackendValues, shape: number[], dtype: tf.DataType): tf.DataId {
    if (dtype === 'string' || dtype === 'complex64') throw new TraceError(`${dtype} tensors cannot be exported`);
    return this.register(this.constantValue(values as TypedArray, shape, dtype)).dataId;
  }

  constantValue(values: TypedArray, shape: number[], dtype: tf.DataType): TraceValue {
    const s = this.active();
    const batchAxis = values.length > 0 && isUniform(values) ? shape.findIndex((d) => s.isBatchMultiple(d)) : -1;
    return { ...s.constant(values, shape, dtype), batchAxis };
  }

  override move(): void {
    throw new TraceError('tensors cannot move into the trace backend');
  }

  override readSync(dataId: tf.DataId): tf.backend_util.BackendValues {
    const e = this.entries.get(dataId);
    if (e?.value.constant && e.value.batchAxis < 0) return e.value.constant;
    throw new TraceError('the traced code read a tensor value (dataSync/arraySync/data()); exported graphs cannot depend on data at export time');
  }

  override async read(dataId: tf.DataId): Promise<tf.backend_util.BackendValues> {
    return this.readSync(dataId);
  }

  override refCount(dataId: tf.DataId): number {
    return this.entries.get(dataId)?.refCount ?? 0;
  }

  override incRef(dataId: tf.DataId): void {
    const e = this.entries.get(dataId);
    if (e) e.refCount++;
  }

  override disposeData(dataId: tf.DataId, force = false): boolean {
    const e = this.entries.get(dataId);
    if (!e) return false;
    if (--e.refCount > 0 && !force) return false;
    this.entries.delete(dataId);
    this.count--;
    return true;
  }

  override numDataIds(): number {
    return this.count;
  }

  override memory(): { unreliable: boolean; reasons: string[] } {
    return { unreliable: true, reasons: ['the trace backend holds no data'] };
  }

  override timerAvailable(): boolean {
    return false;
  }

  override floatPrecision(): 32 {
    return 32;
  }

  override epsilon(): number {
    return 1e-7;
  }

  override dispose(): void {}

  /** Runs one kernel: folds it on the cpu backend when every input is a constant, else records it. */
  runKernel(kernel: TraceKernel, inputs: tf.NamedTensorInfoMap, attrs: Record<string, unknown>): tf.TensorInfo | tf.TensorInfo[] {
    const s = this.active();
    const infos = (kernel.inputs ? kernel.inputs.map((k) => inputs[k]) : Object.values(inputs)).filter((t): t is tf.TensorInfo => t !== undefined);
    const values = infos.map((t) => this.lookup(t));
    const foldable = kernel.fold !== false && values.length > 0 && values.every((v) => v.constant && v.batchAxis < 0);
    let out = foldable ? this.fold(kernel.kernelName, inputs, attrs) : undefined;
    // A folded result whose shape holds the batch (tf.tile(clsToken, [n, 1, 1])) must stay a node
    // (or, when uniform, an Expand): as a constant it would fix N to the trace's sentinel.
    if (out && (Array.isArray(out) ? out : [out]).some((v) => v.batchAxis < 0 && v.shape.some((d) => s.isBatchMultiple(d)))) out = undefined;
    out ??= kernel.emit(s, values, attrs);
    return Array.isArray(out) ? out.map((v) => this.register(v)) : this.register(out);
  }

  /** Evaluates a kernel on constants with tfjs-backend-cpu's implementation; undefined if it has none. */
  private fold(kernelName: string, inputs: tf.NamedTensorInfoMap, attrs: Record<string, unknown>): TraceValue | TraceValue[] | undefined {
    const cpuKernel = tf.getKernel(kernelName, 'cpu');
    const cpu = tf.engine().findBackend('cpu') as CpuBackend | null;
    if (!cpuKernel || !cpu) return undefined;
    const created: tf.DataId[] = [];
    try {
      const cpuInputs: tf.NamedTensorInfoMap = {};
      for (const [k, t] of Object.entries(inputs)) {
        if (!t) continue;
        const v = this.lookup(t);
        const dataId = cpu.write(v.constant!, v.shape, v.dtype);
        created.push(dataId);
        cpuInputs[k] = { dataId, shape: v.shape, dtype: v.dtype };
      }
      const out = cpuKernel.kernelFunc({ inputs: cpuInputs, attrs: attrs as tf.NamedAttrMap, backend: cpu });
      const outs = Array.isArray(out) ? out : [out];
      const values = outs.map((o) => {
        created.push(o.dataId);
        return this.constantValue((cpu.readSync(o.dataId) as TypedArray).slice() as TypedArray, o.shape, o.dtype);
      });
      return Array.isArray(out) ? values : values[0];
    } finally {
      for (const id of created) cpu.disposeData(id, true);
    }
  }
}

let instance: OnnxTraceBackend | undefined;

/** Registers the backend (once) and the given kernels for it; returns the backend. */
export function registerTraceBackend(kernels: TraceKernel[]): OnnxTraceBackend {
  if (!instance) {
    const backend = new OnnxTraceBackend();
    instance = backend;
    // Priority −1: never chosen by tfjs on its own; used only by explicit setBackend in traceToOnnx.
    tf.registerBackend(TRACE_BACKEND, () => backend, -1);
  }
  for (const k of kernels) {
    if (tf.getKernel(k.kernelName, TRACE_BACKEND)) continue;
    tf.registerKernel({
      kernelName: k.kernelName,
      backendName: TRACE_BACKEND,
      kernelFunc: ({ inputs, attrs, backend }) => (backend as OnnxTraceBackend).runKernel(k, inputs, attrs as Record<string, unknown>),
    });
  }
  return instance;
}
