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
