import type { BinaryMask, RawImage } from '../core/types.js';

export type DatasetFormat = 'mvtec' | 'btad' | 'visa' | 'ksdd2' | 'folder';
export type SplitName = 'train' | 'validation' | 'test';

/** What listing a dataset finds about one image, before anything is decoded. */
export interface SampleInfo {
  /** Absolute path of the image file. */
  path: string;
  /** 0 = normal, 1 = anomalous. */
  label: 0 | 1;
  /** The class folder the image came from ('good', 'ok', 'cut', 'ko', …), as named on disk. */
  defectType: string;
  /** Absolute path of the ground-truth mask; absent for normal images and for unannotated anomalies. */
  maskPath?: string;
}

/** One image of a dataset with lazy decoding: nothing is read until `image()` / `mask()` is called. */
export interface Sample extends SampleInfo {
  /** uint8 RGB, 3 channels (see `decodeImageNode`). */
  image(): Promise<RawImage>;
  /**
   * The ground truth as 0/1: the decoded mask file when there is one, all zeros at the image's size
   * for normal images, undefined for an anomalous image without annotation (folder datasets only,
   * or `allowMissingMasks`).
   */
  mask(): Promise<BinaryMask | undefined>;
}

export interface SplitSummary {
  total: number;
  normal: number;
  anomalous: number;
  /** Anomalous images that have a mask file. */
  masked: number;
  /** Image count per class folder name, normal classes included. */
  byDefect: Record<string, number>;
}

export interface DatasetSummary {
  format: DatasetFormat;
  root: string;
  category?: string;
  train: SplitSummary;
  test: SplitSummary;
  /** Present only when the layout has a validation split (e.g. MVTec 3D-AD's `validation/good`). */
  validation?: SplitSummary;
}

export interface Dataset {
  readonly format: DatasetFormat;
  /** Absolute folder the samples were found in (the category folder for the class-folder layouts). */
  readonly root: string;
  readonly category?: string;
  /** Counts from listing the folders; nothing was decoded to produce it. */
  readonly summary: DatasetSummary;
  readonly splits: readonly SplitName[];
  /** The split's samples as lazy handles, in natural file order: for shuffling or random access. */
  samples(split: SplitName): readonly Sample[];
  train(): AsyncIterable<Sample>;
  test(): AsyncIterable<Sample>;
  /** Only on datasets that have a validation split. */
  validation?(): AsyncIterable<Sample>;
}

export interface CommonDatasetOptions {
  /** Image file extensions to pick up (case-insensitive, with or without the dot). Default: png, jpg, jpeg, bmp, tif, tiff, webp, gif. */
  extensions?: string[];
  /** Accept anomalous images without a mask file (their `mask()` resolves to undefined) instead of failing. */
  allowMissingMasks?: boolean;
  /** Mask pixels above this value are foreground. Default 127 (0/255 masks); VisA defaults to 0 (its masks hold class indices). */
  maskThreshold?: number;
}

/** MVTec AD, BTAD, VisA (1-class split) and reorganised KolektorSDD2: class folders under train/, test/, ground_truth/. */
export interface LayoutDatasetOptions extends CommonDatasetOptions {
  format: 'mvtec' | 'btad' | 'visa' | 'ksdd2';
  /** The folder holding the categories (or the category folder itself when `category` is omitted). */
  root: string;
  /** Category folder under root: 'bottle' (MVTec), '01' (BTAD), 'pcb1' (VisA), the split folder (KSDD2). */
  category?: string;
}

/** Any images in plain folders. */
export interface FolderDatasetOptions extends CommonDatasetOptions {
  format: 'folder';
  /** Base for the relative folder paths below (default: the working directory). */
  root?: string;
  /** Normal images for training. */
  normalDir: string;
  /** Anomalous test images. */
  abnormalDir?: string;
  /** Masks for `abnormalDir`, matched by stem: `<stem>_mask.*` first, then `<stem>.*`. */
  maskDir?: string;
  /** Normal images for the test split. */
  normalTestDir?: string;
  /** Normal images for a validation split. */
  validationDir?: string;
  /**
   * Fraction (0..1) of `normalDir` moved to the test split as normal examples, picked evenly
   * spaced through the sorted list so the choice is deterministic. Default 0.
   */
  holdOutNormal?: number;
  /**
   * Explicit file lists used instead of listing the folders (names relative to the matching folder,
   * or absolute paths), kept in the order given.
   */
  files?: { normal?: string[]; abnormal?: string[]; normalTest?: string[]; validation?: string[] };
}

export type OpenDatasetOptions = LayoutDatasetOptions | FolderDatasetOptions;
