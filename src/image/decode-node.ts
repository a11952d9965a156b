/**
 * Image files in Node: the format is sniffed from the leading bytes (never the extension, which
 * datasets get wrong), BMP goes to our own decoder and everything else to sharp, imported lazily so
 * that browser bundles and BMP-only callers never load libvips.
 *
 * Conventions: `decodeImageNode` always returns uint8 RGB, 3 channels — greyscale is expanded to
 * three equal channels, alpha is dropped, 16-bit is scaled to 8-bit, CMYK and palettes are converted
 * to sRGB. EXIF orientation is NOT applied (as PIL's `Image.open` in the reference), so pixels keep
 * the stored orientation and `imageSizeNode` agrees with the decoded size.
 */
import { readFile } from 'node:fs/promises';
import { DanflowError, describeError } from '../core/errors.js';
import type { BinaryMask, RawImage } from '../core/types.js';
import { decodeBmp, isBmp, readBmpHeader } from './bmp.js';

export type ImageFormat = 'bmp' | 'png' | 'jpeg' | 'webp' | 'tiff' | 'gif';

export const SUPPORTED_FORMATS = 'PNG, JPEG, BMP, WebP, TIFF or GIF';

type Sharp = typeof import('sharp');

async function loadSharp(): Promise<Sharp> {
  try {
    return (await import('sharp')).default;
  } catch (e) {
    throw new DanflowError(
      'UNSUPPORTED',
      `Decoding PNG/JPEG/WebP/TIFF/GIF in Node needs the "sharp" package, which failed to load (${describeError(e)}). Fix: reinstall dependencies (npm install sharp) or use BMP input.`,
      { cause: e },
    );
  }
}

function startsWith(bytes: Uint8Array, sig: number[], at = 0): boolean {
  if (bytes.length < at + sig.length) return false;
  for (let i = 0; i < sig.length; i++) if (bytes[at + i] !== sig[i]) return false;
  return true;
}

/** The container format from magic bytes, or undefined when it is none we read. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  if (isBmp(bytes)) return 'bmp';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'webp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return 'tiff';
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return 'gif';
  return undefined;
}

export interface DecodeOptions {
  /** Used in error messages when `input` is bytes (paths name themselves). */
  name?: string;
}

async function readInput(input: string | Uint8Array, name?: string): Promise<{ bytes: Uint8Array; name: string }> {
  if (typeof input !== 'string') return { bytes: input, name: name ?? 'image bytes' };
  try {
    return { bytes: await readFile(input), name: input };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') {
      throw new DanflowError('NOT_FOUND', `Image file not found: ${input}. Fix: check the path (relative paths resolve from ${process.cwd()}).`, { cause: e });
    }
    if (code === 'EISDIR') {
      throw new DanflowError('BAD_ARGUMENT', `${input} is a directory, not an image file. Fix: pass the path of one image.`, { cause: e });
    }
    throw new DanflowError('BAD_IMAGE', `Cannot read image file ${input}: ${describeError(e)}.`, { cause: e });
  }
}

function unknownFormat(name: string, bytes: Uint8Array): DanflowError {
  const what = bytes.length === 0 ? 'the file is empty' : 'its bytes are not a known image format';
  return new DanflowError('BAD_IMAGE', `Cannot decode ${name}: ${what}. Supported formats: ${SUPPORTED_FORMATS}. Fix: re-export or replace the file.`);
}

function corrupt(name: string, format: ImageFormat, e: unknown): DanflowError {
  return new DanflowError(
    'BAD_IMAGE',
    `Cannot decode ${name}: corrupt or truncated ${format.toUpperCase()} (${describeError(e)}). Supported formats: ${SUPPORTED_FORMATS}. Fix: re-export or replace the file.`,
    { cause: e },
  );
}

/** Decodes with sharp into `channels`-wide uint8 pixels: 3 = sRGB, 1 = max over the colour channels. */
async function decodeWithSharp(bytes: Uint8Array, name: string, format: ImageFormat): Promise<RawImage> {
  const sharp = await loadSharp();
  try {
    // failOn 'warning' (the default, spelled out) makes truncated files fail instead of decoding half an image.
    const { data, info } = await sharp(bytes, { failOn: 'warning' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width: info.width, height: info.height, channels: info.channels };
  } catch (e) {
    throw corrupt(name, format, e);
  }
}

function toRgb(img: RawImage): RawImage {
  if (img.channels === 3) return img;
  const n = img.width * img.height;
  const out = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const s = i * img.channels;
    const grey = img.channels < 3;
    out[i * 3] = img.data[s];
    out[i * 3 + 1] = img.data[grey ? s : s + 1];
    out[i * 3 + 2] = img.data[grey ? s : s + 2];
  }
  return { data: out, width: img.width, height: img.height, channels: 3 };
}

/** Decodes a file path or encoded bytes to uint8 RGB (3 channels); see the module comment. */
export async function decodeImageNode(input: string | Uint8Array, options: DecodeOptions = {}): Promise<RawImage> {
  const { bytes, name } = await readInput(input, options.name);
  const format = sniffImageFormat(bytes);
  if (!format) throw unknownFormat(name, bytes);
  if (format === 'bmp') return toRgb(decodeBmp(bytes, name));
  return toRgb(await decodeWithSharp(bytes, name, format));
}

export interface MaskDecodeOptions extends DecodeOptions {
  /**
   * A pixel is foreground when its value is above this (default 127, for 0/255 masks). VisA's masks
   * store small class indices (0, 1, 2…), so its loader passes 0.
   */
  threshold?: number;
}

/**
 * Decodes a mask file to 0/1. Colour masks count a pixel as foreground when any colour channel is
 * above the threshold, so red-on-black annotations work as well as grey ones.
 */
export async function decodeMaskNode(input: string | Uint8Array, options: MaskDecodeOptions = {}): Promise<BinaryMask> {
  const img = await decodeImageNode(input, options);
  const threshold = options.threshold ?? 127;
  const n = img.width * img.height;
  const out = new Uint8Array(n);
  const d = img.data;
  for (let i = 0; i < n; i++) {
    const s = i * 3;
    out[i] = d[s] > threshold || d[s + 1] > threshold || d[s + 2] > threshold ? 1 : 0;
  }
  return { width: img.width, height: img.height, data: out };
}

/** Width and height from the file header only (no pixel decoding), matching what the decoders return. */
export async function imageSizeNode(input: string | Uint8Array, options: DecodeOptions = {}): Promise<{ width: number; height: number }> {
  const { bytes, name } = await readInput(input, options.name);
  const format = sniffImageFormat(bytes);
  if (!format) throw unknownFormat(name, bytes);
  if (format === 'bmp') {
    const h = readBmpHeader(bytes, name);
    return { width: h.width, height: h.height };
  }
  const sharp = await loadSharp();
  try {
    // Only the header is read, so sharp's pixel limit (meant for decoding) must not refuse it: callers
    // ask for the size precisely to apply their own limit before decoding.
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    if (!meta.width || !meta.height) throw new Error('no dimensions in header');
    return { width: meta.width, height: meta.height };
  } catch (e) {
    throw corrupt(name, format, e);
  }
}

/**
 * Encodes to PNG with sharp: 1 channel → greyscale PNG, 3 → RGB, 4 → RGBA. Float data (0..255) is
 * rounded and clamped.
 */
export async function encodePngNode(img: RawImage): Promise<Uint8Array> {
  const { width, height, channels } = img;
  if (![1, 2, 3, 4].includes(channels)) {
    throw new DanflowError('BAD_ARGUMENT', `encodePngNode: ${channels} channels given; PNG holds 1 to 4.`);
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new DanflowError('BAD_ARGUMENT', `encodePngNode: invalid size ${width}×${height}.`);
  }
  if (img.data.length !== width * height * channels) {
    throw new DanflowError('BAD_ARGUMENT', `encodePngNode: data holds ${img.data.length} values, ${width}×${height}×${channels} expected.`);
  }
  let pixels: Uint8Array;
  if (img.data instanceof Float32Array) {
    pixels = new Uint8Array(img.data.length);
    for (let i = 0; i < pixels.length; i++) {
      const v = img.data[i];
      pixels[i] = v <= 0 || Number.isNaN(v) ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  } else {
    pixels = new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  }
  const sharp = await loadSharp();
  let pipeline = sharp(pixels, { raw: { width, height, channels: channels as 1 | 2 | 3 | 4 } });
  // Without this sharp writes single-channel input as a 3-channel PNG.
  if (channels <= 2) pipeline = pipeline.toColourspace('b-w');
  const out = await pipeline.png().toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
