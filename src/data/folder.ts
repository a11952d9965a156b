/**
 * Images in plain folders: normal training images, optionally anomalous test images with masks in a
 * separate folder (matched by stem: `<stem>_mask.*`, else `<stem>.*`), optional normal test and
 * validation folders.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { DanflowError } from '../core/errors.js';
import { buildDataset, emptyTrainError, missingMasksError, type MissingMask } from './dataset.js';
import { isDirectory, listImages, MaskIndex, normaliseExtensions } from './listing.js';
import type { Dataset, FolderDatasetOptions, SampleInfo } from './types.js';

const MASK_SUFFIXES = ['_mask', ''];
const NORMAL = 'good';

/** What each folder holds, for messages (the option names are code; people know the folders by their content). */
const FOLDER_ROLES: Record<string, { what: string; required: boolean }> = {
  normalDir: { what: 'normal (defect-free) training images', required: true },
  normalTestDir: { what: 'normal test images', required: false },
  abnormalDir: { what: 'anomalous test images', required: false },
  maskDir: { what: 'masks of the anomalous images', required: false },
  validationDir: { what: 'normal validation images', required: false },
};

async function requireDir(option: keyof typeof FOLDER_ROLES, dir: string, base: string): Promise<string> {
  const abs = path.resolve(base, dir);
  if (!(await isDirectory(abs))) {
    const role = FOLDER_ROLES[option];
    throw new DanflowError(
      'NOT_FOUND',
      `Folder dataset: the folder of ${role.what}, ${abs}, does not exist. Fix: correct the path${role.required ? ' (this folder is required)' : ', or leave this folder out'}.`,
    );
  }
  return abs;
}

/** The images of one folder: an explicit list when given (checked to exist), else the folder's listing. */
async function imagesOf(option: string, dir: string, explicit: string[] | undefined, extensions: Set<string>): Promise<string[]> {
  if (!explicit) return listImages(dir, extensions);
  const out: string[] = [];
  for (const f of explicit) {
    const p = path.resolve(dir, f);
    const ok = await stat(p).then((s) => s.isFile(), () => false);
    if (!ok) throw new DanflowError('NOT_FOUND', `Folder dataset: ${p} (listed in files.${option}) does not exist. Fix: correct the list or add the file.`);
    out.push(p);
  }
  return out;
}

/** Evenly spaced picks through the list, so the held-out images do not cluster at one end. */
function holdOut<T>(items: readonly T[], fraction: number): { kept: T[]; held: T[] } {
  const kept: T[] = [];
  const held: T[] = [];
  items.forEach((item, i) => (Math.floor((i + 1) * fraction) > Math.floor(i * fraction) ? held : kept).push(item));
  return { kept, held };
}

export async function openFolder(options: Omit<FolderDatasetOptions, 'format'>): Promise<Dataset> {
  const extensions = normaliseExtensions(options.extensions);
  const files = options.files ?? {};
  const fraction = options.holdOutNormal ?? 0;
  if (!(fraction >= 0 && fraction < 1)) {
    throw new DanflowError('BAD_ARGUMENT', `Folder dataset: holdOutNormal must be in [0, 1), got ${fraction}.`);
  }
  const base = path.resolve(options.root ?? '.');
  const normalDir = await requireDir('normalDir', options.normalDir, base);
  const normalInfo = (p: string): SampleInfo => ({ path: p, label: 0, defectType: NORMAL });

  const { kept, held } = holdOut(await imagesOf('normal', normalDir, files.normal, extensions), fraction);
  if (kept.length === 0) throw emptyTrainError(normalDir);
  const train = kept.map(normalInfo);

  const test: SampleInfo[] = [];
  if (options.normalTestDir !== undefined) {
    const dir = await requireDir('normalTestDir', options.normalTestDir, base);
    test.push(...(await imagesOf('normalTest', dir, files.normalTest, extensions)).map(normalInfo));
  }
  test.push(...held.map(normalInfo));

  if (options.abnormalDir !== undefined) {
    const dir = await requireDir('abnormalDir', options.abnormalDir, base);
    const defectType = path.basename(dir);
    const masks = options.maskDir !== undefined ? await MaskIndex.open(await requireDir('maskDir', options.maskDir, base), extensions, MASK_SUFFIXES) : undefined;
    const missing: MissingMask[] = [];
    for (const image of await imagesOf('abnormal', dir, files.abnormal, extensions)) {
      const maskPath = masks?.find(image);
      if (masks && !maskPath) missing.push({ image, expected: masks.expected(image) });
      test.push({ path: image, label: 1, defectType, ...(maskPath ? { maskPath } : {}) });
    }
    // Without a maskDir the caller has said there are no masks; with one, a gap is a mistake.
    if (missing.length > 0 && !options.allowMissingMasks) throw missingMasksError(missing);
  }

  let validation: SampleInfo[] | undefined;
  if (options.validationDir !== undefined) {
    const dir = await requireDir('validationDir', options.validationDir, base);
    validation = (await imagesOf('validation', dir, files.validation, extensions)).map(normalInfo);
  }

  return buildDataset({
    format: 'folder',
    root: normalDir,
    train,
    test,
    ...(validation ? { validation } : {}),
    maskThreshold: options.maskThreshold ?? 127,
  });
}
