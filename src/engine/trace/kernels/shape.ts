/** Kernels that move data without arithmetic: reshapes, slices, gathers, padding, tiling, fills. */
import * as tf from '@tensorflow/tfjs-core';
import type { TraceKernel } from '../backend.js';
import { TraceError, onnxType, type TraceSession, type TraceValue } from '../session.js';
import { axisOf, permutedAxis } from './util.js';

const INT64_MAX = Number.MAX_SAFE_INTEGER; // Slice clamps ends; any bound ≥ the dim means "to the end".

/**
 * Which target axis of a Reshape carries the batch. tfjs resolved the target shape at the trace
 * batch B; the batch lands on the axis whose size is a multiple of B — if several are, the first
 * with the input's factor k. A static size that is a multiple of B only by coincidence is not a
 * multiple of the second sentinel, so the two traces differ and the export fails (export-onnx.ts).
 */
function reshapeBatchAxis(s: TraceSession, x: TraceValue, target: number[]): number {
  if (x.batchAxis < 0) return -1;
  const candidates = target.map((d, i) => i).filter((i) => s.isBatchMultiple(target[i]));
  if (candidates.length === 1) return candidates[0];
  // Prefer the axis that keeps the same factor k (e.g. [N, 1, 1, C] ← [N, C]).
  const k = s.factor(x);
  const same = candidates.filter((i) => target[i] / s.batch === k);
  if (same.length >= 1) return same[0];
  throw new TraceError(`Reshape [${x.shape}] → [${target}]: cannot tell which axis carries the batch`);
}

function reshape(s: TraceSession, x: TraceValue, target: number[]): TraceValue {
  const axis = reshapeBatchAxis(s, x, target);
  // −1 on the batch axis lets ONNX infer k·N; every other size is static.
  const spec = target.map((d, i) => (i === axis ? -1 : d));
  return s.produced(s.graph.op('Reshape', [s.nameOf(x), s.graph.int64(spec, 'shape')]), target, x.dtype, axis);
}

function pads(paddings: [number, number][]): number[] {
  return [...paddings.map((p) => p[0]), ...paddings.map((p) => p[1])];
}

function padKernel(kernelName: string, mode: (attrs: Record<string, unknown>) => string): TraceKernel {
  return {
    kernelName,
    inputs: ['x'],
    emit: (s, [x], attrs) => {
      const paddings = attrs.paddings as [number, number][];
      if (x.batchAxis >= 0 && paddings[x.batchAxis].some((p) => p !== 0)) throw new TraceError(`${kernelName} pads the batch axis`);
      const m = mode(attrs);
      const inputs = [s.nameOf(x), s.graph.int64(pads(paddings), 'pads')];
      if (m === 'constant') inputs.push(s.graph.floatScalar((attrs.constantValue as number) ?? 0));
      const shape = x.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
      return s.produced(s.graph.op('Pad', inputs, { mode: { s: m } }), shape, x.dtype, x.batchAxis);
    },
  };
}

export const shapeKernels: TraceKernel[] = [
  {
    kernelName: 'Reshape',
    inputs: ['x'],
    // tf.reshape hands the kernel the shape as written (−1 included); resolve it as tfjs kernels do.
    emit: (s, [x], attrs) => reshape(s, x, tf.util.inferFromImplicitShape(attrs.shape as number[], tf.util.sizeFromShape(x.shape))),
  },
  {
    kernelName: 'ExpandDims',
    inputs: ['input'],
    emit: (s, [x], attrs) => {
      const rank = x.shape.length + 1;
      const dim = axisOf(attrs.dim as number, rank);
      const shape = [...x.shape.slice(0, dim), 1, ...x.shape.slice(dim)];
      const axis = x.batchAxis < 0 ? -1 : x.batchAxis >= dim ? x.batchAxis + 1 : x.batchAxis;
      return s.produced(s.graph.op('Unsqueeze', [s.nameOf(x), s.graph.int64([dim], 'axes')]), shape, x.dtype, axis);
    },
  },
  {
    kernelName: 'Identity',
    inputs: ['x'],
    fold: false,
    emit: (_s, [x]) => ({ ...x }),
  },
  {
    kernelName: 'Cast',
    inputs: ['x'],
    emit: (s, [x], attrs) => {
      const dtype = attrs.dtype as tf.DataType;
      if (dtype === x.dtype) return { ...x };
      return s.produced(s.graph.op('Cast', [s.nameOf(x)], { to: { i: onnxType(dtype) } }), x.shape, dtype, x.batchAxis);
    },
  },
  {
    kernelName: 'Transpose',
    inputs: ['x'],
    emit: (s, [x], attrs) => {
      const perm = attrs.perm as number[];
      return s.produced(s.graph.op('Transpose', [s.nameOf(x)], { perm: { ints: perm } }), perm.map((p) => x.shape[p]), x.dtype, permutedAxis(x.batchAxis, perm));
    },
  },
  {
    kernelName: 'Slice',
    inputs: ['x'],
    emit: (s, [x], attrs) => {
      const [begin, size] = tf.slice_util.parseSliceParams(x as unknown as tf.TensorInfo, attrs.begin as number[], attrs.size as number[]);
      const starts: number[] = [];
      const ends: number[] = [];
      const axes: number[] = [];
      begin.forEach((b, i) => {
        const full = b === 0 && size[i] === x.shape[i];
        if (full) return;
        if (i === x.batchAxis) throw new TraceError(`Slice along the batch axis ([${x.shape}] from ${b}, size ${size[i]})`);
        starts.push(b);
        ends.push(b + size[i] === x.shape[i] ? INT64_MAX : b + size[i]);
        axes.push(i);
      });
      if (!axes.length) return { ...x };
      const g = s.graph;
      const y = g.op('Slice', [s.nameOf(x), g.int64(starts, 'starts'), g.int64(ends, 'ends'), g.int64(axes, 'axes')]);
      return s.produced(y, size, x.dtype, x.batchAxis);
    },
  },
  {
    kernelName: 'Concat',
    emit: (s, inputs, attrs) => {
      const shapes = inputs.map((v) => v.shape);
      const axis = axisOf(attrs.axis as number, shapes[0].length);
      const nonEmpty = inputs.filter((v) => v.shape[axis] > 0);
      const shape = tf.backend_util.computeOutShape(shapes, axis);
      const batched = nonEmpty.filter((v) => v.batchAxis >= 0);
      if (batched.length && batched.length !== nonEmpty.length) {
        throw new TraceError('Concat of batched and batch-independent tensors (the latter would need an Expand to N first)');
      }
      const batchAxis = batched.length ? batched[0].batchAxis : -1;
      if (nonEmpty.length === 1) return { ...nonEmpty[0], shape };
      return s.produced(s.graph.op('Concat', nonEmpty.map((v) => s.nameOf(v)), { axis: { i: axis } }), shape, inputs[0].dtype, batchAxis);
    },
  },
  {
    kernelName: 'GatherV2',
    inputs: ['x', 'indices'],
    emit: (s, [x, indices], attrs) => {
      if ((attrs.batchDims as number) !== 0) throw new TraceError('GatherV2 with batchDims is not supported');
      if (indices.batchAxis >= 0) throw new TraceError('GatherV2 with batch-dependent indices is not supported');
      const axis = axisOf(attrs.axis as number, x.shape.length);
      if (axis === x.batchAxis) throw new TraceError('GatherV2 along the batch axis');
      const shape = [...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)];
      const batchAxis = x.batchAxis < 0 ? -1 : x.batchAxis < axis ? x.batchAxis : x.batchAxis + indices.shape.length - 1;
      return s.produced(s.graph.op('Gather', [s.nameOf(x), s.nameOf(indices)], { axis: { i: axis } }), shape, x.dtype, batchAxis);
    },
  },
  {
    // tf.unstack: one Gather with a scalar index per slice (it drops the axis, as Unpack does).
    kernelName: 'Unpack',
    inputs: ['value'],
    emit: (s, [x], attrs) => {
      const axis = axisOf(attrs.axis as number, x.shape.length);
      if (axis === x.batchAxis) throw new TraceError('Unpack along the batch axis');
      const shape = x.shape.filter((_, i) => i !== axis);
      const batchAxis = x.batchAxis < 0 ? -1 : x.batchAxis > axis ? x.batchAxis - 1 : x.batchAxis;
      return Array.from({ length: x.shape[axis] }, (_, i) =>
        s.produced(s.graph.op('Gather', [s.nameOf(x), s.graph.int64Scalar(i, 'index')], { axis: { i: axis } }), shape, x.dtype, batchAxis),
      );
    },
  },
  padKernel('PadV2', () => 'constant'),
  padKernel('MirrorPad', (attrs) => {
    // tfjs 'reflect' excludes the edge, like ONNX 'reflect'; 'symmetric' has no ONNX Pad mode.
    if (attrs.mode !== 'reflect') throw new TraceError(`MirrorPad mode '${String(attrs.mode)}' has no ONNX equivalent`);
    return 'reflect';
  }),
  {
    kernelName: 'Tile',
    inputs: ['x'],
    emit: (s, [x], attrs) => {
      const reps = attrs.reps as number[];
      const shape = x.shape.map((d, i) => d * reps[i]);
      // Repeating a size-1 axis k·B times is how tfjs code broadcasts a token to the batch (ViT's cls token).
      let batchAxis = x.batchAxis;
      if (batchAxis < 0) batchAxis = reps.findIndex((r, i) => x.shape[i] === 1 && s.isBatchMultiple(r));
      else if (reps[batchAxis] !== 1) throw new TraceError('Tile repeats the batch axis');
      const repeats = batchAxis >= 0 && x.batchAxis < 0 ? s.shapeTensor(reps, batchAxis) : s.graph.int64(reps, 'repeats');
      return s.produced(s.graph.op('Tile', [s.nameOf(x), repeats]), shape, x.dtype, batchAxis);
    },
  },
  {
    // tf.fill / tf.ones / tf.zeros of a computed shape: a constant, or an Expand to k·N.
    kernelName: 'Fill',
    emit: (s, _inputs, attrs) => {
      const shape = attrs.shape as number[];
      const dtype = (attrs.dtype as tf.DataType) ?? 'float32';
      const n = shape.reduce((a, b) => a * b, 1);
      const batchAxis = shape.findIndex((d) => s.isBatchMultiple(d));
      const one = dtype === 'int32' ? Int32Array.of(attrs.value as number) : Float32Array.of(attrs.value as number);
      if (batchAxis >= 0) return { shape, dtype, batchAxis, constant: one };
      const data = dtype === 'int32' ? new Int32Array(n).fill(attrs.value as number) : new Float32Array(n).fill(attrs.value as number);
      return s.constant(data, shape, dtype);
    },
  },
];
