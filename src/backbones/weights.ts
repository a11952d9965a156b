import { backboneLabel, resolvePretrained, type BackboneChoice, type WeightsSpec } from './config.js';
import { isNode } from '../core/env.js';
import { DanflowError } from '../core/errors.js';
import { resolveWeightSource } from '../io/hub.js';
import { loadWeightBytes, type LoadWeightBytesOptions } from '../io/load-bytes.js';
import { readSafetensors } from '../io/safetensors.js';
import { stripWrapperPrefixes } from '../io/state-dict.js';
import { fromTorchLayout, sameShape, type ParamSpec, type TensorSource } from '../nn/param-spec.js';
import { MobileNetV2Backbone, preprocessingFor } from './mobilenetv2.js';
import { backboneWeightsFormat, createBackbone } from './registry.js';
import { BACKBONE_PREFIX } from './types.js';

/** What a backbone's weights depend on: the architecture and where the weights come from. */
export interface BackboneWeightsConfig {
  backbone: BackboneChoice;
  /** The resolved spec: 'random', 'bytes' (given as bytes, not stored), a path, URL or hf: id. */
  weights: string;
}
import { isGraphModel, kerasWeightKey, parseTfjsModelJson, readTfjsWeights, resolveShardLocation, topologyLayerClasses, type TfjsModelJson, type TfjsTensor } from './tfjs-model.js';
import { nodeFs } from '../io/node-modules.js';

function backboneSpecs(config: BackboneWeightsConfig): ParamSpec[] {
  return createBackbone(config.backbone).specs(BACKBONE_PREFIX);
}

function looksLikeJson(bytes: Uint8Array): boolean {
  for (let i = 0; i < Math.min(bytes.length, 64); i++) {
    const c = bytes[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0xef || c === 0xbb || c === 0xbf) continue;
    return c === 0x7b; // '{'
  }
  return false;
}

function shapeHint(spec: ParamSpec): string {
  if (spec.key.endsWith('pos_embed')) return ' The position embeddings fix the input size: use the checkpoint made for this backbone (e.g. the _384 DeiT at inputSize 384).';
  return '';
}

/**
 * Backbone tensors from a timm/torchvision checkpoint in safetensors (keys like `conv1.weight`,
 * `layer1.0.bn1.*`, `blocks.0.attn.qkv.weight`; also accepts keys prefixed with `feature_extractor.`,
 * i.e. a danflow model file). Tensors the feature path does not use — classifier heads (`fc`,
 * `head`, `head_dist`), DeiT blocks 4…11, CaiT's class-attention blocks — are ignored.
 *
 * Names and shapes are checked up front from the header; tensor data is decoded lazily, one tensor
 * at a time when the model asks for it, so a large checkpoint (cait_m48_448: 1.4 GB) is never
 * copied or held twice.
 */
export function backboneSourceFromCheckpoint(config: BackboneWeightsConfig, bytes: Uint8Array): TensorSource {
  if (looksLikeJson(bytes)) {
    throw new DanflowError(
      'BAD_ARGUMENT',
      backboneWeightsFormat(config.backbone) === 'tfjs'
        ? 'These bytes are a TF.js model.json; its weight shards are files next to it, so pass the model.json path or URL (not its bytes) as `weights`.'
        : `The weights are JSON, not a safetensors checkpoint of ${backboneLabel(config.backbone)}.`,
    );
  }
  const specs = backboneSpecs(config);
  const file = readSafetensors(bytes);
  const originals = new Map<string, string>();
  for (const k of file.keys()) {
    const key = stripWrapperPrefixes(k);
    originals.set(key.startsWith(BACKBONE_PREFIX) ? key : BACKBONE_PREFIX + key, k);
  }
  const what = `the ${backboneLabel(config.backbone)} weights`;
  if (!specs.some((s) => originals.has(s.key))) {
    const example = specs[0]?.key.slice(BACKBONE_PREFIX.length) ?? '';
    throw new DanflowError('WEIGHTS_MISMATCH', `The weights file has none of the ${backboneLabel(config.backbone)} tensors (expected e.g. "${example}"); is it a checkpoint of another architecture?`);
  }
  for (const spec of specs) {
    const original = originals.get(spec.key);
    const name = spec.key.slice(BACKBONE_PREFIX.length);
    if (original === undefined) {
      throw new DanflowError('WEIGHTS_MISMATCH', `${what} have no tensor "${name}" (expected shape [${spec.torchShape.join(', ')}]); is it a checkpoint of another architecture?`);
    }
    const info = file.info(original);
    if (!sameShape(info.shape, spec.torchShape)) {
      throw new DanflowError('WEIGHTS_MISMATCH', `${what}: tensor "${name}" has shape [${info.shape.join(', ')}] but ${backboneLabel(config.backbone)} expects [${spec.torchShape.join(', ')}].${shapeHint(spec)}`);
    }
  }
  return (spec) => {
    const original = spec.key.startsWith(BACKBONE_PREFIX) ? originals.get(spec.key) : undefined;
    return original === undefined ? undefined : fromTorchLayout(spec, file.get(original).data);
  };
}

const KNOWN_ALPHAS = [0.35, 0.5, 0.75, 1.0, 1.3, 1.4];

/** Which MobileNetV2 width the weights have, if any standard one fits every needed tensor. */
function guessAlpha(tensors: Map<string, TfjsTensor>, layers: string[]): number | undefined {
  for (const alpha of KNOWN_ALPHAS) {
    const specs = new MobileNetV2Backbone({ name: 'probe', alpha, layers, preprocessing: preprocessingFor('tf') }).specs('');
    if (specs.every((s) => tensors.has(s.key) && sameShape(tensors.get(s.key)!.shape, s.shape))) return alpha;
  }
  return undefined;
}

/**
 * Backbone tensors of a Keras MobileNetV2 (`mobilenetv2` preset or `{ type: 'tfjs' }`) from a TF.js
 * layers model: the parsed model.json and the bytes of its shards (`shards[g][i]` = path i of
 * weights group g). Extra weights (later blocks, a classifier head) are ignored.
 */
export function backboneSourceFromTfjs(config: BackboneWeightsConfig, model: TfjsModelJson, shards: Uint8Array[][]): TensorSource {
  const backbone = config.backbone;
  const label = backboneLabel(backbone);
  if (backboneWeightsFormat(backbone) !== 'tfjs') {
    throw new DanflowError('BAD_ARGUMENT', `${label} reads PyTorch/timm safetensors weights, not a TF.js model.json.`);
  }
  if (isGraphModel(model)) {
    throw new DanflowError(
      'UNSUPPORTED',
      'This model.json is a TF.js GraphModel (a converted TensorFlow graph). The SDK runs Keras MobileNetV2 *layers* models only ' +
        '(tf.keras model saved with tensorflowjs_converter --output_format tfjs_layers_model, or a Teachable Machine image model).',
    );
  }
  const specs = backboneSpecs(config);
  const tensors = new Map<string, TfjsTensor>();
  for (const [name, t] of readTfjsWeights(model, shards)) {
    const key = kerasWeightKey(name);
    if (!tensors.has(key)) tensors.set(key, t);
  }
  const local = (s: ParamSpec) => s.key.slice(BACKBONE_PREFIX.length);
  if (!specs.some((s) => tensors.has(local(s)))) {
    const classes = [...new Set(topologyLayerClasses(model.modelTopology))].slice(0, 8).join(', ');
    throw new DanflowError(
      'UNSUPPORTED',
      `This TF.js model is not a Keras MobileNetV2 (no weights named like "Conv1/kernel" or "block_1_expand/kernel"; found e.g. ${[...tensors.keys()].slice(0, 3).join(', ') || 'none'}` +
        `${classes ? `; layer classes ${classes}` : ''}). Custom TF.js backbones are supported for the MobileNetV2 topology only; ` +
        'other LayersModel/GraphModel graphs would need @tensorflow/tfjs-layers/-converter, which the SDK does not bundle.',
    );
  }
  const { layers, alpha } = createBackbone(backbone) as MobileNetV2Backbone;
  const values = new Map<string, Float32Array>();
  for (const spec of specs) {
    const t = tensors.get(local(spec));
    if (!t || !sameShape(t.shape, spec.shape)) {
      const guess = guessAlpha(tensors, layers);
      const fix =
        guess !== undefined && guess !== alpha
          ? ` These are MobileNetV2 α = ${guess} weights; use backbone { type: 'tfjs', model, alpha: ${guess}, layers: [${layers.map((l) => `'${l}'`).join(', ')}] }.`
          : '';
      throw new DanflowError(
        'WEIGHTS_MISMATCH',
        t
          ? `The TF.js weights of ${label}: "${local(spec).replace('.', '/')}" has shape [${t.shape.join(', ')}] but MobileNetV2 α = ${alpha} expects [${spec.shape.join(', ')}].${fix}`
          : `The TF.js model has no weight "${local(spec).replace('.', '/')}" (needed by ${label}); is it a MobileNetV2?${fix}`,
      );
    }
    values.set(spec.key, t.data);
  }
  return (spec) => values.get(spec.key);
}

async function isLocalDirectory(path: string): Promise<boolean> {
  if (!isNode) return false;
  try {
    const fs = await nodeFs();
    return (await fs.stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A TF.js layers model from its model.json location (local path or its directory, URL, `hf:` id):
 * reads the JSON, then each weight shard from beside it.
 */
export async function loadTfjsModelFiles(location: string, opts: LoadWeightBytesOptions = {}): Promise<{ model: TfjsModelJson; shards: Uint8Array[][]; location: string }> {
  let loc = location;
  const source = resolveWeightSource(loc);
  if (source.kind === 'file' && (await isLocalDirectory(source.path))) loc = `${source.path.replace(/[\\/]+$/, '')}/model.json`;
  const model = parseTfjsModelJson(await loadWeightBytes(loc, opts));
  const shardOpts: LoadWeightBytesOptions = { onProgress: opts.onProgress, signal: opts.signal };
  const shards: Uint8Array[][] = [];
  for (const group of model.weightsManifest) {
    const parts: Uint8Array[] = [];
    for (const p of group.paths) parts.push(await loadWeightBytes(resolveShardLocation(loc, p), shardOpts));
    shards.push(parts);
  }
  return { model, shards, location: loc };
}

/**
 * The detector's single entry for backbone weights: seeded random (`'random'`), a safetensors
 * checkpoint (bytes, path, URL, `hf:` id) or, for `mobilenetv2` / `{ type: 'tfjs' }`, a TF.js
 * model.json (path, its directory, URL or `hf:` id; shards are read from beside it). `weights`
 * undefined means the config's own (`config.weights`, which for `{ type: 'tfjs' }` defaults to its `model`).
 */
export async function loadBackboneSource(config: BackboneWeightsConfig, weights: WeightsSpec | undefined, opts: LoadWeightBytesOptions = {}): Promise<TensorSource> {
  const w = resolvePretrained(config.backbone, weights ?? config.weights);
  if (w === 'random') return () => undefined;
  if (w === 'bytes') {
    throw new DanflowError('BAD_ARGUMENT', 'This model was created from weight bytes that were not saved with it; pass them again as `weights`.');
  }
  if (typeof w === 'string' && backboneWeightsFormat(config.backbone) === 'tfjs' && !/\.safetensors$/i.test(w.trim())) {
    const bytesOrJson = await loadTfjsModelFiles(w, opts).catch((e: unknown) => {
      // A safetensors file under another name (e.g. an exported backbone) is still fine.
      if (e instanceof DanflowError && e.code === 'MODEL_FORMAT' && /Not valid JSON/.test(e.message)) return undefined;
      throw e;
    });
    if (bytesOrJson) return backboneSourceFromTfjs(config, bytesOrJson.model, bytesOrJson.shards);
  }
  return backboneSourceFromCheckpoint(config, await loadWeightBytes(w, opts));
}

