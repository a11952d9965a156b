import * as tf from '@tensorflow/tfjs-core';
import type { ParamSpec } from '../nn/param-spec.js';
import type { ParamStore } from '../nn/params.js';
import { IMAGENET, type Backbone, type FeatureScale } from './types.js';

interface ResNetArch {
  name: string;
  block: 'basic' | 'bottleneck';
  layers: [number, number, number];
  /** Bottleneck inner width multiplier (2 for the "wide" variants). */
  widthFactor: number;
}

export const RESNET_ARCHS: Record<string, ResNetArch> = {
  resnet18: { name: 'resnet18', block: 'basic', layers: [2, 2, 2], widthFactor: 1 },
  wide_resnet50_2: { name: 'wide_resnet50_2', block: 'bottleneck', layers: [3, 4, 6], widthFactor: 2 },
};

const PLANES = [64, 128, 256];
const BN_EPS = 1e-5;

interface ConvDesc {
  name: string;
  cin: number;
  cout: number;
  k: number;
  stride: number;
  pad: number;
  bn: string;
}

interface BlockDesc {
  convs: ConvDesc[];
  downsample?: ConvDesc;
}

function describe(arch: ResNetArch): { stem: ConvDesc; layers: BlockDesc[][]; scales: FeatureScale[] } {
  const expansion = arch.block === 'basic' ? 1 : 4;
  let inplanes = 64;
  const stem: ConvDesc = { name: 'conv1', cin: 3, cout: 64, k: 7, stride: 2, pad: 3, bn: 'bn1' };
  const layers: BlockDesc[][] = [];
  const scales: FeatureScale[] = [];
  arch.layers.forEach((count, li) => {
    const planes = PLANES[li];
    const layerStride = li === 0 ? 1 : 2;
    const blocks: BlockDesc[] = [];
    for (let b = 0; b < count; b++) {
      const p = `layer${li + 1}.${b}`;
      const stride = b === 0 ? layerStride : 1;
      const out = planes * expansion;
      const convs: ConvDesc[] =
        arch.block === 'basic'
          ? [
              { name: `${p}.conv1`, cin: inplanes, cout: planes, k: 3, stride, pad: 1, bn: `${p}.bn1` },
              { name: `${p}.conv2`, cin: planes, cout: planes, k: 3, stride: 1, pad: 1, bn: `${p}.bn2` },
            ]
          : (() => {
              const width = planes * arch.widthFactor;
              return [
                { name: `${p}.conv1`, cin: inplanes, cout: width, k: 1, stride: 1, pad: 0, bn: `${p}.bn1` },
                { name: `${p}.conv2`, cin: width, cout: width, k: 3, stride, pad: 1, bn: `${p}.bn2` },
                { name: `${p}.conv3`, cin: width, cout: out, k: 1, stride: 1, pad: 0, bn: `${p}.bn3` },
              ];
            })();
      const downsample =
        stride !== 1 || inplanes !== out
          ? { name: `${p}.downsample.0`, cin: inplanes, cout: out, k: 1, stride, pad: 0, bn: `${p}.downsample.1` }
          : undefined;
      blocks.push({ convs, downsample });
      inplanes = out;
    }
    layers.push(blocks);
    scales.push({ channels: inplanes, stride: 4 * 2 ** li });
  });
  return { stem, layers, scales };
}

function convSpecs(prefix: string, c: ConvDesc): ParamSpec[] {
  const bound = Math.sqrt(6 / (c.cin * c.k * c.k));
  const bn = `${prefix}${c.bn}`;
  const vec = (key: string, init: ParamSpec['init']): ParamSpec => ({ key, shape: [c.cout], torchShape: [c.cout], layout: 'same', trainable: false, init });
  return [
    { key: `${prefix}${c.name}.weight`, shape: [c.k, c.k, c.cin, c.cout], torchShape: [c.cout, c.cin, c.k, c.k], layout: 'conv', trainable: false, init: { kind: 'uniform', bound } },
    vec(`${bn}.weight`, { kind: 'const', value: 1 }),
    vec(`${bn}.bias`, { kind: 'const', value: 0 }),
    vec(`${bn}.running_mean`, { kind: 'const', value: 0 }),
    vec(`${bn}.running_var`, { kind: 'const', value: 1 }),
  ];
}

interface FusedConv {
  w: tf.Tensor4D;
  b: tf.Tensor1D;
  stride: number;
  pad: number;
}

/**
 * torchvision/timm ResNet truncated after layer3, eval-mode BatchNorm folded into each conv
 * (frozen weights, so folding once is exact up to float rounding and halves the work).
 */
export class ResNetBackbone implements Backbone {
  readonly name: string;
  readonly scales: FeatureScale[];
  readonly preprocessing = IMAGENET;
  readonly trainableNorms = true;
  private readonly desc: ReturnType<typeof describe>;
  private fused = new Map<string, FusedConv>();

  constructor(arch: ResNetArch) {
    this.name = arch.name;
    this.desc = describe(arch);
    this.scales = this.desc.scales;
  }

  private allConvs(): ConvDesc[] {
    const out = [this.desc.stem];
    for (const layer of this.desc.layers) for (const b of layer) out.push(...b.convs, ...(b.downsample ? [b.downsample] : []));
    return out;
  }

  specs(prefix: string): ParamSpec[] {
    return this.allConvs().flatMap((c) => convSpecs(prefix, c));
  }

  prepare(params: ParamStore, prefix: string): void {
    this.dispose();
    for (const c of this.allConvs()) {
      const bn = `${prefix}${c.bn}`;
      const fused = tf.tidy(() => {
        const scale = tf.mul(params.get(`${bn}.weight`), tf.rsqrt(tf.add(params.get(`${bn}.running_var`), BN_EPS)));
        const w = tf.mul(params.get(`${prefix}${c.name}.weight`), scale) as tf.Tensor4D;
        const b = tf.sub(params.get(`${bn}.bias`), tf.mul(params.get(`${bn}.running_mean`), scale)) as tf.Tensor1D;
        return { w, b };
      });
      this.fused.set(c.name, { ...fused, stride: c.stride, pad: c.pad });
    }
  }

  private conv(x: tf.Tensor4D, name: string, relu: boolean): tf.Tensor4D {
    const f = this.fused.get(name);
    if (!f) throw new Error('backbone used before prepare()');
    const pad = f.pad === 0 ? 'valid' : ([[0, 0], [f.pad, f.pad], [f.pad, f.pad], [0, 0]] as [[number, number], [number, number], [number, number], [number, number]]);
    const y = tf.add(tf.conv2d(x, f.w, f.stride, pad), f.b) as tf.Tensor4D;
    return relu ? tf.relu(y) : y;
  }

  extract(x: tf.Tensor4D): tf.Tensor4D[] {
    let h = this.conv(x, 'conv1', true);
    // Input to the pool is post-ReLU (≥ 0), so zero padding equals PyTorch's −∞ padding here.
    h = tf.maxPool(tf.pad(h, [[0, 0], [1, 1], [1, 1], [0, 0]]), 3, 2, 'valid');
    const outs: tf.Tensor4D[] = [];
    for (const layer of this.desc.layers) {
      for (const block of layer) {
        let y: tf.Tensor4D = h;
        block.convs.forEach((c, i) => {
          y = this.conv(y, c.name, i < block.convs.length - 1);
        });
        const identity = block.downsample ? this.conv(h, block.downsample.name, false) : h;
        h = tf.relu(tf.add(y, identity)) as tf.Tensor4D;
      }
      outs.push(h);
    }
    return outs;
  }

  dispose(): void {
    for (const f of this.fused.values()) {
      f.w.dispose();
      f.b.dispose();
    }
    this.fused.clear();
  }
}
