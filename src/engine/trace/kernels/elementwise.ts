/** Elementwise kernels: tfjs and ONNX broadcast the same way (NumPy rules), so most map one to one. */
import * as tf from '@tensorflow/tfjs-core';
import type { TraceKernel } from '../backend.js';
import type { TraceSession, TraceValue } from '../session.js';
import { broadcastBatchAxis } from './util.js';

function binaryShape(inputs: TraceValue[]): number[] {
  return inputs.slice(1).reduce((shape, v) => tf.backend_util.assertAndGetBroadcastShape(shape, v.shape), inputs[0].shape);
}

function binary(kernelName: string, build: (s: TraceSession, a: string, b: string) => string, dtype?: tf.DataType): TraceKernel {
  return {
    kernelName,
    inputs: ['a', 'b'],
    emit: (s, [a, b]) => {
      const shape = binaryShape([a, b]);
      const axis = broadcastBatchAxis([a, b], shape.length, kernelName);
      return s.produced(build(s, s.nameOf(a), s.nameOf(b)), shape, dtype ?? a.dtype, axis);
    },
  };
}

function unary(kernelName: string, build: (s: TraceSession, x: string, attrs: Record<string, unknown>) => string): TraceKernel {
  return {
    kernelName,
    inputs: ['x'],
    emit: (s, [x], attrs) => s.produced(build(s, s.nameOf(x), attrs), x.shape, x.dtype, x.batchAxis),
  };
}

const simple = (op: string) => (s: TraceSession, x: string) => s.graph.op(op, [x]);

export const elementwiseKernels: TraceKernel[] = [
  binary('Add', (s, a, b) => s.graph.op('Add', [a, b])),
  binary('Sub', (s, a, b) => s.graph.op('Sub', [a, b])),
  binary('Multiply', (s, a, b) => s.graph.op('Mul', [a, b])),
  binary('RealDiv', (s, a, b) => s.graph.op('Div', [a, b])),
  binary('Maximum', (s, a, b) => s.graph.op('Max', [a, b])),
  binary('Minimum', (s, a, b) => s.graph.op('Min', [a, b])),
  binary('Pow', (s, a, b) => s.graph.op('Pow', [a, b])),
  binary('SquaredDifference', (s, a, b) => {
    const d = s.graph.op('Sub', [a, b]);
    return s.graph.op('Mul', [d, d]);
  }),
  binary('Greater', (s, a, b) => s.graph.op('Greater', [a, b]), 'bool'),
  binary('Less', (s, a, b) => s.graph.op('Less', [a, b]), 'bool'),
  unary('Neg', simple('Neg')),
  unary('Exp', simple('Exp')),
  unary('Log', simple('Log')),
  unary('Tanh', simple('Tanh')),
  unary('Sigmoid', simple('Sigmoid')),
  unary('Relu', simple('Relu')),
  unary('Sqrt', simple('Sqrt')),
  unary('Abs', simple('Abs')),
  unary('Erf', simple('Erf')),
  unary('Reciprocal', simple('Reciprocal')),
  unary('Softplus', simple('Softplus')),
  unary('Rsqrt', (s, x) => s.graph.op('Reciprocal', [s.graph.op('Sqrt', [x])])),
  // x·x, not Pow(x, 2): exact like tfjs's Square and cheaper.
  unary('Square', (s, x) => s.graph.op('Mul', [x, x])),
  // Clip takes its bounds as inputs since opset 11.
  unary('Relu6', (s, x) => s.graph.op('Clip', [x, s.graph.floatScalar(0), s.graph.floatScalar(6)])),
  unary('LeakyRelu', (s, x, attrs) => s.graph.op('LeakyRelu', [x], { alpha: { f: attrs.alpha as number } })),
  unary('Elu', simple('Elu')),
  {
    kernelName: 'AddN',
    emit: (s, inputs) => {
      const shape = binaryShape(inputs);
      const axis = broadcastBatchAxis(inputs, shape.length, 'AddN');
      const names = inputs.map((v) => s.nameOf(v));
      return s.produced(names.length === 1 ? names[0] : s.graph.op('Sum', names), shape, inputs[0].dtype, axis);
    },
  },
];
