import type { DetectorConfig } from '../config.js';
import { DanflowError } from '../errors.js';
import { readStateDict } from '../io/state-dict.js';
import { BACKBONE_PREFIX, DanflowModel, type TensorSource } from '../model/danflow-model.js';
import { readSafetensors, writeSafetensors, type WritableTensor } from '../io/safetensors.js';

/**
 * Backbone tensors from a timm/torchvision checkpoint (keys like `conv1.weight`, `layer1.0.bn1.*`;
 * classifier tensors are ignored). Also accepts keys already prefixed with `feature_extractor.`.
 */
export function backboneSourceFromCheckpoint(config: DetectorConfig, bytes: Uint8Array): TensorSource {
  const { specs } = DanflowModel.describe(config);
  const backboneSpecs = specs.filter((s) => s.key.startsWith(BACKBONE_PREFIX));
  const file = readSafetensors(bytes);
  // Re-key to the reference's names once, then reuse the state_dict reader's name/shape checks.
  const rekeyed: Record<string, WritableTensor> = {};
  for (const k of file.keys()) {
    const key = k.startsWith(BACKBONE_PREFIX) ? k : BACKBONE_PREFIX + k;
    if (!backboneSpecs.some((s) => s.key === key)) continue;
    const t = file.get(k);
    rekeyed[key] = { dtype: 'F32', shape: t.shape, data: t.data };
  }
  if (Object.keys(rekeyed).length === 0) {
    throw new DanflowError('WEIGHTS_MISMATCH', `The weights file has none of the ${config.backbone} tensors (expected e.g. "conv1.weight"); is it a checkpoint of another architecture?`);
  }
  const contents = readStateDict(writeSafetensors(rekeyed), backboneSpecs, [], { what: `the ${config.backbone} weights` });
  return contents.source;
}
