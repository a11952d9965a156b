import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { naturalCompare, naturalSort, openDataset, type Dataset, type Sample } from '../../../src/data/index.js';
import { DanflowError } from '../../../src/core/errors.js';
import { encodeBmp } from '../../../src/image/bmp.js';
import type { RawImage } from '../../../src/core/types.js';
import { REPO_ROOT } from '../../helpers/paths.js';

const W = 12;
const H = 8;

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'danflow-datasets-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** An RGB image whose pixels encode the seed, so a decoded sample can be traced to its file. */
function pattern(seed: number, width = W, height = H): RawImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 3;
      data[o] = (seed * 16 + x) & 255;
      data[o + 1] = (y * 20) & 255;
      data[o + 2] = (seed * 7 + x * y) & 255;
    }
  return { data, width, height, channels: 3 };
}

/** A mask with foreground (value `on`) in the rectangle x0..x1 × y0..y1 (inclusive). */
function maskPixels(rect: [number, number, number, number], on = 255, width = W, height = H): Uint8Array {
  const [x0, y0, x1, y1] = rect;
  const data = new Uint8Array(width * height);
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) data[y * width + x] = on;
  return data;
}

async function put(file: string, bytes: Uint8Array): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, bytes);
  return file;
}

async function png(file: string, img: RawImage): Promise<string> {
  const raw = { raw: { width: img.width, height: img.height, channels: img.channels as 1 | 3 } };
  let s = sharp(img.data, raw);
  if (img.channels === 1) s = s.toColourspace('b-w');
  return put(file, await s.png().toBuffer());
}

async function jpg(file: string, img: RawImage): Promise<string> {
  const raw = { raw: { width: img.width, height: img.height, channels: 3 as const } };
  return put(file, await sharp(img.data, raw).jpeg({ quality: 95 }).toBuffer());
}

const bmp = (file: string, img: RawImage) => put(file, encodeBmp(img));
const greyMask = (rect: [number, number, number, number], on = 255): RawImage => ({ data: maskPixels(rect, on), width: W, height: H, channels: 1 });

async function collect(it: AsyncIterable<Sample>): Promise<Sample[]> {
  const out: Sample[] = [];
  for await (const s of it) out.push(s);
  return out;
}

async function expectError(p: Promise<unknown>, code: string, ...inMessage: string[]): Promise<DanflowError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DanflowError);
  const err = e as DanflowError;
  expect(err.code).toBe(code);
  for (const s of inMessage) expect(err.message).toContain(s);
  return err;
}

const names = (samples: readonly Sample[]) => samples.map((s) => path.relative(tmp, s.path).split(path.sep).join('/'));
const ones = (mask: { data: Uint8Array }) => mask.data.reduce((a, b) => a + b, 0);

describe('naturalCompare', () => {
  it('orders digit runs by value, deterministically', () => {
    expect(naturalSort(['img10.png', 'img2.png', 'img1.png', 'img02.png', 'a.png', 'img1b.png'])).toEqual([
      'a.png',
      'img1.png',
      'img1b.png',
      'img02.png',
      'img2.png',
      'img10.png',
    ]);
    expect(naturalCompare('000', '0')).not.toBe(0);
    expect(naturalSort(['Z', 'a', 'B'])).toEqual(['B', 'Z', 'a']); // code-unit order, not locale
    expect(naturalSort(['99999999999999999999', '100000000000000000000'])).toEqual(['99999999999999999999', '100000000000000000000']);
  });
});

describe('MVTec AD layout', () => {
  let root: string;
  beforeAll(async () => {
    root = path.join(tmp, 'mvtec');
    const c = path.join(root, 'bottle');
    for (const [i, n] of [1, 2, 10, 0].entries()) await png(path.join(c, 'train/good', `${n}.png`), pattern(i));
    await put(path.join(c, 'train/good/notes.txt'), new TextEncoder().encode('not an image'));
    await put(path.join(c, 'train/good/.DS_Store'), new Uint8Array(4));
    await png(path.join(c, 'test/good/000.png'), pattern(20));
    await png(path.join(c, 'test/good/001.png'), pattern(21));
    await png(path.join(c, 'test/broken_large/000.png'), pattern(30));
    await png(path.join(c, 'test/broken_large/001.png'), pattern(31));
    await png(path.join(c, 'test/contamination/000.png'), pattern(40));
    await png(path.join(c, 'ground_truth/broken_large/000_mask.png'), greyMask([1, 1, 2, 2]));
    await png(path.join(c, 'ground_truth/broken_large/001_mask.png'), greyMask([0, 0, 11, 0]));
    await png(path.join(c, 'ground_truth/contamination/000_mask.png'), greyMask([5, 5, 5, 5]));
    // another category, for the error messages that list categories
    await png(path.join(root, 'cable/train/good/000.png'), pattern(50));
  });

  it('lists splits, labels, defect types and counts without decoding', async () => {
    const ds = await openDataset({ format: 'mvtec', root, category: 'bottle' });
    expect(ds.root).toBe(path.join(root, 'bottle'));
    expect(ds.category).toBe('bottle');
    expect(ds.splits).toEqual(['train', 'test']);
    expect(ds.validation).toBeUndefined();
    expect(ds.summary).toEqual({
      format: 'mvtec',
      root: path.join(root, 'bottle'),
      category: 'bottle',
      train: { total: 4, normal: 4, anomalous: 0, masked: 0, byDefect: { good: 4 } },
      test: { total: 5, normal: 2, anomalous: 3, masked: 3, byDefect: { broken_large: 2, contamination: 1, good: 2 } },
    });
    const train = await collect(ds.train());
    expect(names(train)).toEqual(['mvtec/bottle/train/good/0.png', 'mvtec/bottle/train/good/1.png', 'mvtec/bottle/train/good/2.png', 'mvtec/bottle/train/good/10.png']);
    expect(train.every((s) => s.label === 0 && s.defectType === 'good' && s.maskPath === undefined)).toBe(true);

    const test = await collect(ds.test());
    expect(names(test)).toEqual([
      'mvtec/bottle/test/broken_large/000.png',
      'mvtec/bottle/test/broken_large/001.png',
      'mvtec/bottle/test/contamination/000.png',
      'mvtec/bottle/test/good/000.png',
      'mvtec/bottle/test/good/001.png',
    ]);
    expect(test.map((s) => s.label)).toEqual([1, 1, 1, 0, 0]);
    expect(test.map((s) => s.maskPath && path.relative(root, s.maskPath))).toEqual([
      'bottle/ground_truth/broken_large/000_mask.png',
      'bottle/ground_truth/broken_large/001_mask.png',
      'bottle/ground_truth/contamination/000_mask.png',
      undefined,
      undefined,
    ]);
    expect(ds.samples('test').map((s) => s.path)).toEqual(test.map((s) => s.path));
  });

  it('decodes images and masks lazily, with zero masks for normal images', async () => {
    const ds = await openDataset({ format: 'mvtec', root, category: 'bottle' });
    const [first] = ds.samples('train');
    const img = await first.image();
    expect(img).toMatchObject({ width: W, height: H, channels: 3 });
    expect([...img.data]).toEqual([...pattern(3).data]); // 0.png was written with seed 3

    const [broken0, broken1, contamination, good] = ds.samples('test');
    expect([...(await broken0.mask())!.data]).toEqual([...maskPixels([1, 1, 2, 2], 1)]);
    expect(ones((await broken1.mask())!)).toBe(12);
    expect(ones((await contamination.mask())!)).toBe(1);
    const zero = await good.mask();
    expect(zero).toMatchObject({ width: W, height: H });
    expect(ones(zero!)).toBe(0);
    expect(zero!.data.length).toBe(W * H);
  });

  it('is deterministic across opens', async () => {
    const a = await openDataset({ format: 'mvtec', root, category: 'bottle' });
    const b = await openDataset({ format: 'mvtec', root: path.join(root, 'bottle') });
    expect(b.samples('test').map((s) => s.path)).toEqual(a.samples('test').map((s) => s.path));
    expect(b.summary.test).toEqual(a.summary.test);
  });

  it('reads a validation/good split when there is one', async () => {
    const c = path.join(tmp, 'mvtec3d', 'tire');
    await png(path.join(c, 'train/good/000.png'), pattern(1));
    await png(path.join(c, 'validation/good/000.png'), pattern(2));
    await png(path.join(c, 'validation/good/001.png'), pattern(3));
    await png(path.join(c, 'test/good/000.png'), pattern(4));
    const ds = await openDataset({ format: 'mvtec', root: path.dirname(c), category: 'tire' });
    expect(ds.splits).toEqual(['train', 'validation', 'test']);
    expect(ds.summary.validation).toEqual({ total: 2, normal: 2, anomalous: 0, masked: 0, byDefect: { good: 2 } });
    const val = await collect(ds.validation!());
    expect(val.map((s) => path.basename(s.path))).toEqual(['000.png', '001.png']);
    expect([...(await val[1].image()).data]).toEqual([...pattern(3).data]);
  });

  it('opens a category with a corrupt image, and fails only when that image is decoded, naming it', async () => {
    const c = path.join(tmp, 'corrupt', 'cat');
    await png(path.join(c, 'train/good/000.png'), pattern(1));
    const broken = await put(path.join(c, 'train/good/001.png'), new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
    const ds = await openDataset({ format: 'mvtec', root: path.dirname(c), category: 'cat' });
    expect(ds.summary.train.total).toBe(2);
    const [ok, bad] = ds.samples('train');
    await ok.image();
    await expectError(bad.image(), 'BAD_IMAGE', broken);
  });

  it('fails with NOT_FOUND on a missing root, naming it', async () => {
    const missing = path.join(tmp, 'no-such-root');
    await expectError(openDataset({ format: 'mvtec', root: missing, category: 'bottle' }), 'NOT_FOUND', missing);
  });

  it('fails with NOT_FOUND on a missing category, listing the categories that exist', async () => {
    const e = await expectError(openDataset({ format: 'mvtec', root, category: 'screw' }), 'NOT_FOUND', path.join(root, 'screw'), 'bottle, cable', 'train/good');
    expect(e.message).toMatch(/Fix:/);
  });

  it('asks for a category when root holds several', async () => {
    await expectError(openDataset({ format: 'mvtec', root }), 'DATASET_LAYOUT', root, 'bottle, cable', 'category');
  });

  it('fails with DATASET_LAYOUT when train/good is missing, saying what was expected and found', async () => {
    const c = path.join(tmp, 'layout', 'odd');
    await png(path.join(c, 'training/000.png'), pattern(1));
    await expectError(openDataset({ format: 'mvtec', root: path.dirname(c), category: 'odd' }), 'DATASET_LAYOUT', path.join(c, 'train', 'good'), 'training');
  });

  it('fails with EMPTY_DATASET when the train folder has no images', async () => {
    const c = path.join(tmp, 'empty', 'cat');
    await put(path.join(c, 'train/good/readme.txt'), new Uint8Array(1));
    await png(path.join(c, 'train/good/rgb/000.png'), pattern(1)); // MVTec 3D-AD's nested layout
    await expectError(openDataset({ format: 'mvtec', root: path.dirname(c), category: 'cat' }), 'EMPTY_DATASET', path.join(c, 'train', 'good'), 'rgb');
  });

  it('fails when an anomalous image has no mask, naming the image and the expected mask', async () => {
    const c = path.join(tmp, 'nomask', 'cat');
    await png(path.join(c, 'train/good/000.png'), pattern(1));
    const img = await png(path.join(c, 'test/crack/007.png'), pattern(2));
    await png(path.join(c, 'test/crack/008.png'), pattern(3));
    await png(path.join(c, 'ground_truth/crack/008_mask.png'), greyMask([0, 0, 1, 1]));
    const e = await expectError(openDataset({ format: 'mvtec', root: path.dirname(c), category: 'cat' }), 'DATASET_LAYOUT', img, path.join(c, 'ground_truth', 'crack', '007_mask.*'), 'allowMissingMasks');
    expect(e.message).not.toContain('008.png');

    const ds = await openDataset({ format: 'mvtec', root: path.dirname(c), category: 'cat', allowMissingMasks: true });
    expect(ds.summary.test).toMatchObject({ anomalous: 2, masked: 1 });
    const [unmasked, masked] = ds.samples('test');
    expect(unmasked.maskPath).toBeUndefined();
    expect(await unmasked.mask()).toBeUndefined();
    expect(ones((await masked.mask())!)).toBe(4);
  });
});

describe('BTAD layouts', () => {
  /** 01: .bmp images + .png masks; 02: .png + .png; 03: .bmp + .bmp with the same name. */
  const variants = {
    '01': { image: 'bmp', mask: 'png' },
    '02': { image: 'png', mask: 'png' },
    '03': { image: 'bmp', mask: 'bmp' },
  } as const;
  let root: string;
  beforeAll(async () => {
    root = path.join(tmp, 'btad');
    for (const [cat, v] of Object.entries(variants)) {
      const write = (file: string, img: RawImage) => (v.image === 'bmp' ? bmp(`${file}.bmp`, img) : png(`${file}.png`, img));
      const c = path.join(root, cat);
      for (let i = 0; i < 3; i++) await write(path.join(c, 'train/ok', `000${i}`), pattern(i));
      await write(path.join(c, 'test/ok/0000'), pattern(10));
      await write(path.join(c, 'test/ko/0000'), pattern(11));
      await write(path.join(c, 'test/ko/0001'), pattern(12));
      for (const [stem, rect] of [
        ['0000', [0, 0, 3, 3]],
        ['0001', [4, 4, 4, 7]],
      ] as const) {
        const file = path.join(c, 'ground_truth/ko', stem);
        if (v.mask === 'bmp') await bmp(`${file}.bmp`, greyMask([...rect]));
        else await png(`${file}.png`, greyMask([...rect]));
      }
    }
  });

  for (const [cat, v] of Object.entries(variants)) {
    it(`reads BTAD ${cat} (${v.image} images, ${v.mask} masks)`, async () => {
      const ds = await openDataset({ format: 'btad', root, category: cat });
      expect(ds.summary.train).toEqual({ total: 3, normal: 3, anomalous: 0, masked: 0, byDefect: { ok: 3 } });
      expect(ds.summary.test).toEqual({ total: 3, normal: 1, anomalous: 2, masked: 2, byDefect: { ko: 2, ok: 1 } });
      const test = ds.samples('test');
      expect(test.map((s) => [path.basename(s.path), s.label, s.defectType, s.maskPath && path.basename(s.maskPath)])).toEqual([
        [`0000.${v.image}`, 1, 'ko', `0000.${v.mask}`],
        [`0001.${v.image}`, 1, 'ko', `0001.${v.mask}`],
        [`0000.${v.image}`, 0, 'ok', undefined],
      ]);
      expect([...(await test[1].image()).data]).toEqual([...pattern(12).data]);
      expect([...(await test[0].mask())!.data]).toEqual([...maskPixels([0, 0, 3, 3], 1)]);
      expect(ones((await test[1].mask())!)).toBe(4);
      expect(ones((await test[2].mask())!)).toBe(0);
      expect([...(await ds.samples('train')[2].image()).data]).toEqual([...pattern(2).data]);
    });
  }

  it('names the BTAD products that exist when the category is wrong', async () => {
    await expectError(openDataset({ format: 'btad', root, category: '04' }), 'NOT_FOUND', '01, 02, 03', 'train/ok');
  });
});

describe('VisA 1-class layout', () => {
  it('reads .JPG images and index-valued masks (any non-zero is a defect)', async () => {
    const c = path.join(tmp, 'visa', 'pcb1');
    await jpg(path.join(c, 'train/good/0001.JPG'), pattern(1));
    await jpg(path.join(c, 'train/good/0002.JPG'), pattern(2));
    await jpg(path.join(c, 'test/good/0100.JPG'), pattern(3));
    await jpg(path.join(c, 'test/bad/000.JPG'), pattern(4));
    await png(path.join(c, 'ground_truth/bad/000.png'), greyMask([2, 2, 4, 3], 1)); // VisA stores class index 1
    const ds = await openDataset({ format: 'visa', root: path.dirname(c), category: 'pcb1' });
    expect(ds.summary.train.total).toBe(2);
    expect(ds.summary.test).toEqual({ total: 2, normal: 1, anomalous: 1, masked: 1, byDefect: { bad: 1, good: 1 } });
    const [bad] = ds.samples('test');
    expect(bad).toMatchObject({ label: 1, defectType: 'bad' });
    expect(path.basename(bad.maskPath!)).toBe('000.png');
    expect(ones((await bad.mask())!)).toBe(6);
    const img = await bad.image();
    expect(img).toMatchObject({ width: W, height: H, channels: 3 });
    const ref = pattern(4).data;
    for (let i = 0; i < ref.length; i++) expect(Math.abs(img.data[i] - ref[i])).toBeLessThanOrEqual(12); // JPEG
    // with the 0/255 threshold those masks would vanish
    const strict = await openDataset({ format: 'visa', root: path.dirname(c), category: 'pcb1', maskThreshold: 127 });
    expect(ones((await strict.samples('test')[0].mask())!)).toBe(0);
  });
});

describe('KolektorSDD2 reorganised layout', () => {
  it('reads train/ok, test/{ok,ko} and same-name masks (and the original _GT names)', async () => {
    const c = path.join(tmp, 'ksdd2', 'split');
    for (let i = 0; i < 3; i++) await png(path.join(c, 'train/ok', `${10000 + i}.png`), pattern(i));
    await png(path.join(c, 'test/ok/20000.png'), pattern(5));
    await png(path.join(c, 'test/ko/20001.png'), pattern(6));
    await png(path.join(c, 'test/ko/20002.png'), pattern(7));
    await png(path.join(c, 'ground_truth/ko/20001.png'), greyMask([0, 0, 0, 0]));
    await png(path.join(c, 'ground_truth/ko/20002_GT.png'), greyMask([0, 0, 1, 0]));
    const ds = await openDataset({ format: 'ksdd2', root: path.join(tmp, 'ksdd2'), category: 'split' });
    expect(ds.summary.train).toMatchObject({ total: 3, normal: 3 });
    expect(ds.summary.test).toEqual({ total: 3, normal: 1, anomalous: 2, masked: 2, byDefect: { ko: 2, ok: 1 } });
    const [a, b, ok] = ds.samples('test');
    expect(path.basename(a.maskPath!)).toBe('20001.png');
    expect(path.basename(b.maskPath!)).toBe('20002_GT.png');
    expect(ones((await a.mask())!)).toBe(1);
    expect(ones((await b.mask())!)).toBe(2);
    expect(ok.label).toBe(0);
  });

  it('fails naming the image and mask when ground_truth/ko lacks one', async () => {
    const c = path.join(tmp, 'ksdd2-missing', 'split');
    await png(path.join(c, 'train/ok/1.png'), pattern(1));
    const img = await png(path.join(c, 'test/ko/2.png'), pattern(2));
    await expectError(openDataset({ format: 'ksdd2', root: path.dirname(c), category: 'split' }), 'DATASET_LAYOUT', img, path.join(c, 'ground_truth', 'ko', '2.*'));
  });
});

describe('folder dataset', () => {
  let base: string;
  beforeAll(async () => {
    base = path.join(tmp, 'folder');
    for (let i = 0; i < 8; i++) await png(path.join(base, 'normal', `n${i}.png`), pattern(i));
    await bmp(path.join(base, 'normal', 'n8.bmp'), pattern(8));
    await png(path.join(base, 'normal-test', 't0.png'), pattern(20));
    await png(path.join(base, 'defects', 'd1.png'), pattern(30));
    await jpg(path.join(base, 'defects', 'd2.jpg'), pattern(31));
    await png(path.join(base, 'masks', 'd1_mask.png'), greyMask([0, 0, 0, 1]));
    await png(path.join(base, 'masks', 'd2.png'), greyMask([3, 3, 5, 3]));
    await png(path.join(base, 'val', 'v0.png'), pattern(40));
  });

  it('builds train from normalDir and test from normalTestDir + abnormalDir, masks matched by stem', async () => {
    const ds = await openDataset({
      format: 'folder',
      normalDir: path.join(base, 'normal'),
      normalTestDir: path.join(base, 'normal-test'),
      abnormalDir: path.join(base, 'defects'),
      maskDir: path.join(base, 'masks'),
      validationDir: path.join(base, 'val'),
    });
    expect(ds.format).toBe('folder');
    expect(ds.summary.train).toEqual({ total: 9, normal: 9, anomalous: 0, masked: 0, byDefect: { good: 9 } });
    expect(ds.summary.test).toEqual({ total: 3, normal: 1, anomalous: 2, masked: 2, byDefect: { good: 1, defects: 2 } });
    expect(ds.summary.validation).toMatchObject({ total: 1, normal: 1 });
    const test = ds.samples('test');
    expect(test.map((s) => [path.basename(s.path), s.label, s.maskPath && path.basename(s.maskPath)])).toEqual([
      ['t0.png', 0, undefined],
      ['d1.png', 1, 'd1_mask.png'],
      ['d2.jpg', 1, 'd2.png'],
    ]);
    expect(ones((await test[1].mask())!)).toBe(2);
    expect(ones((await test[2].mask())!)).toBe(3);
    expect([...(await ds.samples('train')[8].image()).data]).toEqual([...pattern(8).data]);
  });

  it('holds out evenly spaced normal images for testing and accepts explicit file lists', async () => {
    const ds = await openDataset({ format: 'folder', normalDir: path.join(base, 'normal'), holdOutNormal: 0.25 });
    expect(ds.samples('train').map((s) => path.basename(s.path))).toEqual(['n0.png', 'n1.png', 'n2.png', 'n4.png', 'n5.png', 'n6.png', 'n8.bmp']);
    expect(ds.samples('test').map((s) => path.basename(s.path))).toEqual(['n3.png', 'n7.png']);

    const listed = await openDataset({ format: 'folder', normalDir: path.join(base, 'normal'), files: { normal: ['n5.png', path.join(base, 'normal', 'n1.png')] } });
    expect(listed.samples('train').map((s) => path.basename(s.path))).toEqual(['n5.png', 'n1.png']);
    const missing = path.join(base, 'normal', 'n99.png');
    await expectError(openDataset({ format: 'folder', normalDir: path.join(base, 'normal'), files: { normal: ['n99.png'] } }), 'NOT_FOUND', missing);
  });

  it('leaves masks undefined when no maskDir is given; resolves relative folders against root', async () => {
    const ds = await openDataset({ format: 'folder', root: base, normalDir: 'normal', abnormalDir: 'defects' });
    expect(ds.root).toBe(path.join(base, 'normal'));
    const anomalies = ds.samples('test');
    expect(anomalies).toHaveLength(2);
    expect(anomalies.every((s) => s.label === 1 && s.maskPath === undefined)).toBe(true);
    expect(await anomalies[0].mask()).toBeUndefined();
  });

  it('fails on a missing mask in maskDir, a missing folder and an empty normal folder', async () => {
    await put(path.join(base, 'defects2', 'x.png'), await sharp(pattern(1).data, { raw: { width: W, height: H, channels: 3 } }).png().toBuffer());
    await expectError(
      openDataset({ format: 'folder', normalDir: path.join(base, 'normal'), abnormalDir: path.join(base, 'defects2'), maskDir: path.join(base, 'masks') }),
      'DATASET_LAYOUT',
      path.join(base, 'defects2', 'x.png'),
      path.join(base, 'masks', 'x_mask.*'),
    );
    await expectError(openDataset({ format: 'folder', normalDir: path.join(base, 'nope') }), 'NOT_FOUND', path.join(base, 'nope'));
    await mkdir(path.join(base, 'empty'), { recursive: true });
    await expectError(openDataset({ format: 'folder', normalDir: path.join(base, 'empty') }), 'EMPTY_DATASET', path.join(base, 'empty'));
  });

  it('rejects an unknown format', async () => {
    await expectError(openDataset({ format: 'coco' } as never), 'BAD_ARGUMENT', 'coco', 'mvtec');
  });
});

// Real MVTec 3D-AD `tire` images (RGB only, MVTec AD layout) from the shared data folder.
const repoRoot = REPO_ROOT;
const shared = path.resolve(repoRoot, '../shared');
const tireRoot = path.join(shared, 'data', 'mvtec3d');
const hasTire = existsSync(path.join(tireRoot, 'tire'));
if (!hasTire) console.warn(`[datasets.test] skipping the real-data tests: ${path.join(tireRoot, 'tire')} is absent (it comes with ../shared beside the repository).`);

describe.skipIf(!hasTire)('real data: MVTec 3D-AD tire', () => {
  let ds: Dataset;
  beforeAll(async () => {
    ds = await openDataset({ format: 'mvtec', root: tireRoot, category: 'tire' });
  });

  it('counts the splits by listing', () => {
    expect(ds.splits).toEqual(['train', 'validation', 'test']);
    expect(ds.summary.train).toEqual({ total: 210, normal: 210, anomalous: 0, masked: 0, byDefect: { good: 210 } });
    expect(ds.summary.validation).toEqual({ total: 29, normal: 29, anomalous: 0, masked: 0, byDefect: { good: 29 } });
    expect(ds.summary.test).toEqual({
      total: 58,
      normal: 13,
      anomalous: 45,
      masked: 45,
      byDefect: { combined: 3, contamination: 14, cut: 14, good: 13, hole: 14 },
    });
  });

  it('pairs every test anomaly with a mask of its image size (400×300)', async () => {
    let n = 0;
    for await (const s of ds.test()) {
      if (s.label === 0) continue;
      expect(path.basename(s.maskPath!)).toBe(path.basename(s.path).replace('.png', '_mask.png'));
      expect(path.basename(path.dirname(s.maskPath!))).toBe(s.defectType);
      const [img, mask] = await Promise.all([s.image(), s.mask()]);
      expect(img).toMatchObject({ width: 400, height: 300, channels: 3 });
      expect(mask).toMatchObject({ width: 400, height: 300 });
      expect(ones(mask!)).toBeGreaterThan(0);
      n++;
    }
    expect(n).toBe(45);
  });

  it('gives normal test images an all-zero mask of the image size', async () => {
    const good = ds.samples('test').find((s) => s.label === 0)!;
    const mask = await good.mask();
    expect(mask).toMatchObject({ width: 400, height: 300 });
    expect(ones(mask!)).toBe(0);
  });
});
