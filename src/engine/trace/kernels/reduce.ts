/** Reductions and softmax. */
import * as tf from '@tensorflow/tfjs-core';
import type { TraceKernel } from '../backend.js';
import { DataType } from '../../onnx/schema.js';
import { TraceError } from '../session.js';
import { axisOf } from './util.js';

function reduce(kernelName: string, onnxOp: string): TraceKernel {
  return {
    kernelName,
    inputs: ['x'],
    emit: (s, [x], attrs) => {
      // Max names its axes `reductionIndices`; the other reductions `axis`.
      const axes = tf.util.parseAxisParam((attrs.axis ?? attrs.reductionIndices) as number | number[], x.shape);
      const keepDims = !!attrs.keepDims;
      const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
      const shape = keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
      // A reduction over the batch axis mixes images: legal, but the result no longer has one.
      let batchAxis = -1;
      if (x.batchAxis >= 0 && !axes.includes(x.batchAxis)) batchAxis = keepDims ? x.batchAxis : x.batchAxis - axes.filter((a) => a < x.batchAxis).length;
      // Opset 13+: ReduceSum takes axes as an input; the others still as an attribute until opset 18.
      const y =
        onnxOp === 'ReduceSum'
          ? s.graph.op('ReduceSum', [s.nameOf(x), s.graph.int64(axes, 'axes')], { keepdims: { i: keepDims ? 1 : 0 } })
          : s.graph.op(onnxOp, [s.nameOf(x)], { axes: { ints: axes }, keepdims: { i: keepDims ? 1 : 0 } });
      return s.produced(y, shape, x.dtype, batchAxis);
    },
  };
}

export const reduceKernels: TraceKernel[] = [
  reduce('Sum', 'ReduceSum'),
  reduce('Mean', 'ReduceMean'),
  reduce('Max', 'ReduceMax'),
  reduce('Min', 'ReduceMin'),
  reduce('Prod', 'ReduceProd'),
  {
    // tf.topk (the 'top fraction' image score): ONNX TopK over the last axis; its int64 indices
    // become tfjs's int32 (and are pruned when, as in danflow, only the values are used).
    kernelName: 'TopK',
    inputs: ['x'],
    emit: (s, [x], attrs) => {
      const k = attrs.k as number;
      const axis = x.shape.length - 1;
      if (axis === x.batchAxis) throw new TraceError('TopK along the batch axis');
      const shape = [...x.shape.slice(0, -1), k];
      const [values, indices] = s.graph.node('TopK', [s.nameOf(x), s.graph.int64([k], 'k')], { axis: { i: axis }, largest: { i: 1 }, sorted: { i: attrs.sorted === false ? 0 : 1 } }, { count: 2 });
      const int32 = s.graph.op('Cast', [indices], { to: { i: DataType.INT32 } });
      return [s.produced(values, shape, x.dtype, x.batchAxis), s.produced(int32, shape, 'int32', x.batchAxis)];
    },
  },
  {
    kernelName: 'Softmax',
    inputs: ['logits'],
    emit: (s, [x], attrs) => {
      const axis = axisOf(attrs.dim as number, x.shape.length);
      if (axis === x.batchAxis) throw new TraceError('Softmax over the batch axis');
      return s.produced(s.graph.op('Softmax', [s.nameOf(x)], { axis: { i: axis } }), x.shape, x.dtype, x.batchAxis);
    },
  },
];
