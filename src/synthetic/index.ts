/**
 * Synthetic industrial images and defects with exact masks, deterministic from a seed and
 * byte-identical in every JavaScript engine: fit's validation paints these on held-out normal
 * images; the demo and tests generate whole datasets in the MVTec layout.
 */
export type { Seed } from '../core/prng.js';
export { perlinNoise2D, valueNoise2D, fbm, noiseField } from './noise.js';
export type { Noise2D, FbmOptions, NoiseFieldOptions } from './noise.js';
export { generateTexture, TEXTURE_KINDS } from './textures.js';
export type { TextureKind, TextureOptions } from './textures.js';
export { DEFAULT_DEFECT_AREA, DEFAULT_CHANGE_EPSILON } from './compose.js';
export { DEFECT_KINDS, scratch, hole, stain, crack, perlinTexture, cutPaste, paintDefect } from './defects.js';
export type {
  DefectKind,
  DefectOptions,
  PerlinTextureOptions,
  CutPasteOptions,
  AnyDefectOptions,
  DefectResult,
  PerlinTextureResult,
  CutPasteResult,
} from './defects.js';
export type { CutPastePlacement } from './cutpaste.js';
export { paintSyntheticAnomaly } from './paint.js';
export type { PaintSyntheticAnomalyOptions } from './paint.js';
export { SYNTHETIC_CATEGORIES, SYNTHETIC_DEFECT_TYPES, generateNormalSample } from './categories.js';
export type { SyntheticCategory, NormalSample } from './categories.js';
export { generateSyntheticDataset } from './dataset.js';
export type { SyntheticDatasetOptions, SyntheticTestSample, SyntheticDataset } from './dataset.js';
export { generateWasher } from './objects.js';
export type { ObjectSample, WasherOptions } from './objects.js';
