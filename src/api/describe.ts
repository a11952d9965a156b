import { isTfjsBackbone } from '../backbones/config.js';
import { REFERENCE_SIGMA, type DetectorConfig } from '../methods/config.js';
import { describeRule, REFERENCE_IMAGE_SCORE } from '../methods/image-score.js';
import { methodOf } from '../methods/registry.js';

/**
 * A detector's settings for people: a one-line summary, label/value rows (CLI output, reports), and
 * whether its method trains for epochs (false for PatchCore, which stores normal patches in one pass).
 */
export function describeConfig(c: DetectorConfig): { summary: string; facts: [string, string][]; trains: boolean } {
  const method = methodOf(c.method);
  const b = c.backbone;
  const backbone = isTfjsBackbone(b) ? `tfjs ${b.model} [${b.layers.join(', ')}]` : b;
  return {
    summary: method.summary(c, backbone),
    trains: method.iterative,
    facts: [
      ['Backbone', `${isTfjsBackbone(b) ? `tfjs ${b.model}` : b}, input ${c.inputSize}×${c.inputSize}`],
      ['Weights', c.weights],
      ...method.facts(c),
      ['Image score', c.imageScore === 'auto' ? 'chosen by synthetic validation when fitted' : describeRule(c.imageScore ?? REFERENCE_IMAGE_SCORE)],
      ['Map smoothing', c.sigma === 'auto' ? 'chosen by synthetic validation when fitted' : `Gaussian σ ${c.sigma ?? REFERENCE_SIGMA} px`],
    ],
  };
}
