/**
 * Declarative description of every tensor a model holds: its reference (PyTorch state_dict) name,
 * its shape in the SDK (NHWC-friendly) and in PyTorch, how to convert between the two, whether it
 * trains, and how it is initialised. Random init, save/load and reference import all walk this list,
 * so a checkpoint is checked name by name and shape by shape against what the model expects.
 */
export type Layout =
  /** Same element order, only the shape differs (e.g. (1,C,1,1) → [C]). */
  | 'same'
  /** Conv weight (O,I,kh,kw) → [kh,kw,I,O]. */
  | 'conv'
  /** 1×1 conv weight (O,I,1,1) → matrix [I,O]. */
  | 'conv1x1'
  /** Depthwise conv weight (C,1,kh,kw) → [kh,kw,C,1]. */
  | 'depthwise'
  /** LayerNorm affine (C,H,W) → [H,W,C]. */
  | 'chw'
  /** Linear weight (O,I) → [I,O]. */
  | 'linear';

export type Init =
  | { kind: 'const'; value: number }
  | { kind: 'uniform'; bound: number }
  | { kind: 'uniformRange'; lo: number; hi: number };

export interface ParamSpec {
  key: string;
  shape: number[];
  torchShape: number[];
  layout: Layout;
  trainable: boolean;
  init: Init;
}

/** Source of tensor values by spec, in internal layout (undefined → the spec's initialiser). */
export type TensorSource = (spec: ParamSpec) => Float32Array | undefined;

export function numel(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Same element count and the same shape once size-1 dims are ignored ((1,C,1,1) ~ (C)). */
export function sameShape(a: number[], b: number[]): boolean {
  return numel(a) === numel(b) && a.filter((d) => d !== 1).join(',') === b.filter((d) => d !== 1).join(',');
}

/** Row-major transpose of host data (checkpoint layouts; weights re-laid out for ONNX at export time). */
export function transposeHost(data: Float32Array, shape: number[], perm: number[]): Float32Array {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i];
  }
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  const strideForOut = perm.map((p) => inStrides[p]);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += idx[d] * strideForOut[d];
    out[o] = data[src];
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

const TORCH_TO_INTERNAL: Record<Layout, number[] | null> = {
  same: null,
  conv: [2, 3, 1, 0],
  conv1x1: [1, 0],
  depthwise: [2, 3, 0, 1],
  chw: [1, 2, 0],
  linear: [1, 0],
};

/** PyTorch-layout data (row-major over torchShape) → internal layout. */
export function fromTorchLayout(spec: ParamSpec, data: Float32Array): Float32Array {
  const perm = TORCH_TO_INTERNAL[spec.layout];
  if (!perm) return data;
  // conv1x1 drops the trailing 1×1 dims before transposing.
  const shape = spec.layout === 'conv1x1' ? spec.torchShape.slice(0, 2) : spec.torchShape;
  return transposeHost(data, shape, perm);
}

/** Internal layout → PyTorch layout (the inverse permutation of fromTorchLayout). */
export function toTorchLayout(spec: ParamSpec, data: Float32Array): Float32Array {
  const perm = TORCH_TO_INTERNAL[spec.layout];
  if (!perm) return data;
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return transposeHost(data, spec.shape, inverse);
}
