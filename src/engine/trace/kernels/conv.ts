/**
 * Convolutions and pooling. tfjs is channels-last, ONNX Conv/Pool are channels-first: each op is
 * wrapped in a Transpose pair (see viaNchw) and its weights are re-laid out once, at export time.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { TraceKernel } from '../backend.js';
import { TraceError, type TraceSession, type TraceValue } from '../session.js';
import { transposeHost } from '../../../nn/param-spec.js';
import { viaNchw } from './util.js';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

interface ConvAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat?: 'NHWC' | 'NCHW';
  dilations: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function onnxPads(info: { padInfo: { top: number; left: number; bottom: number; right: number } }): number[] {
  const p = info.padInfo;
  return [p.top, p.left, p.bottom, p.right];
}

function checkNhwc(kernel: string, x: TraceValue, attrs: ConvAttrs): void {
  if (attrs.dataFormat === 'NCHW') throw new TraceError(`${kernel} with dataFormat NCHW is not supported`);
  if (x.batchAxis > 0) throw new TraceError(`${kernel}: the batch must be axis 0`);
}

/** [kh, kw, I, O] (tfjs) → [O, I, kh, kw] (ONNX): on the host for constants, else a Transpose node. */
function convWeight(s: TraceSession, w: TraceValue, perm: number[], onnxShape: number[]): string {
  if (w.constant) return s.constantTensor(transposeHost(w.constant as Float32Array, w.shape, perm), onnxShape, 'float32', w.hint);
  const t = s.graph.op('Transpose', [s.nameOf(w)], { perm: { ints: perm } });
  return s.graph.op('Reshape', [t, s.graph.int64(onnxShape, 'shape')]);
}

function conv(kernelName: string, depthwise: boolean): TraceKernel {
  return {
    kernelName,
    inputs: ['x', 'filter'],
    emit: (s, [x, filter], raw) => {
      const attrs = raw as unknown as ConvAttrs;
      checkNhwc(kernelName, x, attrs);
      const dilations = attrs.dilations ?? 1;
      const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filter.shape as [number, number, number, number], attrs.strides, dilations, attrs.pad, attrs.dimRoundingMode, depthwise);
      const [kh, kw, cin, m] = filter.shape;
      // Depthwise: output channel c·m + q is group c's q-th filter, i.e. ONNX Conv with group = C.
      const weight = depthwise ? convWeight(s, filter, [2, 3, 0, 1], [cin * m, 1, kh, kw]) : convWeight(s, filter, [3, 2, 0, 1], [m, cin, kh, kw]);
      const y = viaNchw(s, x, (nchw) =>
        s.graph.op('Conv', [nchw, weight], {
          kernel_shape: { ints: [kh, kw] },
          strides: { ints: [info.strideHeight, info.strideWidth] },
          dilations: { ints: [info.dilationHeight, info.dilationWidth] },
          pads: { ints: onnxPads(info) },
          group: { i: depthwise ? cin : 1 },
        }),
      );
      return s.produced(y, info.outShape, 'float32', x.batchAxis);
    },
  };
}

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function pool(kernelName: string, onnxOp: 'MaxPool' | 'AveragePool'): TraceKernel {
  return {
    kernelName,
    inputs: ['x'],
    emit: (s, [x], raw) => {
      const attrs = raw as unknown as PoolAttrs;
      checkNhwc(kernelName, x, {} as ConvAttrs);
      const info = tf.backend_util.computePool2DInfo(x.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
      const y = viaNchw(s, x, (nchw) =>
        s.graph.op(onnxOp, [nchw], {
          kernel_shape: { ints: [info.filterHeight, info.filterWidth] },
          strides: { ints: [info.strideHeight, info.strideWidth] },
          pads: { ints: onnxPads(info) },
          // tfjs's 'same' average divides by the in-image count only; explicit zero padding (tf.pad
          // before a 'valid' pool, as PatchCore does) is ordinary input and is counted either way.
          ...(onnxOp === 'AveragePool' ? { count_include_pad: { i: 0 } } : {}),
        }),
      );
      return s.produced(y, info.outShape, x.dtype, x.batchAxis);
    },
  };
}

export const convKernels: TraceKernel[] = [conv('Conv2D', false), conv('DepthwiseConv2dNative', true), pool('MaxPool', 'MaxPool'), pool('AvgPool', 'AveragePool')];

