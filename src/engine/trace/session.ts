/**
 * State of one trace: the ONNX graph being recorded and what each traced tensor stands for.
 *
 * Dynamic batch: tfjs needs concrete shapes, so the trace runs at a sentinel batch size B (a
 * prime such as 97 that no model dimension is a multiple of). Every traced value records which of
 * its axes carries the batch (`batchAxis`, size k·B meaning k·N in the graph); kernels propagate it
 * and turn attribute numbers that contain B (Reshape targets, Tile repeats, Fill shapes) into
 * shapes computed from N at run time. Exporting twice with two sentinels and comparing the graphs
 * (see export) proves that nothing else in the graph depended on B.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { DanflowError } from '../../core/errors.js';
import { OnnxGraph } from '../onnx/graph.js';
import { DataType, type DataTypeCode } from '../onnx/schema.js';

export type TypedArray = Float32Array | Int32Array | Uint8Array;

export interface TraceValue {
  /** The tfjs shape at trace time (the batch axis, if any, has size k·B). */
  shape: number[];
  dtype: tf.DataType;
  /** Axis whose size is k·N in the graph, or −1 when the value does not depend on the batch. */
  batchAxis: number;
  /** ONNX value name, once the value is in the graph (constants get one when first used). */
  name?: string;
  /** Known at export time: written by tf.tensor(), read from a parameter, or folded. */
  constant?: TypedArray;
  /** Name hint for the initializer (a parameter's state-dict key). */
  hint?: string;
}

/** What the trace cannot turn into a batch-independent ONNX graph (code ONNX_EXPORT). */
export class TraceError extends DanflowError {
  constructor(message: string) {
    super('ONNX_EXPORT', `ONNX export: ${message}`);
  }
}

export function onnxType(dtype: tf.DataType): DataTypeCode {
  switch (dtype) {
    case 'float32':
      return DataType.FLOAT;
    case 'int32':
      return DataType.INT32;
    case 'bool':
      return DataType.BOOL;
    default:
      throw new TraceError(`dtype ${dtype} has no ONNX mapping here`);
  }
}

export function isUniform(a: TypedArray): boolean {
  for (let i = 1; i < a.length; i++) if (a[i] !== a[0]) return false;
  return true;
}

export class TraceSession {
  readonly graph = new OnnxGraph();
  private batchSizeName?: string;
  private batchSource?: { name: string; axis: number };

  constructor(
    /** The sentinel batch size the trace runs at. */
    readonly batch: number,
    /** Names for parameter tensors (by tfjs dataId): initializers then carry state-dict keys. */
    readonly paramNames: Map<object, string> = new Map(),
  ) {}

  /** Declares a graph input whose `batchAxis` is dynamic ('N'); returns its traced value. */
  input(name: string, shape: number[], dtype: tf.DataType, batchAxis: number): TraceValue {
    const traced = shape.map((d, i) => (i === batchAxis ? this.batch : d));
    this.graph.addInput(name, onnxType(dtype), shape.map((d, i) => (i === batchAxis ? 'N' : d)));
    this.batchSource ??= batchAxis >= 0 ? { name, axis: batchAxis } : undefined;
    this.graph.shapes.set(name, shape.map((d, i) => (i === batchAxis ? null : d)));
    return { shape: traced, dtype, batchAxis, name };
  }

  /** k for a value whose batch axis has size k·B. */
  factor(v: TraceValue): number {
    return v.shape[v.batchAxis] / this.batch;
  }

  /** Whether a number from an attribute is a multiple of the sentinel batch (so stands for k·N). */
  isBatchMultiple(d: number): boolean {
    return d > 0 && d % this.batch === 0;
  }

  /** The graph's N as an int64 [1] tensor (Shape of the batched input, computed once). */
  batchSize(): string {
    if (!this.batchSizeName) {
      if (!this.batchSource) throw new TraceError('a batch-dependent shape is needed but no graph input has a batch axis');
      const { name, axis } = this.batchSource;
      this.batchSizeName = this.graph.op('Shape', [name], { start: { i: axis }, end: { i: axis + 1 } });
    }
    return this.batchSizeName;
  }

  /**
   * An int64 shape tensor for `shape` (trace sizes) whose `batchAxis` stands for k·N: a constant
   * when there is no batch axis, else Concat(before, k·N, after).
   */
  shapeTensor(shape: number[], batchAxis: number): string {
    if (batchAxis < 0) return this.graph.int64(shape, 'shape');
    const k = shape[batchAxis] / this.batch;
    const n = k === 1 ? this.batchSize() : this.graph.op('Mul', [this.batchSize(), this.graph.int64([k])]);
    const parts = [
      ...(batchAxis > 0 ? [this.graph.int64(shape.slice(0, batchAxis), 'shape')] : []),
      n,
      ...(batchAxis < shape.length - 1 ? [this.graph.int64(shape.slice(batchAxis + 1), 'shape')] : []),
    ];
    return parts.length === 1 ? parts[0] : this.graph.op('Concat', parts, { axis: { i: 0 } });
  }

  /**
   * The ONNX name of a value, materialising constants on first use: an initializer, or — for a
   * uniform constant of batch size (tf.zeros([n]), tf.fill([n·b, …])) — the scalar expanded to k·N.
   */
  nameOf(v: TraceValue): string {
    if (v.name) return v.name;
    if (!v.constant) throw new TraceError('internal: a value with neither a name nor a constant');
    if (v.batchAxis >= 0) {
      const scalar = this.constantTensor(v.constant.subarray(0, 1), [], v.dtype, v.hint);
      v.name = this.graph.op('Expand', [scalar, this.shapeTensor(v.shape, v.batchAxis)]);
    } else {
      v.name = this.constantTensor(v.constant, v.shape, v.dtype, v.hint);
    }
    return v.name;
  }

  constantTensor(data: TypedArray, shape: number[], dtype: tf.DataType, hint?: string): string {
    const arr = dtype === 'bool' ? Uint8Array.from(data) : dtype === 'int32' ? Int32Array.from(data) : data instanceof Float32Array ? data : Float32Array.from(data);
    return this.graph.initializer(arr, shape, onnxType(dtype), hint ?? 'const');
  }

  /** A float32 constant value (not yet in the graph) e.g. a re-laid-out conv weight. */
  constant(data: TypedArray, shape: number[], dtype: tf.DataType = 'float32', hint?: string): TraceValue {
    return { shape, dtype, batchAxis: -1, constant: data, hint };
  }

  /** A value produced by a node. */
  produced(name: string, shape: number[], dtype: tf.DataType, batchAxis: number): TraceValue {
    this.graph.shapes.set(name, shape.map((d, i) => (i === batchAxis ? null : d)));
    return { name, shape, dtype, batchAxis };
  }
}
