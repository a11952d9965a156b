/** Synthetic industrial images and defects: demo datasets, tests, validation-time anomaly synthesis. */
export { createRng, hashSeed } from './rng.js';
export type { Rng, Seed } from './rng.js';
export { perlinNoise2D, valueNoise2D, fbm, noiseField } from './noise.js';
export type { Noise2D, FbmOptions, NoiseFieldOptions } from './noise.js';
export { generateTexture, TEXTURE_KINDS } from './textures.js';
export type { TextureKind, TextureOptions } from './textures.js';
export { generateWasher } from './objects.js';
export type { ObjectSample, WasherOptions } from './objects.js';
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
export { SYNTHETIC_CATEGORIES, SYNTHETIC_DEFECT_TYPES, generateNormalSample } from './categories.js';
export type { SyntheticCategory, NormalSample } from './categories.js';
export { generateSyntheticDataset, paintSyntheticAnomaly } from './dataset.js';
export type { SyntheticDatasetOptions, SyntheticTestSample, SyntheticDataset, PaintSyntheticAnomalyOptions } from './dataset.js';
