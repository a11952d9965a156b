/** VisA in the 1-class split (anomalib's / the DANFlow reference's reorganisation of split_csv/1cls.csv). */
import { openClassFolders, type ClassFolderLayout } from './class-folders.js';
import type { Dataset, LayoutDatasetOptions } from './types.js';

export const VISA_LAYOUT: ClassFolderLayout = {
  format: 'visa',
  title: 'VisA',
  normalClass: 'good',
  maskSuffixes: ['', '_mask'],
  // VisA masks store per-defect indices (0 background, 1, 2, …), not 0/255: any non-zero is a defect.
  maskThreshold: 0,
  expected: 'train/good/*.JPG, test/{good,bad}/*.JPG, ground_truth/bad/<stem>.png',
};

export function openVisa(options: Omit<LayoutDatasetOptions, 'format'>): Promise<Dataset> {
  return openClassFolders(VISA_LAYOUT, { ...options, format: 'visa' });
}
