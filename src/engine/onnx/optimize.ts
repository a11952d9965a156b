/**
 * Architecture-agnostic rewrites of a recorded graph, for ONNX Runtime's sake. They change how an
 * operation is expressed, never what it computes; every one is covered by the parity checks.
 *
 * pointwiseAsConv: tfjs code writes a 1×1 convolution as Reshape([-1, C]) → MatMul(W) →
 * Reshape([-1, H, W, O]) (the fastest form on tfjs backends). Expressed as a channels-first Conv
 * instead, ONNX Runtime's layout transformer keeps the whole chain of convolutions in its blocked
 * NCHWc layout and fuses the BatchNorm Mul/Add and Clip that follow into the convolution — as it
 * does for a graph exported from PyTorch.
 */
import { DataType, type NodeProto } from './schema.js';
import { nodeProto, type OnnxGraph } from './graph.js';

const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];

function consumers(graph: OnnxGraph): Map<string, NodeProto[]> {
  const m = new Map<string, NodeProto[]>();
  for (const n of graph.nodes) for (const i of n.input) m.set(i, [...(m.get(i) ?? []), n]);
  return m;
}

function onlyConsumer(uses: Map<string, NodeProto[]>, value: string, outputs: Set<string>): NodeProto | undefined {
  const u = uses.get(value);
  return u?.length === 1 && !outputs.has(value) ? u[0] : undefined;
}

export function pointwiseAsConv(graph: OnnxGraph): number {
  const uses = consumers(graph);
  const outputs = graph.outputNames();
  const replace = new Map<NodeProto, NodeProto[]>();
  const drop = new Set<NodeProto>();
  let count = 0;
  for (const flatten of graph.nodes) {
    if (flatten.opType !== 'Reshape') continue;
    const flatShape = graph.int64Data(flatten.input[1]);
    if (!flatShape || flatShape.length !== 2 || flatShape[0] !== -1) continue;
    const mm = onlyConsumer(uses, flatten.output[0], outputs);
    if (mm?.opType !== 'MatMul' || mm.input[0] !== flatten.output[0]) continue;
    const w = graph.floatData(mm.input[1]);
    if (!w || w.dims.length !== 2) continue;
    const unflatten = onlyConsumer(uses, mm.output[0], outputs);
    if (unflatten?.opType !== 'Reshape') continue;
    const outShape = graph.int64Data(unflatten.input[1]);
    const [cin, cout] = w.dims;
    if (!outShape || outShape.length !== 4 || outShape[0] !== -1 || outShape[3] !== cout || flatShape[1] !== cin) continue;
    // Only a true 1×1 conv: the flattened input is [N, H, W, C] with the H, W the result is given.
    const xShape = graph.shapes.get(flatten.input[0]);
    if (!xShape || xShape.length !== 4 || xShape[0] !== null || xShape[1] !== outShape[1] || xShape[2] !== outShape[2] || xShape[3] !== cin) continue;
    const weight = new Float32Array(cin * cout);
    for (let i = 0; i < cin; i++) for (let o = 0; o < cout; o++) weight[o * cin + i] = w.data[i * cout + o];
    const wName = graph.initializer(weight, [cout, cin, 1, 1], DataType.FLOAT, `${mm.input[1]}.conv`);
    const inT = graph.fresh('Transpose');
    const conv = graph.fresh('Conv');
    const nodes = [
      nodeProto('Transpose', [flatten.input[0]], [inT], { perm: { ints: NHWC_TO_NCHW } }),
      nodeProto('Conv', [inT, wName], [conv], { kernel_shape: { ints: [1, 1] } }),
      nodeProto('Transpose', [conv], [unflatten.output[0]], { perm: { ints: NCHW_TO_NHWC } }),
    ];
    replace.set(flatten, nodes);
    drop.add(mm).add(unflatten);
    count++;
  }
  const rewritten = graph.nodes.flatMap((n) => replace.get(n) ?? (drop.has(n) ? [] : [n]));
  graph.nodes.splice(0, graph.nodes.length, ...rewritten);
  graph.prune();
  return count;
}

/**
 * channelGatherAsNchw: a channel permutation of an NHWC tensor (Gather on axis 3) copies one float
 * at a time in ONNX Runtime (10 % of the resnet18 run). Written as Transpose → Gather(axis 1) →
 * Transpose it copies whole H×W planes, and the transposes cancel against the channels-first
 * convolutions around it.
 */
export function channelGatherAsNchw(graph: OnnxGraph): number {
  let count = 0;
  const rewritten = graph.nodes.flatMap((n) => {
    const axis = n.attribute?.find((a) => a.name === 'axis')?.i;
    const shape = graph.shapes.get(n.input[0]);
    const indices = graph.getInitializer(n.input[1]);
    if (n.opType !== 'Gather' || axis !== 3 || shape?.length !== 4 || !indices || indices.dims.length !== 1) return [n];
    count++;
    const inT = graph.fresh('Transpose');
    const gathered = graph.fresh('Gather');
    return [
      nodeProto('Transpose', [n.input[0]], [inT], { perm: { ints: NHWC_TO_NCHW } }),
      nodeProto('Gather', [inT, n.input[1]], [gathered], { axis: { i: 1 } }),
      nodeProto('Transpose', [gathered], n.output, { perm: { ints: NCHW_TO_NHWC } }),
    ];
  });
  graph.nodes.splice(0, graph.nodes.length, ...rewritten);
  return count;
}

/** Every rewrite, in order. */
export function optimizeForOrt(graph: OnnxGraph): void {
  pointwiseAsConv(graph);
  channelGatherAsNchw(graph);
}
