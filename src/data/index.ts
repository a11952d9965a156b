/**
 * Dataset entry point: `openDataset({ format, … })` lists a dataset's folders (no decoding), checks
 * that every anomalous test image has its mask, and returns lazy, streaming splits.
 */
import { DanflowError } from '../core/errors.js';
import { openBtad } from './btad.js';
import { openFolder } from './folder.js';
import { openKsdd2 } from './ksdd2.js';
import { openMvtec } from './mvtec.js';
import type { Dataset, OpenDatasetOptions } from './types.js';
import { openVisa } from './visa.js';

export async function openDataset(options: OpenDatasetOptions): Promise<Dataset> {
  switch (options.format) {
    case 'mvtec':
      return openMvtec(options);
    case 'btad':
      return openBtad(options);
    case 'visa':
      return openVisa(options);
    case 'ksdd2':
      return openKsdd2(options);
    case 'folder':
      return openFolder(options);
    default: {
      const format = (options as { format?: unknown }).format;
      throw new DanflowError(
        'BAD_ARGUMENT',
        `Unknown dataset format ${JSON.stringify(format)}. Fix: use one of 'mvtec', 'btad', 'visa', 'ksdd2', 'folder'.`,
      );
    }
  }
}

export { openMvtec, MVTEC_LAYOUT } from './mvtec.js';
export { openBtad, BTAD_LAYOUT } from './btad.js';
export { openVisa, VISA_LAYOUT } from './visa.js';
export { openKsdd2, KSDD2_LAYOUT } from './ksdd2.js';
export { openFolder } from './folder.js';
export { naturalCompare, naturalSort, DEFAULT_IMAGE_EXTENSIONS } from './listing.js';
export type {
  CommonDatasetOptions,
  Dataset,
  DatasetFormat,
  DatasetSummary,
  FolderDatasetOptions,
  LayoutDatasetOptions,
  OpenDatasetOptions,
  Sample,
  SampleInfo,
  SplitName,
  SplitSummary,
} from './types.js';
