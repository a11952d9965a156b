import { isTfjsBackbone } from '../backbones/config.js';
import type { DetectorConfig } from '../methods/config.js';
import { methodOf } from '../methods/registry.js';

/** A detector's settings for people: a one-line summary and label/value rows (CLI output, reports). */
export function describeConfig(c: DetectorConfig): { summary: string; facts: [string, string][] } {
  const method = methodOf(c.method);
  const b = c.backbone;
  const backbone = isTfjsBackbone(b) ? `tfjs ${b.model} [${b.layers.join(', ')}]` : b;
  return {
    summary: method.summary(c, backbone),
    facts: [['Backbone', `${isTfjsBackbone(b) ? `tfjs ${b.model}` : b}, input ${c.inputSize}×${c.inputSize}`], ['Weights', c.weights], ...method.facts(c)],
  };
}
