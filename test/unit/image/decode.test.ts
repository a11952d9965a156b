import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DanflowError } from '../../../src/core/errors.js';
import { decodeBmp, encodeBmp, readBmpHeader } from '../../../src/image/bmp.js';
import { decodeImageNode, decodeMaskNode, encodePngNode, imageSizeNode, sniffImageFormat } from '../../../src/image/decode-node.js';
import type { RawImage } from '../../../src/core/types.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'danflow-decode-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Deterministic pseudo-random bytes, so failures reproduce. */
function noise(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

function rgb(width: number, height: number, seed = 1): RawImage {
  return { data: noise(width * height * 3, seed), width, height, channels: 3 };
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

interface BmpSpec {
  width: number;
  height: number;
  bpp: number;
  /** Packed pixel bytes of each row, top row first, without padding. */
  rows: Uint8Array[];
  compression?: number;
  headerSize?: 12 | 40 | 56 | 108 | 124;
  topDown?: boolean;
  palette?: [number, number, number][];
  masks?: [number, number, number, number?];
  /** Replaces the pixel data (RLE streams). */
  raw?: Uint8Array;
}

/** Writes BMP variants byte by byte, independently of encodeBmp, to pin the decoder on each. */
function buildBmp(s: BmpSpec): Uint8Array {
  const headerSize = s.headerSize ?? 40;
  const core = headerSize === 12;
  const maskBytes = headerSize === 40 && s.masks ? 4 * (s.masks[3] !== undefined ? 4 : 3) : 0;
  const entry = core ? 3 : 4;
  const paletteBytes = (s.palette?.length ?? 0) * entry;
  const offset = 14 + headerSize + maskBytes + paletteBytes;
  const stride = Math.floor((s.bpp * s.width + 31) / 32) * 4;
  const pixels = s.raw ?? new Uint8Array(stride * s.height);
  if (!s.raw) {
    s.rows.forEach((row, y) => pixels.set(row, (s.topDown ? y : s.height - 1 - y) * stride));
  }
  const out = new Uint8Array(offset + pixels.length);
  const dv = new DataView(out.buffer);
  out[0] = 0x42;
  out[1] = 0x4d;
  dv.setUint32(2, out.length, true);
  dv.setUint32(10, offset, true);
  dv.setUint32(14, headerSize, true);
  if (core) {
    dv.setUint16(18, s.width, true);
    dv.setUint16(20, s.height, true);
    dv.setUint16(22, 1, true);
    dv.setUint16(24, s.bpp, true);
  } else {
    dv.setInt32(18, s.width, true);
    dv.setInt32(22, s.topDown ? -s.height : s.height, true);
    dv.setUint16(26, 1, true);
    dv.setUint16(28, s.bpp, true);
    dv.setUint32(30, s.compression ?? 0, true);
    dv.setUint32(34, pixels.length, true);
    dv.setUint32(46, s.palette?.length ?? 0, true);
    if (s.masks) s.masks.forEach((m, i) => m !== undefined && dv.setUint32(54 + i * 4, m, true));
  }
  s.palette?.forEach(([r, g, b], i) => {
    const o = 14 + headerSize + maskBytes + i * entry;
    out[o] = b;
    out[o + 1] = g;
    out[o + 2] = r;
  });
  out.set(pixels, offset);
  return out;
}

const u8 = (...v: number[]) => new Uint8Array(v);
const u16 = (...v: number[]) => new Uint8Array(new Uint16Array(v).buffer);
const u32 = (...v: number[]) => new Uint8Array(new Uint32Array(v).buffer);

describe('BMP decoder', () => {
  it('round-trips encodeBmp exactly, with row padding (width 5 → 16-byte rows)', () => {
    const img = rgb(5, 3);
    const bytes = encodeBmp(img);
    expect(bytes.length).toBe(54 + 16 * 3);
    const out = decodeBmp(bytes);
    expect(out).toMatchObject({ width: 5, height: 3, channels: 3 });
    expect([...out.data]).toEqual([...img.data]);
  });

  it('reads bottom-up and top-down files to the same pixels', () => {
    const img = rgb(4, 3, 7);
    const up = encodeBmp(img);
    const down = encodeBmp(img, { topDown: true });
    expect(Buffer.from(up).equals(Buffer.from(down))).toBe(false);
    expect(readBmpHeader(up).topDown).toBe(false);
    expect(readBmpHeader(down)).toMatchObject({ topDown: true, width: 4, height: 3 });
    expect([...decodeBmp(down).data]).toEqual([...img.data]);
    expect([...decodeBmp(up).data]).toEqual([...img.data]);
    // first stored row of a bottom-up file is the bottom image row
    expect([...up.subarray(54, 57)]).toEqual([img.data[2 * 12 + 2], img.data[2 * 12 + 1], img.data[2 * 12]]);
  });

  it('encodes greyscale input as equal RGB channels and drops alpha', () => {
    const grey: RawImage = { data: u8(0, 50, 255, 7), width: 2, height: 2, channels: 1 };
    expect([...decodeBmp(encodeBmp(grey)).data]).toEqual([0, 0, 0, 50, 50, 50, 255, 255, 255, 7, 7, 7]);
    const rgba: RawImage = { data: u8(1, 2, 3, 4, 5, 6, 7, 8), width: 2, height: 1, channels: 4 };
    expect([...decodeBmp(encodeBmp(rgba)).data]).toEqual([1, 2, 3, 5, 6, 7]);
  });

  const palette: [number, number, number][] = [
    [0, 0, 0],
    [255, 0, 0],
    [0, 255, 0],
    [10, 20, 30],
  ];

  it('decodes an 8-bit palettised image', () => {
    const bytes = buildBmp({ width: 3, height: 2, bpp: 8, palette, rows: [u8(0, 1, 2), u8(3, 2, 1)] });
    const out = decodeBmp(bytes);
    expect(out.channels).toBe(3);
    expect([...out.data]).toEqual([0, 0, 0, 255, 0, 0, 0, 255, 0, 10, 20, 30, 0, 255, 0, 255, 0, 0]);
  });

  it('decodes an 8-bit palette stored with an OS/2 core header (3-byte entries)', () => {
    const bytes = buildBmp({ headerSize: 12, width: 2, height: 2, bpp: 8, palette, rows: [u8(1, 2), u8(3, 0)] });
    expect([...decodeBmp(bytes).data]).toEqual([255, 0, 0, 0, 255, 0, 10, 20, 30, 0, 0, 0]);
  });

  it('decodes 4-bit and 1-bit palettes (sub-byte packing, high bits first)', () => {
    const four = buildBmp({ width: 3, height: 1, bpp: 4, palette, rows: [u8(0x31, 0x20)] });
    expect([...decodeBmp(four).data]).toEqual([10, 20, 30, 255, 0, 0, 0, 255, 0]);
    const one = buildBmp({
      width: 10,
      height: 2,
      bpp: 1,
      palette: [
        [0, 0, 0],
        [255, 255, 255],
      ],
      rows: [u8(0b10110000, 0b01000000), u8(0xff, 0xc0)],
    });
    const out = decodeBmp(one);
    const bits = [...out.data].filter((_, i) => i % 3 === 0).map((v) => (v ? 1 : 0));
    expect(bits).toEqual([1, 0, 1, 1, 0, 0, 0, 0, 0, 1, ...Array(10).fill(1)]);
  });

  it('decodes 16-bit 5-5-5 (BI_RGB) and 5-6-5 bit fields', () => {
    const rgb555 = buildBmp({ width: 3, height: 1, bpp: 16, rows: [u16(0x7c00, 0x03e0, 0x0010)] });
    // as PIL: ⌊16·255/31⌋ = 131
    expect([...decodeBmp(rgb555).data]).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 131]);
    const rgb565 = buildBmp({ width: 2, height: 1, bpp: 16, compression: 3, masks: [0xf800, 0x07e0, 0x001f], rows: [u16(0xf800 | 0x001f, 0x0400)] });
    // ⌊32·255/63⌋ = 129
    expect([...decodeBmp(rgb565).data]).toEqual([255, 0, 255, 0, 129, 0]);
  });

  it('decodes 32-bit BI_RGB as RGB, ignoring the padding byte', () => {
    const bytes = buildBmp({ width: 2, height: 1, bpp: 32, rows: [u8(3, 2, 1, 99, 30, 20, 10, 0)] });
    const out = decodeBmp(bytes);
    expect(out.channels).toBe(3);
    expect([...out.data]).toEqual([1, 2, 3, 10, 20, 30]);
  });

  it('decodes 32-bit bit fields with alpha (V4 and V5 headers) as RGBA', () => {
    for (const headerSize of [108, 124] as const) {
      const bytes = buildBmp({
        headerSize,
        width: 2,
        height: 1,
        bpp: 32,
        compression: 3,
        masks: [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000],
        rows: [u32(0x80010203, 0x00ffeedd)],
      });
      const out = decodeBmp(bytes);
      expect(out.channels).toBe(4);
      expect([...out.data]).toEqual([1, 2, 3, 128, 255, 238, 221, 0]);
    }
  });

  it('treats an all-zero alpha channel as opaque', () => {
    const bytes = buildBmp({
      headerSize: 56,
      width: 2,
      height: 1,
      bpp: 32,
      compression: 3,
      masks: [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000],
      rows: [u32(0x00010203, 0x00040506)],
    });
    expect([...decodeBmp(bytes).data]).toEqual([1, 2, 3, 255, 4, 5, 6, 255]);
  });

  it('decodes RLE8 (encoded runs, absolute runs, end of line, end of bitmap)', () => {
    // bottom row: run of 3 × index 1, then absolute [2, 3, 0] (padded), end of line;
    // top row: run 2 × index 3, then end of bitmap (the rest stays index 0).
    const raw = u8(3, 1, 0, 3, 2, 3, 0, 0, 0, 0, 2, 3, 0, 1);
    const bytes = buildBmp({ width: 6, height: 2, bpp: 8, compression: 1, palette, rows: [], raw });
    const idx = [3, 3, 0, 0, 0, 0, 1, 1, 1, 2, 3, 0];
    expect([...decodeBmp(bytes).data]).toEqual(idx.flatMap((i) => palette[i]));
  });

  it('decodes RLE4 runs with alternating nibbles', () => {
    const raw = u8(3, 0x12, 0, 1);
    const bytes = buildBmp({ width: 3, height: 1, bpp: 4, compression: 2, palette, rows: [], raw });
    expect([...decodeBmp(bytes).data]).toEqual([1, 2, 1].flatMap((i) => palette[i]));
  });

  it('rejects truncated files and embedded JPEG with clear errors naming the file', () => {
    const bytes = encodeBmp(rgb(8, 8));
    expect(() => decodeBmp(bytes.subarray(0, bytes.length - 30), 'cam/0001.bmp')).toThrow(/cam\/0001\.bmp: truncated BMP/);
    expect(() => decodeBmp(bytes.subarray(0, 20), 'x.bmp')).toThrow(/x\.bmp: truncated/);
    const jpegInBmp = buildBmp({ width: 1, height: 1, bpp: 24, compression: 4, rows: [u8(0, 0, 0)] });
    try {
      decodeBmp(jpegInBmp, 'odd.bmp');
      expect.unreachable();
    } catch (e) {
      expect((e as DanflowError).code).toBe('UNSUPPORTED');
      expect((e as DanflowError).message).toContain('odd.bmp');
    }
  });
});

describe('decodeImageNode', () => {
  it('sniffs formats from magic bytes, not extensions', async () => {
    const png = await sharp(rgb(2, 2).data, { raw: { width: 2, height: 2, channels: 3 } }).png().toBuffer();
    const jpg = await sharp(rgb(2, 2).data, { raw: { width: 2, height: 2, channels: 3 } }).jpeg().toBuffer();
    const webp = await sharp(rgb(2, 2).data, { raw: { width: 2, height: 2, channels: 3 } }).webp().toBuffer();
    const tif = await sharp(rgb(2, 2).data, { raw: { width: 2, height: 2, channels: 3 } }).tiff().toBuffer();
    const gif = await sharp(rgb(2, 2).data, { raw: { width: 2, height: 2, channels: 3 } }).gif().toBuffer();
    expect([png, jpg, webp, tif, gif, encodeBmp(rgb(1, 1))].map((b) => sniffImageFormat(b))).toEqual(['png', 'jpeg', 'webp', 'tiff', 'gif', 'bmp']);
    expect(sniffImageFormat(noise(64))).toBeUndefined();
    // a PNG saved with a .jpg name still decodes
    const misnamed = path.join(dir, 'really-a-png.jpg');
    await writeFile(misnamed, png);
    expect((await decodeImageNode(misnamed)).width).toBe(2);
  });

  it('round-trips an RGB PNG exactly, from a path and from bytes', async () => {
    const img = rgb(7, 5, 3);
    const file = path.join(dir, 'rgb.png');
    await sharp(img.data, { raw: { width: 7, height: 5, channels: 3 } }).png().toFile(file);
    for (const input of [file, new Uint8Array(await sharp(file).toBuffer())]) {
      const out = await decodeImageNode(input);
      expect(out).toMatchObject({ width: 7, height: 5, channels: 3 });
      expect(out.data).toBeInstanceOf(Uint8Array);
      expect([...out.data]).toEqual([...img.data]);
    }
  });

  it('decodes a BMP file to the RGB pixels encoded', async () => {
    const img = rgb(6, 4, 11);
    const file = path.join(dir, 'img.bmp');
    await writeFile(file, encodeBmp(img));
    expect([...(await decodeImageNode(file)).data]).toEqual([...img.data]);
    expect(await imageSizeNode(file)).toEqual({ width: 6, height: 4 });
  });

  it('expands greyscale to 3 equal channels and drops alpha (PNG and 32-bit BMP)', async () => {
    const grey = u8(0, 64, 128, 255, 10, 20);
    const greyPng = await sharp(grey, { raw: { width: 3, height: 2, channels: 1 } }).toColourspace('b-w').png().toBuffer();
    expect((await sharp(greyPng).metadata()).channels).toBe(1);
    const g = await decodeImageNode(greyPng);
    expect(g.channels).toBe(3);
    expect([...g.data]).toEqual([...grey].flatMap((v) => [v, v, v]));

    const rgba = u8(255, 0, 0, 128, 0, 255, 0, 0);
    const rgbaPng = await sharp(rgba, { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    expect([...(await decodeImageNode(rgbaPng)).data]).toEqual([255, 0, 0, 0, 255, 0]);

    const bmp32 = buildBmp({ headerSize: 124, width: 1, height: 1, bpp: 32, compression: 3, masks: [0xff0000, 0xff00, 0xff, 0xff000000], rows: [u32(0x7f0a0b0c)] });
    expect([...(await decodeImageNode(bmp32)).data]).toEqual([10, 11, 12]);
  });

  it('scales 16-bit PNG to 8 bit', async () => {
    const png16 = await sharp(u8(0, 128, 255), { raw: { width: 3, height: 1, channels: 1 } }).toColourspace('grey16').png().toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const out = await decodeImageNode(png16);
    expect([...out.data]).toEqual([0, 0, 0, 128, 128, 128, 255, 255, 255]);
  });

  it('decodes JPEG, lossless WebP, TIFF and GIF', async () => {
    const flat: RawImage = { data: new Uint8Array(16 * 8 * 3).fill(0).map((_, i) => [200, 100, 50][i % 3]), width: 16, height: 8, channels: 3 };
    const raw = { raw: { width: 16, height: 8, channels: 3 as const } };
    const jpg = await decodeImageNode(await sharp(flat.data, raw).jpeg({ quality: 95 }).toBuffer());
    expect(jpg).toMatchObject({ width: 16, height: 8, channels: 3 });
    for (let i = 0; i < jpg.data.length; i++) expect(Math.abs(jpg.data[i] - flat.data[i])).toBeLessThanOrEqual(3);

    const img = rgb(9, 4, 5);
    const raw2 = { raw: { width: 9, height: 4, channels: 3 as const } };
    expect([...(await decodeImageNode(await sharp(img.data, raw2).webp({ lossless: true }).toBuffer())).data]).toEqual([...img.data]);
    expect([...(await decodeImageNode(await sharp(img.data, raw2).tiff({ compression: 'lzw' }).toBuffer())).data]).toEqual([...img.data]);
    const gif = await decodeImageNode(await sharp(flat.data, raw).gif().toBuffer());
    expect(gif).toMatchObject({ width: 16, height: 8, channels: 3 });
    expect([...gif.data.subarray(0, 3)]).toEqual([200, 100, 50]);
  });

  it('fails with NOT_FOUND naming a missing file', async () => {
    const missing = path.join(dir, 'nope', 'missing.png');
    await expectError(decodeImageNode(missing), 'NOT_FOUND', missing);
    await expectError(decodeMaskNode(missing), 'NOT_FOUND', missing);
    await expectError(imageSizeNode(missing), 'NOT_FOUND', missing);
  });

  it('fails with BAD_IMAGE naming corrupt, truncated and unknown files and the supported formats', async () => {
    const img = rgb(32, 32, 9);
    const png = await sharp(img.data, { raw: { width: 32, height: 32, channels: 3 } }).png().toBuffer();
    const truncated = path.join(dir, 'truncated.png');
    await writeFile(truncated, png.subarray(0, Math.floor(png.length / 2)));
    const e = await expectError(decodeImageNode(truncated), 'BAD_IMAGE', truncated, 'PNG', 'Supported formats');
    expect(e.message).toMatch(/BMP/);

    const jpg = await sharp(img.data, { raw: { width: 32, height: 32, channels: 3 } }).jpeg().toBuffer();
    const truncatedJpg = path.join(dir, 'truncated.jpg');
    await writeFile(truncatedJpg, jpg.subarray(0, Math.floor(jpg.length / 2)));
    await expectError(decodeImageNode(truncatedJpg), 'BAD_IMAGE', truncatedJpg, 'JPEG');

    const random = path.join(dir, 'random.png');
    await writeFile(random, noise(500, 42));
    await expectError(decodeImageNode(random), 'BAD_IMAGE', random, 'PNG, JPEG, BMP');

    const empty = path.join(dir, 'empty.bmp');
    await writeFile(empty, new Uint8Array(0));
    await expectError(decodeImageNode(empty), 'BAD_IMAGE', empty, 'empty');

    const badBmp = path.join(dir, 'cut.bmp');
    await writeFile(badBmp, encodeBmp(img).subarray(0, 300));
    await expectError(decodeImageNode(badBmp), 'BAD_IMAGE', badBmp, 'truncated');

    await expectError(decodeImageNode(noise(10)), 'BAD_IMAGE', 'image bytes');
    await expectError(decodeImageNode(noise(10), { name: 'upload #3' }), 'BAD_IMAGE', 'upload #3');
  });
});

describe('decodeMaskNode', () => {
  it('binarises at > 127 by default and at a given threshold', async () => {
    const values = u8(0, 127, 128, 255, 1, 200);
    const png = await sharp(values, { raw: { width: 3, height: 2, channels: 1 } }).toColourspace('b-w').png().toBuffer();
    const mask = await decodeMaskNode(png);
    expect(mask).toMatchObject({ width: 3, height: 2 });
    expect([...mask.data]).toEqual([0, 0, 1, 1, 0, 1]);
    expect([...(await decodeMaskNode(png, { threshold: 0 })).data]).toEqual([0, 1, 1, 1, 1, 1]);
  });

  it('counts coloured annotations (red on black) and reads BMP masks', async () => {
    const red: RawImage = { data: u8(255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 200, 0), width: 2, height: 2, channels: 3 };
    expect([...(await decodeMaskNode(encodeBmp(red))).data]).toEqual([1, 0, 0, 1]);
    const png = await sharp(red.data, { raw: { width: 2, height: 2, channels: 3 } }).png().toBuffer();
    expect([...(await decodeMaskNode(png)).data]).toEqual([1, 0, 0, 1]);
  });
});

describe('encodePngNode', () => {
  it('writes 1-channel data as a greyscale PNG that decodes back exactly', async () => {
    const grey: RawImage = { data: u8(0, 1, 254, 255, 100, 7), width: 3, height: 2, channels: 1 };
    const png = await encodePngNode(grey);
    expect(sniffImageFormat(png)).toBe('png');
    const meta = await sharp(png).metadata();
    expect(meta).toMatchObject({ channels: 1, width: 3, height: 2 });
    expect([...(await decodeMaskNode(png, { threshold: 0 })).data]).toEqual([0, 1, 1, 1, 1, 1]);
    expect([...(await decodeImageNode(png)).data].filter((_, i) => i % 3 === 0)).toEqual([...grey.data]);
  });

  it('round-trips RGB and RGBA, rounding and clamping float data', async () => {
    const img = rgb(5, 5, 21);
    expect([...(await decodeImageNode(await encodePngNode(img))).data]).toEqual([...img.data]);
    const rgba: RawImage = { data: u8(1, 2, 3, 4), width: 1, height: 1, channels: 4 };
    const { data } = await sharp(await encodePngNode(rgba)).raw().toBuffer({ resolveWithObject: true });
    expect([...data]).toEqual([1, 2, 3, 4]);
    const float: RawImage = { data: new Float32Array([-5, 0.4, 0.6, 254.5, 300, Number.NaN]), width: 2, height: 1, channels: 3 };
    expect([...(await decodeImageNode(await encodePngNode(float))).data]).toEqual([0, 0, 1, 255, 255, 0]);
  });

  it('rejects data of the wrong length', async () => {
    await expectError(encodePngNode({ data: u8(1, 2, 3), width: 2, height: 2, channels: 1 }), 'BAD_ARGUMENT', '2×2×1');
  });
});
