import { DanflowError } from '../core/errors.js';

/**
 * Splits normal images into training and held-out sets: `fraction` of them (at least `min`),
 * evenly spaced so the held-out set covers the whole (often ordered) dataset. Deterministic.
 */
export function holdOut<T>(images: readonly T[], fraction: number, min: number): { train: T[]; heldOut: T[] } {
  const k = Math.max(min, Math.round(images.length * fraction));
  if (images.length - k < 1) {
    throw new DanflowError('EMPTY_DATASET', `fit(): validation needs to hold out ${k} images but only ${images.length} were given; pass validation.images or more training images.`);
  }
  const step = images.length / k;
  const pick = new Set(Array.from({ length: k }, (_, i) => Math.floor(i * step + step / 2)));
  return { train: images.filter((_, i) => !pick.has(i)), heldOut: images.filter((_, i) => pick.has(i)) };
}
