import type { FlowConfig } from './config.js';
import type { ParamSpec } from '../../nn/param-spec.js';

/** FrEIA AllInOneBlock's softplus global scale init: 0.1·softplus_{β=0.5}(g) = 1 at g = 2·log(e^5 − 1). */
export const GLOBAL_SCALE_INIT = 2 * Math.log(Math.exp(5) - 1);

export function splitChannels(c: number): [number, number] {
  return [c - Math.floor(c / 2), Math.floor(c / 2)];
}

export function hiddenChannels(cin: number): number {
  return Math.round(6 * cin);
}

export function gcnetPlanes(c: number): number {
  return Math.floor(c * 0.25);
}

/** ECA kernel: 1 for the first of two subnets, 3 for the second and for a single subnet. */
export function ecaKernel(subnet: SubnetName): number {
  return subnet === 'subnet_1' ? 1 : 3;
}

export type SubnetName = 'subnet_1' | 'subnet_2' | 'subnet';

function bnSpecs(prefix: string, c: number): ParamSpec[] {
  return [
    { key: `${prefix}.weight`, shape: [c], torchShape: [c], layout: 'same', trainable: true, init: { kind: 'const', value: 1 } },
    { key: `${prefix}.bias`, shape: [c], torchShape: [c], layout: 'same', trainable: true, init: { kind: 'const', value: 0 } },
    { key: `${prefix}.running_mean`, shape: [c], torchShape: [c], layout: 'same', trainable: false, init: { kind: 'const', value: 0 } },
    { key: `${prefix}.running_var`, shape: [c], torchShape: [c], layout: 'same', trainable: false, init: { kind: 'const', value: 1 } },
  ];
}

/** PyTorch's default conv init (kaiming_uniform with a = √5) is U(±1/√fan_in). */
function convInit(fanIn: number) {
  return { kind: 'uniform', bound: 1 / Math.sqrt(fanIn) } as const;
}

export function subnetSpecs(prefix: string, name: SubnetName, cin: number, cout: number, cfg: FlowConfig): ParamSpec[] {
  const h = hiddenChannels(cin);
  const p = `${prefix}.${name}`;
  const specs: ParamSpec[] = [
    { key: `${p}.pw.0.0.weight`, shape: [cin, h], torchShape: [h, cin, 1, 1], layout: 'conv1x1', trainable: true, init: convInit(cin) },
    ...bnSpecs(`${p}.pw.0.1`, h),
  ];
  const kd = cfg.dwKernel ?? 3;
  for (let k = 0; k < cfg.numDw; k++) {
    specs.push(
      { key: `${p}.dw.${k}.0.weight`, shape: [kd, kd, h, 1], torchShape: [h, 1, kd, kd], layout: 'depthwise', trainable: true, init: convInit(kd * kd) },
      ...bnSpecs(`${p}.dw.${k}.1`, h),
    );
  }
  specs.push(
    { key: `${p}.pw_linear.0.weight`, shape: [h, cout], torchShape: [cout, h, 1, 1], layout: 'conv1x1', trainable: true, init: convInit(h) },
    ...bnSpecs(`${p}.pw_linear.1`, cout),
  );
  const a = `${p}.attention_stage.0`;
  if (cfg.attention === 'eca') {
    const k = ecaKernel(name);
    specs.push(
      { key: `${a}.conv.weight`, shape: [k], torchShape: [1, 1, k], layout: 'same', trainable: true, init: convInit(k) },
      { key: `${a}.conv.bias`, shape: [1], torchShape: [1], layout: 'same', trainable: true, init: convInit(k) },
    );
  } else if (cfg.attention === 'gcnet') {
    const pl = gcnetPlanes(cout);
    specs.push(
      { key: `${a}.conv_mask.weight`, shape: [cout, 1], torchShape: [1, cout, 1, 1], layout: 'conv1x1', trainable: true, init: convInit(cout) },
      { key: `${a}.conv_mask.bias`, shape: [1], torchShape: [1], layout: 'same', trainable: true, init: convInit(cout) },
      { key: `${a}.channel_mul_conv.0.weight`, shape: [cout, pl], torchShape: [pl, cout, 1, 1], layout: 'conv1x1', trainable: true, init: convInit(cout) },
      { key: `${a}.channel_mul_conv.0.bias`, shape: [pl], torchShape: [pl], layout: 'same', trainable: true, init: convInit(cout) },
      { key: `${a}.channel_mul_conv.1.weight`, shape: [pl], torchShape: [pl, 1, 1], layout: 'same', trainable: true, init: { kind: 'const', value: 1 } },
      { key: `${a}.channel_mul_conv.1.bias`, shape: [pl], torchShape: [pl, 1, 1], layout: 'same', trainable: true, init: { kind: 'const', value: 0 } },
      // Zero-initialised as in GCNet, so attention starts as a uniform ×0.5 gate.
      { key: `${a}.channel_mul_conv.3.weight`, shape: [pl, cout], torchShape: [cout, pl, 1, 1], layout: 'conv1x1', trainable: true, init: { kind: 'const', value: 0 } },
      { key: `${a}.channel_mul_conv.3.bias`, shape: [cout], torchShape: [cout], layout: 'same', trainable: true, init: { kind: 'const', value: 0 } },
    );
  }
  return specs;
}

/** Every tensor of one scale's flow (prefix e.g. `nf_flows.0`), in reference state_dict order. */
export function flowSpecs(prefix: string, channels: number, cfg: FlowConfig): ParamSpec[] {
  const [c1, c2] = splitChannels(channels);
  const specs: ParamSpec[] = [];
  for (let k = 0; k < cfg.flowSteps; k++) {
    const p = `${prefix}.module_list.${k}`;
    specs.push(
      { key: `${p}.global_scale`, shape: [channels], torchShape: [1, channels, 1, 1], layout: 'same', trainable: true, init: { kind: 'const', value: GLOBAL_SCALE_INIT } },
      { key: `${p}.global_offset`, shape: [channels], torchShape: [1, channels, 1, 1], layout: 'same', trainable: true, init: { kind: 'const', value: 0 } },
    );
    if (cfg.doubleSubnets) {
      specs.push(...subnetSpecs(p, 'subnet_1', c1, 2 * c2, cfg), ...subnetSpecs(p, 'subnet_2', c2, 2 * c1, cfg));
    } else {
      specs.push(...subnetSpecs(p, 'subnet', c1, 2 * c2, cfg));
    }
  }
  return specs;
}
