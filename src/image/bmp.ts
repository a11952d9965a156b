/**
 * BMP reading and writing in plain TypeScript, so it runs in the browser too and the Node path does
 * not depend on libvips (which cannot read BMP; BTAD ships its images as .bmp).
 *
 * Output convention of `decodeBmp`: uint8 RGB (3 channels) for every file without an alpha
 * channel — palettised and greyscale palettes included — and RGBA (4 channels) when the file
 * declares an alpha bit mask (BITFIELDS with a non-zero alpha mask, V4/V5 headers). Rows are
 * returned top-down whatever the file's row order.
 */
import { DanflowError } from '../core/errors.js';
import type { RawImage } from '../core/types.js';

const BI_RGB = 0;
const BI_RLE8 = 1;
const BI_RLE4 = 2;
const BI_BITFIELDS = 3;
const BI_JPEG = 4;
const BI_PNG = 5;
const BI_ALPHABITFIELDS = 6;

/** Guards against headers that would make us allocate gigabytes for a corrupt file. */
const MAX_PIXELS = 1 << 28;

export interface BmpHeader {
  width: number;
  height: number;
  /** true when the first stored row is the top of the image (negative height in the file). */
  topDown: boolean;
  bitsPerPixel: number;
  compression: number;
  headerSize: number;
  pixelOffset: number;
}

export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

function bad(name: string, problem: string): DanflowError {
  return new DanflowError(
    'BAD_IMAGE',
    `${name}: ${problem}. Re-export the file as a standard BMP (24-bit) or PNG.`,
  );
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads only the headers: enough to know an image's size without decoding its pixels. */
export function readBmpHeader(bytes: Uint8Array, name = 'BMP data'): BmpHeader {
  if (!isBmp(bytes)) throw bad(name, 'not a BMP file (missing the "BM" signature)');
  if (bytes.length < 26) throw bad(name, `truncated BMP (${bytes.length} bytes, the headers alone need more)`);
  const dv = view(bytes);
  const pixelOffset = dv.getUint32(10, true);
  const headerSize = dv.getUint32(14, true);
  if (headerSize === 12) {
    // OS/2 BITMAPCOREHEADER: 16-bit unsigned dimensions, always bottom-up.
    return {
      width: dv.getUint16(18, true),
      height: dv.getUint16(20, true),
      topDown: false,
      bitsPerPixel: dv.getUint16(24, true),
      compression: BI_RGB,
      headerSize,
      pixelOffset,
    };
  }
  if (headerSize < 40) throw bad(name, `unknown BMP header size ${headerSize}`);
  if (bytes.length < 14 + 40) throw bad(name, 'truncated BMP header');
  const rawHeight = dv.getInt32(22, true);
  return {
    width: dv.getInt32(18, true),
    height: Math.abs(rawHeight),
    topDown: rawHeight < 0,
    bitsPerPixel: dv.getUint16(28, true),
    compression: dv.getUint32(30, true),
    headerSize,
    pixelOffset,
  };
}

interface Channel {
  mask: number;
  shift: number;
  bits: number;
}

function channelOf(mask: number): Channel {
  const m = mask >>> 0;
  if (m === 0) return { mask: 0, shift: 0, bits: 0 };
  let shift = 0;
  while (((m >>> shift) & 1) === 0) shift++;
  let bits = 0;
  while (shift + bits < 32 && ((m >>> (shift + bits)) & 1) === 1) bits++;
  return { mask: m, shift, bits };
}

/**
 * Widens a channel to 8 bits as PIL does (integer `v * 255 / max`, truncated), so that 16-bit BMPs
 * decode to the same bytes the PyTorch reference sees through PIL.
 */
function extract(px: number, c: Channel): number {
  if (c.bits === 0) return 0;
  const v = ((px & c.mask) >>> 0) >>> c.shift;
  if (c.bits >= 8) return v >>> (c.bits - 8);
  return Math.floor((v * 255) / (2 ** c.bits - 1));
}

interface Masks {
  r: Channel;
  g: Channel;
  b: Channel;
  a: Channel;
}

function readMasks(dv: DataView, h: BmpHeader, name: string): Masks {
  const { compression, headerSize, bitsPerPixel } = h;
  if (compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) {
    // With a 40-byte header the masks follow it; larger headers carry them inside.
    const at = 14 + 40;
    if (dv.byteLength < at + 12) throw bad(name, 'truncated BMP (bit masks missing)');
    const hasAlpha = compression === BI_ALPHABITFIELDS || headerSize >= 56;
    if (hasAlpha && dv.byteLength < at + 16) throw bad(name, 'truncated BMP (alpha mask missing)');
    return {
      r: channelOf(dv.getUint32(at, true)),
      g: channelOf(dv.getUint32(at + 4, true)),
      b: channelOf(dv.getUint32(at + 8, true)),
      a: channelOf(hasAlpha ? dv.getUint32(at + 12, true) : 0),
    };
  }
  // BI_RGB defaults: 5-5-5 for 16 bit, BGRx for 32 bit (the x byte is padding, not alpha).
  if (bitsPerPixel === 16) {
    return { r: channelOf(0x7c00), g: channelOf(0x03e0), b: channelOf(0x001f), a: channelOf(0) };
  }
  return { r: channelOf(0xff0000), g: channelOf(0xff00), b: channelOf(0xff), a: channelOf(0) };
}

function readPalette(bytes: Uint8Array, h: BmpHeader, name: string): Uint8Array {
  const dv = view(bytes);
  const entrySize = h.headerSize === 12 ? 3 : 4;
  let start = 14 + h.headerSize;
  if (h.headerSize === 40 && h.compression === BI_BITFIELDS) start += 12;
  if (h.headerSize === 40 && h.compression === BI_ALPHABITFIELDS) start += 16;
  const declared = h.headerSize >= 40 ? dv.getUint32(46, true) : 0;
  const full = 2 ** h.bitsPerPixel;
  let count = declared === 0 || declared > full ? full : declared;
  // Some writers declare a full palette but store fewer entries before the pixels: trust the space.
  const room = Math.floor((Math.min(h.pixelOffset, bytes.length) - start) / entrySize);
  count = Math.max(0, Math.min(count, room));
  if (count === 0) throw bad(name, `palettised ${h.bitsPerPixel}-bit BMP without a colour table`);
  const rgb = new Uint8Array(full * 3); // indices past the stored table read as black
  for (let i = 0; i < count; i++) {
    const o = start + i * entrySize;
    rgb[i * 3] = bytes[o + 2];
    rgb[i * 3 + 1] = bytes[o + 1];
    rgb[i * 3 + 2] = bytes[o];
  }
  return rgb;
}

/** Expands RLE4/RLE8 streams to one palette index per pixel, rows bottom-up as stored. */
function decodeRle(bytes: Uint8Array, h: BmpHeader, name: string): Uint8Array {
  const { width, height } = h;
  const out = new Uint8Array(width * height);
  const four = h.compression === BI_RLE4;
  let p = h.pixelOffset;
  let x = 0;
  let y = 0;
  const put = (v: number) => {
    if (x < width && y < height) out[y * width + x] = v;
    x++;
  };
  while (y < height) {
    if (p + 1 >= bytes.length) throw bad(name, 'truncated RLE-compressed BMP');
    const n = bytes[p];
    const v = bytes[p + 1];
    p += 2;
    if (n > 0) {
      for (let i = 0; i < n; i++) put(four ? (i % 2 === 0 ? v >> 4 : v & 15) : v);
    } else if (v === 0) {
      x = 0;
      y++;
    } else if (v === 1) {
      break;
    } else if (v === 2) {
      if (p + 1 >= bytes.length) throw bad(name, 'truncated RLE-compressed BMP');
      x += bytes[p];
      y += bytes[p + 1];
      p += 2;
    } else {
      const stored = four ? Math.ceil(v / 2) : v;
      if (p + stored > bytes.length) throw bad(name, 'truncated RLE-compressed BMP');
      for (let i = 0; i < v; i++) put(four ? (i % 2 === 0 ? bytes[p + (i >> 1)] >> 4 : bytes[p + (i >> 1)] & 15) : bytes[p + i]);
      p += stored + (stored % 2); // absolute runs are padded to 16 bits
    }
  }
  return out;
}

/**
 * Decodes a BMP: BITMAPCOREHEADER, BITMAPINFOHEADER and V2–V5; 1/4/8-bit palettes (also RLE4/RLE8),
 * 16-bit (5-5-5 or bit fields), 24-bit, 32-bit (BI_RGB or bit fields); bottom-up and top-down.
 * `name` is used in error messages (pass the file path).
 */
export function decodeBmp(bytes: Uint8Array, name = 'BMP data'): RawImage {
  const h = readBmpHeader(bytes, name);
  const { width, height, bitsPerPixel: bpp, compression } = h;
  if (compression === BI_JPEG || compression === BI_PNG) {
    throw new DanflowError(
      'UNSUPPORTED',
      `${name}: BMP with embedded ${compression === BI_JPEG ? 'JPEG' : 'PNG'} data is not supported. Convert it to a plain PNG or 24-bit BMP.`,
    );
  }
  if (compression > BI_ALPHABITFIELDS) {
    throw new DanflowError('UNSUPPORTED', `${name}: unknown BMP compression ${compression}. Convert it to a plain PNG or 24-bit BMP.`);
  }
  if (![1, 4, 8, 16, 24, 32].includes(bpp)) throw bad(name, `unsupported bit depth ${bpp}`);
  if ((compression === BI_RLE8 && bpp !== 8) || (compression === BI_RLE4 && bpp !== 4)) {
    throw bad(name, `RLE compression ${compression} does not match bit depth ${bpp}`);
  }
  if ((compression === BI_BITFIELDS || compression === BI_ALPHABITFIELDS) && bpp !== 16 && bpp !== 32) {
    throw bad(name, `bit-field compression needs 16 or 32 bits per pixel, not ${bpp}`);
  }
  if (width <= 0 || height <= 0) throw bad(name, `invalid BMP size ${width}×${height}`);
  if (width * height > MAX_PIXELS) throw bad(name, `BMP size ${width}×${height} is implausibly large`);
  if (h.pixelOffset >= bytes.length) throw bad(name, 'truncated BMP (no pixel data)');

  const dv = view(bytes);
  const palette = bpp <= 8 ? readPalette(bytes, h, name) : undefined;
  const masks = bpp >= 16 ? readMasks(dv, h, name) : undefined;
  const channels = masks && masks.a.bits > 0 ? 4 : 3;
  const out = new Uint8Array(width * height * channels);

  if (compression === BI_RLE8 || compression === BI_RLE4) {
    const idx = decodeRle(bytes, h, name);
    for (let y = 0; y < height; y++) {
      const dst = (height - 1 - y) * width; // RLE bitmaps are always bottom-up
      for (let x = 0; x < width; x++) {
        const i = idx[y * width + x] * 3;
        const o = (dst + x) * 3;
        out[o] = palette![i];
        out[o + 1] = palette![i + 1];
        out[o + 2] = palette![i + 2];
      }
    }
    return { data: out, width, height, channels };
  }

  const stride = Math.floor((bpp * width + 31) / 32) * 4;
  // The last row need not carry its padding; anything shorter than that is a truncated file.
  const needed = h.pixelOffset + stride * (height - 1) + Math.ceil((bpp * width) / 8);
  if (bytes.length < needed) {
    throw bad(name, `truncated BMP (${bytes.length} bytes, ${width}×${height} at ${bpp} bit needs ${needed})`);
  }
  let alphaSeen = false;
  for (let y = 0; y < height; y++) {
    const row = h.pixelOffset + (h.topDown ? y : height - 1 - y) * stride;
    let o = y * width * channels;
    for (let x = 0; x < width; x++, o += channels) {
      if (palette) {
        const bit = x * bpp;
        const byte = bytes[row + (bit >> 3)];
        const i = ((byte >> (8 - bpp - (bit & 7))) & ((1 << bpp) - 1)) * 3;
        out[o] = palette[i];
        out[o + 1] = palette[i + 1];
        out[o + 2] = palette[i + 2];
      } else if (bpp === 24) {
        const s = row + x * 3;
        out[o] = bytes[s + 2];
        out[o + 1] = bytes[s + 1];
        out[o + 2] = bytes[s];
      } else {
        const px = bpp === 16 ? dv.getUint16(row + x * 2, true) : dv.getUint32(row + x * 4, true);
        out[o] = extract(px, masks!.r);
        out[o + 1] = extract(px, masks!.g);
        out[o + 2] = extract(px, masks!.b);
        if (channels === 4) {
          const a = extract(px, masks!.a);
          out[o + 3] = a;
          if (a !== 0) alphaSeen = true;
        }
      }
    }
  }
  // Many writers declare an alpha mask but leave it all zero; browsers show those as opaque, so do we.
  if (channels === 4 && !alphaSeen) for (let i = 3; i < out.length; i += 4) out[i] = 255;
  return { data: out, width, height, channels };
}

function toByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/**
 * Writes a 24-bit BITMAPINFOHEADER BMP (bottom-up unless `topDown`). Accepts 1 (grey), 3 or 4
 * channels (alpha is dropped); float data is rounded and clamped to 0..255.
 */
export function encodeBmp(img: RawImage, options: { topDown?: boolean } = {}): Uint8Array {
  const { width, height, channels, data } = img;
  if (![1, 3, 4].includes(channels)) {
    throw new DanflowError('BAD_ARGUMENT', `encodeBmp: ${channels} channels given; pass a 1, 3 or 4 channel image.`);
  }
  if (data.length !== width * height * channels) {
    throw new DanflowError('BAD_ARGUMENT', `encodeBmp: data holds ${data.length} values, ${width}×${height}×${channels} expected.`);
  }
  const stride = Math.floor((24 * width + 31) / 32) * 4;
  const pixelOffset = 14 + 40;
  const size = pixelOffset + stride * height;
  const bytes = new Uint8Array(size);
  const dv = view(bytes);
  bytes[0] = 0x42;
  bytes[1] = 0x4d;
  dv.setUint32(2, size, true);
  dv.setUint32(10, pixelOffset, true);
  dv.setUint32(14, 40, true);
  dv.setInt32(18, width, true);
  dv.setInt32(22, options.topDown ? -height : height, true);
  dv.setUint16(26, 1, true);
  dv.setUint16(28, 24, true);
  dv.setUint32(30, BI_RGB, true);
  dv.setUint32(34, stride * height, true);
  dv.setInt32(38, 2835, true); // 72 dpi
  dv.setInt32(42, 2835, true);
  for (let y = 0; y < height; y++) {
    const row = pixelOffset + (options.topDown ? y : height - 1 - y) * stride;
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * channels;
      const r = data[s];
      const g = channels === 1 ? r : data[s + 1];
      const b = channels === 1 ? r : data[s + 2];
      bytes[row + x * 3] = toByte(b);
      bytes[row + x * 3 + 1] = toByte(g);
      bytes[row + x * 3 + 2] = toByte(r);
    }
  }
  return bytes;
}
