/** BatchMatMul → ONNX MatMul (both broadcast leading batch dims the NumPy way). */
import * as tf from '@tensorflow/tfjs-core';
import type { TraceKernel } from '../backend.js';
import { TraceError, type TraceSession, type TraceValue } from '../session.js';
import { transposeHost } from '../../../nn/param-spec.js';

interface Operand {
  name: string;
  shape: number[];
  batchAxis: number;
}

function swapLastTwo(rank: number): number[] {
  return [...Array(rank - 2).keys(), rank - 1, rank - 2];
}

/**
 * One MatMul operand. tfjs's transpose flags become a host-side transpose for constants and a
 * Transpose node otherwise. A constant with only leading 1s is handed over as a plain matrix:
 * ONNX Runtime pre-packs 2-D constant right operands once at session start.
 */
function operand(s: TraceSession, v: TraceValue, transpose: boolean, right: boolean): Operand {
  const rank = v.shape.length;
  const perm = transpose ? swapLastTwo(rank) : [...Array(rank).keys()];
  let shape = perm.map((p) => v.shape[p]);
  const batchAxis = v.batchAxis < 0 ? -1 : perm.indexOf(v.batchAxis);
  if (v.constant && v.batchAxis < 0) {
    const data = transpose ? transposeHost(v.constant as Float32Array, v.shape, perm) : v.constant;
    if (right && rank > 2 && shape.slice(0, -2).every((d) => d === 1)) shape = shape.slice(-2);
    return { name: s.constantTensor(data, shape, v.dtype, v.hint), shape, batchAxis };
  }
  const name = transpose ? s.graph.op('Transpose', [s.nameOf(v)], { perm: { ints: perm } }) : s.nameOf(v);
  return { name, shape, batchAxis };
}

function matMul(s: TraceSession, a: TraceValue, b: TraceValue, transposeA: boolean, transposeB: boolean): TraceValue {
  const A = operand(s, a, transposeA, false);
  const B = operand(s, b, transposeB, true);
  const batch = tf.backend_util.assertAndGetBroadcastShape(A.shape.slice(0, -2), B.shape.slice(0, -2));
  const rank = batch.length + 2;
  const shape = [...batch, A.shape[A.shape.length - 2], B.shape[B.shape.length - 1]];
  // The batch may sit in A's rows ([N·HW, C] · W) or in the shared leading dims, never in a contracted axis.
  if (A.batchAxis === A.shape.length - 1 || (B.batchAxis >= 0 && B.batchAxis >= B.shape.length - 2)) {
    throw new TraceError('MatMul contracts over (or lays columns along) the batch axis');
  }
  const axes = [A.batchAxis >= 0 ? A.batchAxis + rank - A.shape.length : -1, B.batchAxis >= 0 ? B.batchAxis + rank - B.shape.length : -1];
  if (axes[0] >= 0 && axes[1] >= 0 && axes[0] !== axes[1]) throw new TraceError('MatMul operands carry the batch on different axes');
  return s.produced(s.graph.op('MatMul', [A.name, B.name]), shape, a.dtype, Math.max(axes[0], axes[1]));
}

export const matMulKernels: TraceKernel[] = [
  {
    kernelName: 'BatchMatMul',
    inputs: ['a', 'b'],
    emit: (s, [a, b], attrs) => matMul(s, a, b, !!attrs.transposeA, !!attrs.transposeB),
  },
];
