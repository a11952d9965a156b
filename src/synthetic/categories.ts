/**
 * The synthetic categories (four textures and one object, as in MVTec AD), the defect types each
 * one's test set uses, and a single entry point for one normal sample of any category.
 */
import { DanflowError } from '../core/errors.js';
import type { BinaryMask, RawImage } from '../core/types.js';
import type { DefectKind } from './defects.js';
import { generateWasher } from './objects.js';
import type { Seed } from '../core/prng.js';
import { generateTexture } from './textures.js';

export const SYNTHETIC_CATEGORIES = ['fabric', 'metal', 'wood', 'tile', 'washer'] as const;
export type SyntheticCategory = (typeof SYNTHETIC_CATEGORIES)[number];

/**
 * Defect types in each category's test set, chosen to resemble what that surface gets in practice
 * (MVTec's carpet/metal_nut/wood/tile defects). The DRAEM-style `perlinTexture` is not among them:
 * it is the validation-time synthetic anomaly, and testing on it would reward overfitting to it.
 */
export const SYNTHETIC_DEFECT_TYPES: Readonly<Record<SyntheticCategory, readonly DefectKind[]>> = {
  fabric: ['hole', 'stain', 'scratch', 'cutPaste'],
  metal: ['scratch', 'hole', 'stain', 'crack'],
  wood: ['scratch', 'crack', 'hole', 'stain'],
  tile: ['crack', 'stain', 'hole', 'cutPaste'],
  washer: ['scratch', 'hole', 'stain', 'crack'],
};

export interface NormalSample {
  image: RawImage;
  /** For object categories: the object's pixels, where defects belong. Absent for textures. */
  foreground?: BinaryMask;
}

export function checkCategory(category: string): asserts category is SyntheticCategory {
  if (!(SYNTHETIC_CATEGORIES as readonly string[]).includes(category)) {
    throw new DanflowError('BAD_ARGUMENT', `Unknown synthetic category "${category}"; expected one of ${SYNTHETIC_CATEGORIES.join(', ')}.`);
  }
}

/** One defect-free sample of `category`, `size`×`size` RGB uint8. */
export function generateNormalSample(category: SyntheticCategory, size: number, seed: Seed): NormalSample {
  checkCategory(category);
  if (category === 'washer') {
    const { image, foreground } = generateWasher({ width: size, height: size, seed });
    return { image, foreground };
  }
  return { image: generateTexture(category, { width: size, height: size, seed }) };
}
