/**
 * An ONNX graph under construction: nodes in execution order, initializers deduplicated by content,
 * fresh value names, and dead-node pruning. Knows nothing about tfjs; the trace backend drives it.
 */
import { AttributeType, DataType, type AttributeProto, type DataTypeCode, type DimProto, type GraphProto, type NodeProto, type TensorProto, type ValueInfoProto } from './schema.js';

/** An attribute value, tagged with its ONNX kind (a JS number alone cannot say int or float). */
export type Attr = { i: number } | { f: number } | { ints: number[] } | { floats: number[] } | { s: string };

export type InitData = Float32Array | Int32Array | BigInt64Array | Uint8Array;

/** One dimension of a declared graph input/output: a size, or a symbolic name such as 'N'. */
export type DeclaredDim = number | string;

function attribute(name: string, a: Attr): AttributeProto {
  if ('i' in a) return { name, type: AttributeType.INT, i: a.i };
  if ('f' in a) return { name, type: AttributeType.FLOAT, f: a.f };
  if ('ints' in a) return { name, type: AttributeType.INTS, ints: a.ints };
  if ('floats' in a) return { name, type: AttributeType.FLOATS, floats: a.floats };
  return { name, type: AttributeType.STRING, s: new TextEncoder().encode(a.s) };
}

/** A NodeProto (for passes that splice nodes in place; OnnxGraph.node appends). */
export function nodeProto(opType: string, inputs: string[], outputs: string[], attrs: Record<string, Attr | undefined> = {}, name?: string): NodeProto {
  const attribute_ = Object.entries(attrs)
    .filter((e): e is [string, Attr] => e[1] !== undefined)
    .map(([k, v]) => attribute(k, v));
  return { opType, input: inputs, output: outputs, name: name ?? outputs[0], ...(attribute_.length ? { attribute: attribute_ } : {}) };
}

/** FNV-1a over the bytes: cheap content key for initializer deduplication (equality is re-checked). */
function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return h >>> 0;
}

function bytesOf(data: InitData): Uint8Array {
  // Typed arrays are in platform byte order; ONNX raw_data is little-endian, as are all targets danflow runs on.
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function valueInfo(name: string, elemType: DataTypeCode, dims: DeclaredDim[]): ValueInfoProto {
  const dim: DimProto[] = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

export class OnnxGraph {
  readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly byContent = new Map<string, TensorProto[]>();
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly used = new Set<string>();
  private readonly counters = new Map<string, number>();

  /** A value name not used before: `${hint}` if free, else `${hint}_2`, `_3`, … (deterministic). */
  fresh(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_.:/-]/g, '_') || 'v';
    let name = base;
    let n = this.counters.get(base) ?? 1;
    while (this.used.has(name)) name = `${base}_${++n}`;
    this.counters.set(base, n);
    this.used.add(name);
    return name;
  }

  addInput(name: string, elemType: DataTypeCode, dims: DeclaredDim[]): string {
    this.used.add(name);
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  /** Declares `value` as the graph output `name` (through an Identity, so names stay independent). */
  addOutput(name: string, value: string, elemType: DataTypeCode, dims: DeclaredDim[]): void {
    this.node('Identity', [value], {}, { outputs: [name] });
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  /** Appends a node; returns its output names (fresh ones derived from the op type unless given). */
  node(opType: string, inputs: string[], attrs: Record<string, Attr | undefined> = {}, opts: { outputs?: string[]; count?: number } = {}): string[] {
    const outputs = opts.outputs ?? Array.from({ length: opts.count ?? 1 }, () => this.fresh(opType));
    for (const o of outputs) this.used.add(o);
    // Node names must be unique (ONNX Runtime checks); value names are, so a node takes its first output's.
    this.nodes.push(nodeProto(opType, inputs, outputs, attrs));
    return outputs;
  }

  /** Shorthand for single-output nodes. */
  op(opType: string, inputs: string[], attrs: Record<string, Attr | undefined> = {}): string {
    return this.node(opType, inputs, attrs)[0];
  }

  /**
   * A constant tensor as an initializer. Identical contents (same type, shape and bytes) share one
   * initializer: tfjs code creates the same scalars and index vectors over and over.
   */
  initializer(data: InitData, dims: number[], dataType: DataTypeCode, hint = 'const'): string {
    const raw = bytesOf(data);
    const key = `${dataType}|${dims.join('x')}|${raw.length}|${fnv1a(raw)}`;
    const same = this.byContent.get(key)?.find((t) => sameBytes(t.rawData, raw));
    if (same) return same.name;
    const t: TensorProto = { name: this.fresh(hint), dims, dataType, rawData: raw.slice() };
    this.initializers.push(t);
    this.byContent.set(key, [...(this.byContent.get(key) ?? []), t]);
    return t.name;
  }

  /** Static shapes of values as the trace knew them (null: the dynamic batch axis); read by passes. */
  readonly shapes = new Map<string, (number | null)[]>();

  /** An initializer by name (optimisation passes read constant operands). */
  getInitializer(name: string): TensorProto | undefined {
    return this.initializers.find((t) => t.name === name);
  }

  /** float32 contents of an initializer, or undefined if `name` is not a float initializer. */
  floatData(name: string): { data: Float32Array; dims: number[] } | undefined {
    const t = this.getInitializer(name);
    if (!t || t.dataType !== DataType.FLOAT) return undefined;
    const copy = t.rawData.slice();
    return { data: new Float32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4), dims: t.dims };
  }

  /** int64 contents of an initializer as numbers. */
  int64Data(name: string): number[] | undefined {
    const t = this.getInitializer(name);
    if (!t || t.dataType !== DataType.INT64) return undefined;
    const copy = t.rawData.slice();
    return Array.from(new BigInt64Array(copy.buffer, copy.byteOffset, copy.byteLength / 8), Number);
  }

  /** Names of graph outputs (a pass must not remove or rename them). */
  outputNames(): Set<string> {
    return new Set(this.outputs.map((o) => o.name));
  }

  int64(values: number[], hint = 'i64'): string {
    return this.initializer(BigInt64Array.from(values.map((v) => BigInt(v))), [values.length], DataType.INT64, hint);
  }

  int64Scalar(value: number, hint = 'i64'): string {
    return this.initializer(BigInt64Array.of(BigInt(value)), [], DataType.INT64, hint);
  }

  floatScalar(value: number, hint = 'f32'): string {
    return this.initializer(Float32Array.of(value), [], DataType.FLOAT, hint);
  }

  /** Drops nodes and initializers that no graph output depends on (tfjs code computes logdets etc. that maps never use). */
  prune(): void {
    const live = new Set(this.outputs.map((o) => o.name));
    const keep: NodeProto[] = [];
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const n = this.nodes[i];
      if (n.output.some((o) => live.has(o))) {
        keep.push(n);
        for (const x of n.input) if (x) live.add(x);
      }
    }
    this.nodes.splice(0, this.nodes.length, ...keep.reverse());
    const inits = this.initializers.filter((t) => live.has(t.name));
    this.initializers.splice(0, this.initializers.length, ...inits);
  }

  toProto(name: string, docString?: string): GraphProto {
    return { name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs, ...(docString ? { docString } : {}) };
  }

  stats(): { nodes: number; initializers: number; parameters: number; ops: Record<string, number> } {
    const ops: Record<string, number> = {};
    for (const n of this.nodes) ops[n.opType] = (ops[n.opType] ?? 0) + 1;
    const parameters = this.initializers.reduce((s, t) => s + t.dims.reduce((a, b) => a * b, 1), 0);
    return { nodes: this.nodes.length, initializers: this.initializers.length, parameters, ops };
  }
}
