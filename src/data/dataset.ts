/**
 * Turns listed files into a Dataset: summary counts, lazy samples and the split iterators. Shared by
 * every format so they all stream the same way — one image decoded at a time, when asked for.
 */
import { DanflowError } from '../core/errors.js';
import { decodeImageNode, decodeMaskNode, imageSizeNode } from '../image/decode-node.js';
import type { Dataset, DatasetFormat, DatasetSummary, Sample, SampleInfo, SplitName, SplitSummary } from './types.js';

export function summarise(infos: readonly SampleInfo[]): SplitSummary {
  const s: SplitSummary = { total: infos.length, normal: 0, anomalous: 0, masked: 0, byDefect: {} };
  for (const i of infos) {
    if (i.label === 1) s.anomalous++;
    else s.normal++;
    if (i.label === 1 && i.maskPath) s.masked++;
    s.byDefect[i.defectType] = (s.byDefect[i.defectType] ?? 0) + 1;
  }
  return s;
}

export function makeSample(info: SampleInfo, maskThreshold: number): Sample {
  return {
    ...info,
    image: () => decodeImageNode(info.path),
    mask: async () => {
      if (info.maskPath) return decodeMaskNode(info.maskPath, { threshold: maskThreshold });
      if (info.label === 1) return undefined;
      // Normal images have no mask file: their ground truth is all background, at the image's size.
      const { width, height } = await imageSizeNode(info.path);
      return { width, height, data: new Uint8Array(width * height) };
    },
  };
}

async function* stream(samples: readonly Sample[]): AsyncGenerator<Sample> {
  for (const s of samples) yield s;
}

export interface MissingMask {
  image: string;
  expected: string;
}

/** One error naming every anomalous image without a mask (up to a few) and where its mask was looked for. */
export function missingMasksError(missing: readonly MissingMask[]): DanflowError {
  const shown = missing.slice(0, 5).map((m) => `  ${m.image} (expected ${m.expected})`);
  if (missing.length > shown.length) shown.push(`  … and ${missing.length - shown.length} more`);
  return new DanflowError(
    'DATASET_LAYOUT',
    `${missing.length} anomalous image(s) have no ground-truth mask:\n${shown.join('\n')}\n` +
      'Fix: add the mask files, remove those images, or pass allowMissingMasks: true to evaluate without them.',
    { details: missing },
  );
}

export function emptyTrainError(where: string, hint = ''): DanflowError {
  return new DanflowError(
    'EMPTY_DATASET',
    `No training images found in ${where}.${hint} Fix: put the normal training images there (PNG, JPEG, BMP, WebP, TIFF or GIF) or point the dataset at the right folder.`,
  );
}

export interface DatasetParts {
  format: DatasetFormat;
  root: string;
  category?: string;
  train: SampleInfo[];
  test: SampleInfo[];
  validation?: SampleInfo[];
  maskThreshold: number;
}

export function buildDataset(parts: DatasetParts): Dataset {
  const samples: Partial<Record<SplitName, Sample[]>> = {
    train: parts.train.map((i) => makeSample(i, parts.maskThreshold)),
    test: parts.test.map((i) => makeSample(i, parts.maskThreshold)),
  };
  if (parts.validation) samples.validation = parts.validation.map((i) => makeSample(i, parts.maskThreshold));
  const summary: DatasetSummary = {
    format: parts.format,
    root: parts.root,
    train: summarise(parts.train),
    test: summarise(parts.test),
  };
  if (parts.category !== undefined) summary.category = parts.category;
  if (parts.validation) summary.validation = summarise(parts.validation);
  const splits = (['train', 'validation', 'test'] as const).filter((s) => samples[s] !== undefined);

  const get = (split: SplitName): readonly Sample[] => {
    const list = samples[split];
    if (!list) {
      throw new DanflowError('BAD_ARGUMENT', `This ${parts.format} dataset at ${parts.root} has no ${split} split; it has: ${splits.join(', ')}.`);
    }
    return list;
  };
  return {
    format: parts.format,
    root: parts.root,
    ...(parts.category !== undefined ? { category: parts.category } : {}),
    summary,
    splits,
    samples: get,
    train: () => stream(get('train')),
    test: () => stream(get('test')),
    ...(samples.validation ? { validation: () => stream(get('validation')) } : {}),
  };
}
