import { TraceError, type TraceSession, type TraceValue } from '../session.js';

/** Output batch axis of a broadcasting op: inputs are right-aligned, as in tfjs and ONNX. */
export function broadcastBatchAxis(inputs: TraceValue[], outRank: number, op: string): number {
  let axis = -1;
  for (const v of inputs) {
    const offset = outRank - v.shape.length;
    if (v.batchAxis >= 0) {
      const a = v.batchAxis + offset;
      if (axis >= 0 && axis !== a) throw new TraceError(`${op}: inputs carry the batch on different axes (${axis} vs ${a})`);
      axis = a;
    }
  }
  // A constant whose size along the batch axis equals the trace batch would silently fix N.
  if (axis >= 0) {
    for (const v of inputs) {
      const a = axis - (outRank - v.shape.length);
      if (v.batchAxis < 0 && a >= 0 && v.shape[a] !== 1) throw new TraceError(`${op}: a batch-independent input of shape [${v.shape}] meets the batch axis with size ${v.shape[a]}`);
    }
  }
  return axis;
}

/** Normalises a possibly negative axis. */
export function axisOf(axis: number, rank: number): number {
  return axis < 0 ? axis + rank : axis;
}

/** Row-major transpose of host data (weights re-laid out for ONNX at export time). */
export function transposeHost<T extends Float32Array | Int32Array | Uint8Array>(data: T, shape: number[], perm: number[]): T {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const strides = new Array<number>(rank);
  let acc = 1;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = acc;
    acc *= shape[i];
  }
  const permStrides = perm.map((p) => strides[p]);
  const out = new (data.constructor as { new (n: number): T })(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += idx[d] * permStrides[d];
    out[o] = data[src];
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

export const NHWC_TO_NCHW = [0, 3, 1, 2];
export const NCHW_TO_NHWC = [0, 2, 3, 1];

/** Batch axis after a transpose. */
export function permutedAxis(axis: number, perm: number[]): number {
  return axis < 0 ? -1 : perm.indexOf(axis);
}

/**
 * Wraps a channels-first ONNX op (Conv, pools) for a channels-last tfjs tensor: Transpose in,
 * op, Transpose out. ONNX Runtime's transpose optimizer cancels the pairs between consecutive
 * convolutions and pushes them through elementwise ops (measured in FINDINGS.md).
 */
export function viaNchw(s: TraceSession, x: TraceValue, run: (nchw: string) => string): string {
  const inT = s.graph.op('Transpose', [s.nameOf(x)], { perm: { ints: NHWC_TO_NCHW } });
  return s.graph.op('Transpose', [run(inT)], { perm: { ints: NCHW_TO_NHWC } });
}
