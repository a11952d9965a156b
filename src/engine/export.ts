/**
 * exportOnnx: a model's network as ONNX bytes, recorded from its own forward code
 * (Model.mapsAndScores, the function localize runs) by the trace backend — never from a second
 * description of the architecture.
 *
 * The graph is traced twice, at two sentinel batch sizes, and the two serialisations must be
 * identical: any shape, constant or loop that silently depended on the batch would differ. That
 * makes "the batch is dynamic" a checked property of every export.
 */
import * as tf from '@tensorflow/tfjs-core';
import { VERSION } from '../core/version.js';
import { describeRule } from '../methods/image-score.js';
import type { Model } from '../methods/model.js';
import { optimizeForOrt } from './onnx/optimize.js';
import { encodeModel, type ModelProto } from './onnx/schema.js';
import { INPUT_NAME, IR_VERSION, OPSET, OUTPUT_MAP, OUTPUT_SCORE } from './contract.js';
import { TraceError } from './trace/session.js';
import { serialised, traceToOnnx, type TracedFunction, type TracedGraph } from './trace/trace.js';

/** Two primes no model dimension is a multiple of (see trace/session.ts). */
const SENTINELS = [97, 89];

export interface ExportOptions {
  /** Smoothing of the maps the `score` output is computed from. */
  scoreSigma: number;
  /** Smoothing of the `anomaly_map` output: 0 (the raw map) in exported files. */
  mapSigma: number;
  /** Extra metadata_props (thresholds and the like, which the model itself does not know). */
  metadata?: Record<string, string>;
  /** Graph rewrites for ONNX Runtime (see onnx/optimize.ts). Default true. */
  optimize?: boolean;
}

export interface ExportResult {
  bytes: Uint8Array;
  stats: ReturnType<TracedGraph['graph']['stats']>;
}

/** The contract as tfjs code: NCHW [0, 1] in, the model's own maps and scores out. */
function contractGraph(model: Model, scoreSigma: number, mapSigma: number): TracedFunction {
  return (image) => {
    const nhwc = tf.transpose(image, [0, 2, 3, 1]) as tf.Tensor4D;
    const { maps, scores } = model.mapsAndScores(nhwc, scoreSigma, { mapSigma, range: 1 });
    return { [OUTPUT_MAP]: tf.expandDims(maps, 1), [OUTPUT_SCORE]: scores };
  };
}

/** State-dict keys of the parameters by tfjs dataId, so initializers carry recognisable names. */
function paramNames(model: Model): Map<object, string> {
  return new Map(model.params.keys().map((k) => [model.params.get(k).dataId as object, k]));
}

function modelProto(model: Model, graph: TracedGraph['graph'], o: ExportOptions): ModelProto {
  const s = model.config.inputSize;
  const meta: Record<string, string> = {
    'danflow.sdk_version': VERSION,
    'danflow.config': JSON.stringify(model.config),
    'danflow.image_score': JSON.stringify(model.imageScoreRule),
    'danflow.image_score_description': describeRule(model.imageScoreRule),
    'danflow.score_sigma': String(o.scoreSigma),
    'danflow.map_sigma': String(o.mapSigma),
    'danflow.input': `${INPUT_NAME}: float32 [N, 3, ${s}, ${s}], RGB in [0, 1]`,
    ...o.metadata,
  };
  return {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'danflow',
    producerVersion: VERSION,
    graph: graph.toProto('danflow', `danflow detector (${model.config.method ?? 'danflow'}), traced from the tfjs model`),
    metadataProps: Object.entries(meta).map(([key, value]) => ({ key, value })),
  };
}

function sameBytes(x: Uint8Array, y: Uint8Array): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function firstDifference(a: TracedGraph, b: TracedGraph): string {
  const na = a.graph.nodes;
  const nb = b.graph.nodes;
  for (let i = 0; i < Math.max(na.length, nb.length); i++) {
    if (JSON.stringify(na[i]) !== JSON.stringify(nb[i])) return `node ${i} (${na[i]?.opType ?? '–'} vs ${nb[i]?.opType ?? '–'}) differs between traces at two batch sizes`;
  }
  return 'an initializer differs between traces at two batch sizes (a constant whose size is the batch)';
}

/**
 * Traces `fn` at both sentinel batch sizes and returns the bytes when they agree. Serialised per
 * process: tfjs's backend switch is global (see trace/trace.ts).
 */
export function exportTraced(fn: TracedFunction, inputShape: number[], toModel: (graph: TracedGraph['graph']) => ModelProto, options: { optimize?: boolean; paramNames?: Map<object, string> } = {}): Promise<ExportResult> {
  return serialised(async () => {
    const runs: { bytes: Uint8Array; traced: TracedGraph }[] = [];
    for (const traceBatch of SENTINELS) {
      const traced = traceToOnnx(fn, [{ name: INPUT_NAME, shape: inputShape }], { traceBatch, paramNames: options.paramNames });
      if (options.optimize !== false) optimizeForOrt(traced.graph);
      runs.push({ traced, bytes: encodeModel(toModel(traced.graph)) });
    }
    const [a, b] = runs;
    if (!sameBytes(a.bytes, b.bytes)) throw new TraceError(`the graph depends on the batch size: ${firstDifference(a.traced, b.traced)}`);
    return { bytes: a.bytes, stats: a.traced.graph.stats() };
  });
}

/** The model's network under the graph contract (engine/contract.ts), as ONNX bytes. */
export function exportOnnx(model: Model, options: ExportOptions): Promise<ExportResult> {
  const s = model.config.inputSize;
  return exportTraced(contractGraph(model, options.scoreSigma, options.mapSigma), [0, 3, s, s], (graph) => modelProto(model, graph, options), {
    optimize: options.optimize,
    paramNames: paramNames(model),
  });
}
