/**
 * KolektorSDD2 after the usual reorganisation into class folders (`category` names the split folder).
 * The original release names masks `<stem>_GT.png`; that spelling is accepted too.
 */
import { openClassFolders, type ClassFolderLayout } from './class-folders.js';
import type { Dataset, LayoutDatasetOptions } from './types.js';

export const KSDD2_LAYOUT: ClassFolderLayout = {
  format: 'ksdd2',
  title: 'KolektorSDD2',
  normalClass: 'ok',
  maskSuffixes: ['', '_GT', '_mask'],
  maskThreshold: 127,
  expected: 'train/ok/*.png, test/{ok,ko}/*.png, ground_truth/ko/<same name>.png',
};

export function openKsdd2(options: Omit<LayoutDatasetOptions, 'format'>): Promise<Dataset> {
  return openClassFolders(KSDD2_LAYOUT, { ...options, format: 'ksdd2' });
}
