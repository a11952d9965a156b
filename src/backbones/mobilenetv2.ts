import * as tf from '@tensorflow/tfjs-core';
import { DanflowError } from '../core/errors.js';
import type { ParamSpec } from '../nn/param-spec.js';
import type { ParamStore } from '../nn/params.js';
import { IMAGENET, type Backbone, type FeatureScale, type Preprocessing } from './types.js';

/**
 * Keras MobileNetV2 (`tf.keras.applications.MobileNetV2`, any width multiplier α) written directly
 * against tfjs-core ops from its weights, so no TF.js layers runtime is needed. Layer and weight
 * names are Keras's (`Conv1`, `bn_Conv1`, `expanded_conv_depthwise`, `block_<n>_expand`,
 * `block_<n>_depthwise`, `block_<n>_project`, `Conv_1`, …); any activation that Keras names can be
 * a feature output (`block_3_expand_relu`, `block_6_add`, `out_relu`, …). BatchNorm (eps 1e-3,
 * moving statistics) is folded into the preceding convolution once the weights are loaded.
 *
 * Keras pads the stride-2 convolutions with `ZeroPadding2D(correct_pad(…))` and a 'valid' conv
 * (older exports) or uses padding 'same' (newer ones); both equal TensorFlow's 'same' padding,
 * which is what tfjs-core's 'same' implements.
 */

/** The TF "inception" preprocessing Keras MobileNets expect: x/127.5 − 1 = (x/255 − 0.5)/0.5. */
export const TF_PREPROCESSING: Preprocessing = { mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5] };

/** Feature layers of the `mobilenetv2` preset (strides 4/8/16; 48/96/192 channels at α = 0.35). */
export const MOBILENETV2_PRESET_LAYERS = ['block_3_expand_relu', 'block_6_expand_relu', 'block_13_expand_relu'];
export const MOBILENETV2_PRESET_ALPHA = 0.35;
/**
 * The block outputs the preset's expand layers are computed from (8/16/32 channels at α 0.35). The
 * expand activations are a 6× linear lift of these followed by ReLU6 — rank-deficient and a third
 * to two thirds exact zeros — on which a flow's likelihood is unbounded; flows train faster and
 * localise better on these (README, "Recipe").
 */
export const MOBILENETV2_BOTTLENECK_LAYERS = ['block_2_add', 'block_5_add', 'block_12_add'];

const BN_EPS = 1e-3;

/** Keras `_make_divisible`. */
export function makeDivisible(v: number, divisor = 8): number {
  let nv = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (nv < 0.9 * v) nv += divisor;
  return nv;
}

interface Unit {
  /** Conv layer name (weights `<conv>/kernel` or `<conv>/depthwise_kernel`). */
  conv: string;
  kind: 'conv' | 'depthwise';
  k: number;
  stride: number;
  cin: number;
  cout: number;
  bn: string;
  relu?: string;
}

interface Stage {
  units: Unit[];
  /** Name of the residual Add, when the block has one. */
  add?: string;
}

export interface LayerInfo {
  name: string;
  channels: number;
  stride: number;
  /** Index of the stage that produces it. */
  stage: number;
  /** Units of that stage needed to produce it (a residual sum needs them all). */
  units: number;
}

/** Inverted residual settings after the stem: [filters, stride, expansion] for block_0 … block_16. */
const BLOCKS: [number, number, number][] = [
  [16, 1, 1],
  [24, 2, 6], [24, 1, 6],
  [32, 2, 6], [32, 1, 6], [32, 1, 6],
  [64, 2, 6], [64, 1, 6], [64, 1, 6], [64, 1, 6],
  [96, 1, 6], [96, 1, 6], [96, 1, 6],
  [160, 2, 6], [160, 1, 6], [160, 1, 6],
  [320, 1, 6],
];

/** The whole Keras MobileNetV2 feature trunk (up to `out_relu`) as stages of conv+BN(+ReLU6) units. */
export function describeMobileNetV2(alpha: number): { stages: Stage[]; layers: Map<string, LayerInfo> } {
  const stages: Stage[] = [];
  const layers = new Map<string, LayerInfo>();
  let stride = 1;
  let unitsInStage = 0;
  const record = (name: string, channels: number) => layers.set(name, { name, channels, stride, stage: stages.length, units: unitsInStage });
  const unitOutputs = (u: Unit) => {
    stride *= u.stride;
    unitsInStage++;
    record(u.bn, u.cout);
    if (u.relu) record(u.relu, u.cout);
  };
  // Stem.
  const first = makeDivisible(32 * alpha);
  const stem: Unit = { conv: 'Conv1', kind: 'conv', k: 3, stride: 2, cin: 3, cout: first, bn: 'bn_Conv1', relu: 'Conv1_relu' };
  unitOutputs(stem);
  stages.push({ units: [stem] });
  unitsInStage = 0;
  let cin = first;
  BLOCKS.forEach(([filters, s, expansion], id) => {
    const prefix = id === 0 ? 'expanded_conv_' : `block_${id}_`;
    const out = makeDivisible(Math.trunc(filters * alpha));
    const units: Unit[] = [];
    let c = cin;
    if (id !== 0) {
      units.push({ conv: `${prefix}expand`, kind: 'conv', k: 1, stride: 1, cin, cout: expansion * cin, bn: `${prefix}expand_BN`, relu: `${prefix}expand_relu` });
      c = expansion * cin;
    }
    units.push({ conv: `${prefix}depthwise`, kind: 'depthwise', k: 3, stride: s, cin: c, cout: c, bn: `${prefix}depthwise_BN`, relu: `${prefix}depthwise_relu` });
    units.push({ conv: `${prefix}project`, kind: 'conv', k: 1, stride: 1, cin: c, cout: out, bn: `${prefix}project_BN` });
    for (const u of units) unitOutputs(u);
    const add = cin === out && s === 1 ? `${prefix}add` : undefined;
    if (add) record(add, out);
    stages.push({ units, add });
    unitsInStage = 0;
    cin = out;
  });
  const last = alpha > 1 ? makeDivisible(1280 * alpha) : 1280;
  const head: Unit = { conv: 'Conv_1', kind: 'conv', k: 1, stride: 1, cin, cout: last, bn: 'Conv_1_bn', relu: 'out_relu' };
  unitOutputs(head);
  stages.push({ units: [head] });
  return { stages, layers };
}

/** Channels and stride of one named layer; throws UNSUPPORTED for names a MobileNetV2 does not have. */
export function mobileNetV2Layer(alpha: number, name: string): LayerInfo {
  const info = describeMobileNetV2(alpha).layers.get(name);
  if (!info) {
    const raw = /^(Conv1|Conv_1|expanded_conv_(depthwise|project)|block_\d+_(expand|depthwise|project|pad))$/.test(name);
    throw new DanflowError(
      'UNSUPPORTED',
      raw
        ? `Layer "${name}" is a raw convolution output, which the SDK folds into its BatchNorm; use "${name === 'Conv1' ? 'bn_Conv1' : name === 'Conv_1' ? 'Conv_1_bn' : name + '_BN'}" or the following ReLU instead.`
        : `Layer "${name}" is not a Keras MobileNetV2 layer. Custom TF.js backbones are supported for the MobileNetV2 topology only ` +
            `(outputs such as block_3_expand_relu, block_6_expand_relu, block_13_expand_relu, block_<n>_add, out_relu); ` +
            'running arbitrary LayersModel/GraphModel graphs needs @tensorflow/tfjs-layers or -converter, which the SDK does not bundle.',
    );
  }
  return info;
}

export interface MobileNetV2Options {
  name: string;
  alpha: number;
  layers: string[];
  preprocessing: Preprocessing;
}

interface Folded {
  w: tf.Tensor4D;
  b: tf.Tensor1D;
  unit: Unit;
}

function weightName(u: Unit): string {
  return u.kind === 'conv' ? 'kernel' : 'depthwise_kernel';
}

export class MobileNetV2Backbone implements Backbone {
  readonly name: string;
  readonly scales: FeatureScale[];
  readonly preprocessing: Preprocessing;
  /** CNN features: each scale gets a trainable LayerNorm, as for the ResNets. */
  readonly trainableNorms = true;
  readonly alpha: number;
  readonly layers: string[];
  private readonly stages: Stage[];
  private folded = new Map<string, Folded>();

  constructor(options: MobileNetV2Options) {
    this.name = options.name;
    this.alpha = options.alpha;
    this.layers = [...options.layers];
    this.preprocessing = options.preprocessing;
    if (this.layers.length === 0) throw new DanflowError('BAD_CONFIG', 'A MobileNetV2 backbone needs at least one output layer.');
    if (new Set(this.layers).size !== this.layers.length) throw new DanflowError('BAD_CONFIG', `Output layers must be distinct (got ${this.layers.join(', ')}).`);
    const desc = describeMobileNetV2(this.alpha);
    const infos = this.layers.map((l) => mobileNetV2Layer(this.alpha, l));
    // Run only what the outputs need: up to the last needed unit of the last needed stage.
    const lastStage = Math.max(...infos.map((i) => i.stage));
    const unitsInLast = Math.max(...infos.filter((i) => i.stage === lastStage).map((i) => i.units));
    this.stages = desc.stages.slice(0, lastStage + 1);
    const last = this.stages[lastStage];
    if (unitsInLast < last.units.length) this.stages[lastStage] = { units: last.units.slice(0, unitsInLast) };
    this.scales = infos.map((i) => ({ channels: i.channels, stride: i.stride }));
  }

  /** Largest stride among the outputs: inputSize must be a multiple of it. */
  get maxStride(): number {
    return Math.max(...this.scales.map((s) => s.stride));
  }

  private units(): Unit[] {
    return this.stages.flatMap((s) => s.units);
  }

  specs(prefix: string): ParamSpec[] {
    const out: ParamSpec[] = [];
    for (const u of this.units()) {
      const shape = u.kind === 'conv' ? [u.k, u.k, u.cin, u.cout] : [u.k, u.k, u.cin, 1];
      const fanIn = u.kind === 'conv' ? u.k * u.k * u.cin : u.k * u.k;
      // Keras layout is already the SDK's; saved models store it as is ('same').
      out.push({ key: `${prefix}${u.conv}.${weightName(u)}`, shape, torchShape: shape, layout: 'same', trainable: false, init: { kind: 'uniform', bound: Math.sqrt(6 / fanIn) } });
      const vec = (w: string, value: number): ParamSpec => ({ key: `${prefix}${u.bn}.${w}`, shape: [u.cout], torchShape: [u.cout], layout: 'same', trainable: false, init: { kind: 'const', value } });
      out.push(vec('gamma', 1), vec('beta', 0), vec('moving_mean', 0), vec('moving_variance', 1));
    }
    return out;
  }

  prepare(params: ParamStore, prefix: string): void {
    this.dispose();
    for (const u of this.units()) {
      const bn = `${prefix}${u.bn}`;
      const f = tf.tidy(() => {
        const scale = tf.mul(params.get(`${bn}.gamma`), tf.rsqrt(tf.add(params.get(`${bn}.moving_variance`), BN_EPS))) as tf.Tensor1D;
        const kernel = params.get(`${prefix}${u.conv}.${weightName(u)}`);
        const w = (u.kind === 'conv' ? tf.mul(kernel, scale) : tf.mul(kernel, tf.reshape(scale, [1, 1, u.cout, 1]))) as tf.Tensor4D;
        const b = tf.sub(params.get(`${bn}.beta`), tf.mul(params.get(`${bn}.moving_mean`), scale)) as tf.Tensor1D;
        return { w, b };
      });
      this.folded.set(u.conv, { ...f, unit: u });
    }
  }

  private apply(x: tf.Tensor4D, u: Unit): tf.Tensor4D {
    const f = this.folded.get(u.conv);
    if (!f) throw new Error('backbone used before prepare()');
    const y =
      u.kind === 'conv'
        ? tf.conv2d(x, f.w, u.stride, u.k === 1 ? 'valid' : 'same')
        : tf.depthwiseConv2d(x, f.w, u.stride, 'same');
    return tf.add(y, f.b) as tf.Tensor4D;
  }

  /** Every requested layer by name (used by extract and by tests). */
  extractNamed(x: tf.Tensor4D): Map<string, tf.Tensor4D> {
    const wanted = new Set(this.layers);
    const found = new Map<string, tf.Tensor4D>();
    const keep = (name: string, t: tf.Tensor4D) => {
      if (wanted.has(name)) found.set(name, t);
    };
    let h = x;
    for (const stage of this.stages) {
      const input = h;
      for (const u of stage.units) {
        h = this.apply(h, u);
        keep(u.bn, h);
        if (u.relu) {
          h = tf.relu6(h);
          keep(u.relu, h);
        }
      }
      if (stage.add) {
        h = tf.add(input, h);
        keep(stage.add, h);
      }
    }
    return found;
  }

  extract(x: tf.Tensor4D): tf.Tensor4D[] {
    const found = this.extractNamed(x);
    return this.layers.map((l) => found.get(l)!);
  }

  dispose(): void {
    for (const f of this.folded.values()) {
      f.w.dispose();
      f.b.dispose();
    }
    this.folded.clear();
  }
}

export function preprocessingFor(kind: 'tf' | 'imagenet'): Preprocessing {
  return kind === 'imagenet' ? IMAGENET : TF_PREPROCESSING;
}
