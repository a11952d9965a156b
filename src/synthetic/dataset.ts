/**
 * In-memory synthetic datasets in the MVTec layout (train = normal only; test = good + defective
 * with pixel masks), for demos, tests and smoke-training without downloading anything.
 */
import { DanflowError } from '../core/errors.js';
import type { BinaryMask, RawImage } from '../core/types.js';
import { checkCategory, generateNormalSample, SYNTHETIC_DEFECT_TYPES, type SyntheticCategory } from './categories.js';
import { DEFECT_KINDS, paintDefect, type DefectKind } from './defects.js';
import { createRng, hashSeed, type Seed } from '../core/prng.js';

export interface SyntheticDatasetOptions {
  category: SyntheticCategory;
  /** Square image size in px (default 128, at least 32). */
  size?: number;
  /** Normal training images (default 40). */
  trainCount?: number;
  /** Normal test images (default 10). */
  testGoodCount?: number;
  /** Defective test images, spread round-robin over the category's defect types (default 20). */
  testDefectCount?: number;
  seed?: Seed;
  /** Defect mask area range, fractions of the image (default [0.005, 0.03]). */
  area?: readonly [number, number];
}

export interface SyntheticTestSample {
  image: RawImage;
  /** All zeros for good samples. */
  mask: BinaryMask;
  label: 0 | 1;
  defectType: 'good' | DefectKind;
  /** MVTec-style `<defectType>/<index>`, e.g. `hole/002`, `good/000`. */
  name: string;
}

export interface SyntheticDataset {
  category: SyntheticCategory;
  size: number;
  defectTypes: readonly DefectKind[];
  train: RawImage[];
  test: SyntheticTestSample[];
}

function checkCount(name: string, v: number, min: number): number {
  if (!Number.isInteger(v) || v < min) throw new DanflowError('BAD_ARGUMENT', `${name} must be an integer ≥ ${min}, got ${v}.`);
  return v;
}

const pad = (i: number): string => String(i).padStart(3, '0');

export function generateSyntheticDataset(options: SyntheticDatasetOptions): SyntheticDataset {
  const category = options.category;
  checkCategory(category);
  const size = checkCount('size', options.size ?? 128, 32);
  const trainCount = checkCount('trainCount', options.trainCount ?? 40, 0);
  const goodCount = checkCount('testGoodCount', options.testGoodCount ?? 10, 0);
  const defectCount = checkCount('testDefectCount', options.testDefectCount ?? 20, 0);
  const seed = options.seed ?? 0;
  const defectTypes = SYNTHETIC_DEFECT_TYPES[category];
  // Every image has its own seed derived from (seed, category, split, index): changing one count
  // never changes the other images.
  const normal = (split: string, i: number) => generateNormalSample(category, size, hashSeed(seed, category, split, i));
  const train = Array.from({ length: trainCount }, (_, i) => normal('train', i).image);
  const test: SyntheticTestSample[] = [];
  const empty = (): BinaryMask => ({ width: size, height: size, data: new Uint8Array(size * size) });
  for (let i = 0; i < goodCount; i++) {
    test.push({ image: normal('good', i).image, mask: empty(), label: 0, defectType: 'good', name: `good/${pad(i)}` });
  }
  const perType = new Map<DefectKind, number>();
  for (let i = 0; i < defectCount; i++) {
    const kind = defectTypes[i % defectTypes.length];
    const k = perType.get(kind) ?? 0;
    perType.set(kind, k + 1);
    const base = normal('defect', i);
    const painted = paintDefect(kind, base.image, createRng(hashSeed(seed, category, 'paint', i)), {
      area: options.area,
      region: base.foreground,
      // CutPaste on a texture copies from a second sample, so the patch is not just a shifted copy.
      source: kind === 'cutPaste' ? normal('cutpaste-source', i).image : undefined,
    });
    test.push({ image: painted.image, mask: painted.mask, label: 1, defectType: kind, name: `${kind}/${pad(k)}` });
  }
  return { category, size, defectTypes, train, test };
}
