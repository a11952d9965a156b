/**
 * The layout MVTec AD, BTAD, VisA (1-class split) and reorganised KolektorSDD2 share:
 * `<root>/<category>/train/<normal>/`, `validation/<normal>/` (optional), `test/<class>/`,
 * `ground_truth/<class>/` — every test class other than the normal one is an anomaly class whose
 * images need a mask in the ground-truth folder of the same name. The formats differ only in the
 * normal class's name, how mask files are named and how masks are binarised.
 */
import path from 'node:path';
import { DanflowError } from '../core/errors.js';
import { buildDataset, emptyTrainError, missingMasksError, type MissingMask } from './dataset.js';
import { isDirectory, listDir, listImages, MaskIndex, normaliseExtensions } from './listing.js';
import type { Dataset, LayoutDatasetOptions, SampleInfo } from './types.js';

export interface ClassFolderLayout {
  format: LayoutDatasetOptions['format'];
  /** Human name for messages ("MVTec AD"). */
  title: string;
  /** Folder name of the normal class in train/, validation/ and test/. */
  normalClass: string;
  /** Mask stems tried in order, as suffixes of the image stem ('_mask' → `<stem>_mask.*`, '' → `<stem>.*`). */
  maskSuffixes: readonly string[];
  /** Default foreground threshold for this format's masks. */
  maskThreshold: number;
  /** The expected layout under a category folder, shown when the folders do not match it. */
  expected: string;
}

/** Sub-folders of root that look like categories (have a train/ folder); all sub-folders if none do. */
async function categoriesUnder(root: string): Promise<string[]> {
  const { dirs } = await listDir(root);
  const withTrain: string[] = [];
  for (const d of dirs) if (await isDirectory(path.join(root, d, 'train'))) withTrain.push(d);
  return withTrain.length > 0 ? withTrain : dirs;
}

function listing(names: readonly string[]): string {
  return names.length > 0 ? names.join(', ') : '(nothing)';
}

async function resolveCategoryDir(layout: ClassFolderLayout, root: string, category: string | undefined): Promise<string> {
  if (!(await isDirectory(root))) {
    throw new DanflowError(
      'NOT_FOUND',
      `${layout.title} dataset root not found: ${root} is not an existing folder. Fix: pass root = the folder that holds the ${layout.title} categories, each laid out as <category>/${layout.expected}.`,
    );
  }
  if (category === undefined) {
    if (await isDirectory(path.join(root, 'train'))) return root;
    const cats = await categoriesUnder(root);
    throw new DanflowError(
      'DATASET_LAYOUT',
      `${root} has no train/ folder, so it is not a category folder of the ${layout.title} layout. Categories found there: ${listing(cats)}. Fix: pass category (one of those), or point root at a folder laid out as ${layout.expected}.`,
    );
  }
  const dir = path.join(root, category);
  if (!(await isDirectory(dir))) {
    const cats = await categoriesUnder(root);
    throw new DanflowError(
      'NOT_FOUND',
      `${layout.title} category "${category}" not found: expected the folder ${dir} (laid out as ${layout.expected}). Categories found under ${root}: ${listing(cats)}. Fix: pass one of those as category, or correct root.`,
    );
  }
  return dir;
}

export async function openClassFolders(layout: ClassFolderLayout, options: LayoutDatasetOptions): Promise<Dataset> {
  const root = path.resolve(options.root);
  const catDir = await resolveCategoryDir(layout, root, options.category);
  const extensions = normaliseExtensions(options.extensions);
  const normal = layout.normalClass;

  const trainDir = path.join(catDir, 'train', normal);
  if (!(await isDirectory(trainDir))) {
    const inCat = await listDir(catDir);
    const inTrain = await listDir(path.join(catDir, 'train'));
    throw new DanflowError(
      'DATASET_LAYOUT',
      `${catDir} is not laid out as ${layout.title}: the folder ${trainDir} is missing. Expected ${layout.expected}. ` +
        `Found folders in ${catDir}: ${listing(inCat.dirs)}; in train/: ${listing(inTrain.dirs)}. Fix: rearrange the folders or choose the matching format.`,
    );
  }
  const normalInfo = (p: string): SampleInfo => ({ path: p, label: 0, defectType: normal });

  const train = (await listImages(trainDir, extensions)).map(normalInfo);
  if (train.length === 0) {
    const sub = (await listDir(trainDir)).dirs;
    const hint = sub.length > 0 ? ` It only holds the sub-folders ${sub.join(', ')}; images must sit directly in it.` : '';
    throw emptyTrainError(trainDir, hint);
  }

  const validationDir = path.join(catDir, 'validation', normal);
  const validation = (await isDirectory(validationDir)) ? (await listImages(validationDir, extensions)).map(normalInfo) : undefined;

  const test: SampleInfo[] = [];
  const missing: MissingMask[] = [];
  const testDir = path.join(catDir, 'test');
  for (const cls of (await listDir(testDir)).dirs) {
    const images = await listImages(path.join(testDir, cls), extensions);
    if (cls === normal) {
      test.push(...images.map(normalInfo));
      continue;
    }
    const masks = await MaskIndex.open(path.join(catDir, 'ground_truth', cls), extensions, layout.maskSuffixes);
    for (const image of images) {
      const maskPath = masks.find(image);
      if (!maskPath) missing.push({ image, expected: masks.expected(image) });
      test.push({ path: image, label: 1, defectType: cls, ...(maskPath ? { maskPath } : {}) });
    }
  }
  if (missing.length > 0 && !options.allowMissingMasks) throw missingMasksError(missing);

  return buildDataset({
    format: layout.format,
    root: catDir,
    ...(options.category !== undefined ? { category: options.category } : {}),
    train,
    test,
    ...(validation ? { validation } : {}),
    maskThreshold: options.maskThreshold ?? layout.maskThreshold,
  });
}
