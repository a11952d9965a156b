/**
 * BTAD (BeanTech). Its three products differ in file types — 01: .bmp images with .png masks,
 * 02: .png images and masks, 03: .bmp images and masks — so masks are matched by stem whatever the
 * extension, and the format is sniffed from the bytes when decoding.
 */
import { openClassFolders, type ClassFolderLayout } from './class-folders.js';
import type { Dataset, LayoutDatasetOptions } from './types.js';

export const BTAD_LAYOUT: ClassFolderLayout = {
  format: 'btad',
  title: 'BTAD',
  normalClass: 'ok',
  maskSuffixes: ['', '_mask'],
  maskThreshold: 127,
  expected: 'train/ok/*, test/{ok,ko}/*, ground_truth/ko/<stem>.{png,bmp}',
};

export function openBtad(options: Omit<LayoutDatasetOptions, 'format'>): Promise<Dataset> {
  return openClassFolders(BTAD_LAYOUT, { ...options, format: 'btad' });
}
