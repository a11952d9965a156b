/** MVTec AD (and MVTec 3D-AD's RGB images reorganised the same way, with its validation/good split). */
import { openClassFolders, type ClassFolderLayout } from './class-folders.js';
import type { Dataset, LayoutDatasetOptions } from './types.js';

export const MVTEC_LAYOUT: ClassFolderLayout = {
  format: 'mvtec',
  title: 'MVTec AD',
  normalClass: 'good',
  // The official masks are <stem>_mask.png; same-stem masks are accepted for re-exported copies.
  maskSuffixes: ['_mask', ''],
  maskThreshold: 127,
  expected: 'train/good/*.png, test/<defect>/*.png, ground_truth/<defect>/<stem>_mask.png (optional validation/good/)',
};

export function openMvtec(options: Omit<LayoutDatasetOptions, 'format'>): Promise<Dataset> {
  return openClassFolders(MVTEC_LAYOUT, { ...options, format: 'mvtec' });
}
