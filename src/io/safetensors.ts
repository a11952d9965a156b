/**
 * Reader and writer for the safetensors format (https://github.com/huggingface/safetensors):
 * an 8-byte little-endian header length, a JSON header, then one flat byte buffer.
 *
 * Everything goes through DataView / explicit little-endian decoding and never Node's Buffer,
 * so the same code runs in browsers. The header is validated up front (cheap); tensor data is
 * only decoded when a tensor is asked for, because checkpoints often hold far more tensors
 * than a caller needs (e.g. a classifier head we never run).
 */
import { DanflowError } from '../core/errors.js';

export type SafetensorsDtype =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'I64'
  | 'U64'
  | 'I32'
  | 'U32'
  | 'I16'
  | 'U16'
  | 'I8'
  | 'U8'
  | 'BOOL';

const DTYPE_SIZE: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  U64: 8,
  I32: 4,
  U32: 4,
  I16: 2,
  U16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/**
 * The reference implementation orders tensors in the buffer by its Dtype enum, largest first, then
 * by name. Copying that order makes our files byte-identical to ones written by the Python library,
 * and keeps every tensor aligned to its element size.
 */
const REFERENCE_DTYPE_ORDER: SafetensorsDtype[] = [
  'BOOL', 'U8', 'I8', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64',
];

export interface TensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Offsets relative to the start of the data buffer (after the header), as in the file. */
  dataOffsets: [number, number];
}

export interface SafetensorsTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  /**
   * Values as float32. Integer tensors are converted too (I64/U64 values beyond 2^24 lose
   * precision here; use `getFloat64` when exact integers matter, e.g. BN `num_batches_tracked`).
   */
  data: Float32Array;
}

export interface SafetensorsFile {
  /** Tensor names in header order. */
  keys(): string[];
  has(name: string): boolean;
  /** Dtype, shape and offsets without decoding any data. */
  info(name: string): TensorInfo;
  /** Decodes one tensor to float32. Each call returns a fresh array the caller may mutate. */
  get(name: string): SafetensorsTensor;
  /** Decodes one tensor to float64: exact for F64 and for integers up to 2^53 (I64 step counters). */
  getFloat64(name: string): { dtype: SafetensorsDtype; shape: number[]; data: Float64Array };
  /** The optional `__metadata__` string map. */
  metadata: Record<string, string>;
}

export type WritableTensor = {
  dtype: SafetensorsDtype;
  shape: number[];
  /** I64/U64 also accept BigInt64Array/BigUint64Array for values beyond 2^53. */
  data: ArrayLike<number> | BigInt64Array | BigUint64Array;
};

const HINT = 'the file is probably truncated or not a safetensors file';

function formatError(problem: string): DanflowError {
  return new DanflowError('MODEL_FORMAT', `Invalid safetensors data: ${problem}; ${HINT}.`);
}

function isDtype(s: unknown): s is SafetensorsDtype {
  return typeof s === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_SIZE, s);
}

function elementCount(shape: number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

// Half-precision decoding via a 64K lookup table: built once on first use, then every element is
// a single indexed read, which matters for multi-megabyte F16 checkpoints.
let halfTable: Float32Array | undefined;

/** Converts one IEEE 754 binary16 bit pattern to a number (subnormals, ±inf and NaN included). */
export function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

function getHalfTable(): Float32Array {
  if (!halfTable) {
    halfTable = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) halfTable[i] = halfToFloat(i);
  }
  return halfTable;
}

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** Rounds a number to the nearest binary16 bit pattern (round-half-to-even, overflow → ±inf). */
export function floatToHalf(value: number): number {
  scratchF32[0] = value;
  const x = scratchU32[0];
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Result is a half subnormal (or zero): value in units of 2^-24 is full >> (14 - e).
    const shift = 14 - e;
    if (shift > 24) return sign;
    const full = mant | 0x800000;
    let m = full >>> shift;
    const rem = full & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (m & 1) !== 0)) m++;
    return sign | m;
  }
  let bits = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to inf).
  if (rem > 0x1000 || (rem === 0x1000 && (bits & 1) !== 0)) bits++;
  return sign | bits;
}

/** Rounds a number to the nearest bfloat16 bit pattern (round-half-to-even, NaN stays NaN). */
export function floatToBfloat16(value: number): number {
  scratchF32[0] = value;
  const x = scratchU32[0];
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Decodes `count` elements starting at `view` byte 0 into `out` (Float32Array or Float64Array). */
function decodeInto(dtype: SafetensorsDtype, bytes: Uint8Array, out: Float32Array | Float64Array): void {
  const n = out.length;
  // On little-endian hosts (every browser and Node platform in practice) native views over an
  // aligned copy are much faster than per-element DataView reads.
  if (HOST_LITTLE_ENDIAN) {
    const buf = bytes.slice().buffer;
    switch (dtype) {
      case 'F32': out.set(new Float32Array(buf, 0, n)); return;
      case 'F64': out.set(new Float64Array(buf, 0, n)); return;
      case 'I32': out.set(new Int32Array(buf, 0, n)); return;
      case 'U32': out.set(new Uint32Array(buf, 0, n)); return;
      case 'I16': out.set(new Int16Array(buf, 0, n)); return;
      case 'U16': out.set(new Uint16Array(buf, 0, n)); return;
      default: break;
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'F32': for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true); return;
    case 'F64': for (let i = 0; i < n; i++) out[i] = view.getFloat64(i * 8, true); return;
    case 'F16': {
      const table = getHalfTable();
      for (let i = 0; i < n; i++) out[i] = table[view.getUint16(i * 2, true)];
      return;
    }
    case 'BF16': {
      for (let i = 0; i < n; i++) {
        scratchU32[0] = view.getUint16(i * 2, true) << 16;
        out[i] = scratchF32[0];
      }
      return;
    }
    case 'I64': for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(i * 8, true)); return;
    case 'U64': for (let i = 0; i < n; i++) out[i] = Number(view.getBigUint64(i * 8, true)); return;
    case 'I32': for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true); return;
    case 'U32': for (let i = 0; i < n; i++) out[i] = view.getUint32(i * 4, true); return;
    case 'I16': for (let i = 0; i < n; i++) out[i] = view.getInt16(i * 2, true); return;
    case 'U16': for (let i = 0; i < n; i++) out[i] = view.getUint16(i * 2, true); return;
    case 'I8': for (let i = 0; i < n; i++) out[i] = view.getInt8(i); return;
    case 'U8': for (let i = 0; i < n; i++) out[i] = view.getUint8(i); return;
    case 'BOOL': for (let i = 0; i < n; i++) out[i] = view.getUint8(i) !== 0 ? 1 : 0; return;
  }
}

function parseHeader(bytes: Uint8Array): { infos: Map<string, TensorInfo>; metadata: Record<string, string>; dataStart: number } {
  if (bytes.byteLength < 8) {
    throw formatError(`the data is only ${bytes.byteLength} bytes, too short for the 8-byte header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  const headerLen = hi * 2 ** 32 + lo;
  if (headerLen > bytes.byteLength - 8) {
    const exact = (BigInt(hi) << 32n) | BigInt(lo);
    // Servers that answer with an HTML/JSON error page instead of the file are a common cause.
    const head = bytes.subarray(0, 8);
    const looksLikeText = head.every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f));
    const text = looksLikeText ? ` (it starts with the text ${JSON.stringify(new TextDecoder().decode(bytes.subarray(0, 24)))}, perhaps an error page)` : '';
    throw formatError(`the header length field says ${exact} bytes but only ${bytes.byteLength - 8} bytes follow it${text}`);
  }
  if (headerLen < 2) throw formatError(`the header length field is ${headerLen}, too small for a JSON header`);

  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen));
    header = JSON.parse(text);
  } catch (e) {
    throw formatError(`the ${headerLen}-byte header is not valid UTF-8 JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw formatError('the header is not a JSON object');
  }

  const dataStart = 8 + headerLen;
  const dataLen = bytes.byteLength - dataStart;
  const infos = new Map<string, TensorInfo>();
  let metadata: Record<string, string> = {};

  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        throw formatError('"__metadata__" is not a JSON object');
      }
      metadata = {};
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        // The spec says string→string; tolerate other JSON values rather than reject a usable file.
        metadata[k] = typeof v === 'string' ? v : JSON.stringify(v);
      }
      continue;
    }
    const entry = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (entry === null || typeof entry !== 'object') throw formatError(`tensor '${name}' has no header entry object`);
    if (!isDtype(entry.dtype)) {
      throw formatError(`tensor '${name}' has unknown or unsupported dtype ${JSON.stringify(entry.dtype)}`);
    }
    const shape = entry.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw formatError(`tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    }
    const offsets = entry.data_offsets;
    if (
      !Array.isArray(offsets) || offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]
    ) {
      throw formatError(`tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const expected = elementCount(shape as number[]) * DTYPE_SIZE[entry.dtype];
    if (end - begin !== expected) {
      throw formatError(
        `tensor '${name}' spans ${end - begin} bytes but dtype ${entry.dtype} with shape [${(shape as number[]).join(', ')}] needs ${expected}`,
      );
    }
    if (end > dataLen) {
      throw formatError(`tensor '${name}' data_offsets [${begin}, ${end}] extend past the end of the ${dataLen}-byte data buffer`);
    }
    infos.set(name, { dtype: entry.dtype, shape: [...(shape as number[])], dataOffsets: [begin, end] });
  }

  // Overlaps would let one tensor alias another's bytes, which no writer produces legitimately.
  const sorted = [...infos.entries()].sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0]);
  for (let i = 1; i < sorted.length; i++) {
    const [prevName, prev] = sorted[i - 1];
    const [name, cur] = sorted[i];
    if (cur.dataOffsets[0] < prev.dataOffsets[1]) {
      throw formatError(
        `tensors '${prevName}' [${prev.dataOffsets.join(', ')}] and '${name}' [${cur.dataOffsets.join(', ')}] have overlapping data_offsets`,
      );
    }
  }
  return { infos, metadata, dataStart };
}

/** Parses safetensors bytes. Throws DanflowError('MODEL_FORMAT') on any structural problem. */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  const { infos, metadata, dataStart } = parseHeader(bytes);

  const info = (name: string): TensorInfo => {
    const i = infos.get(name);
    if (!i) {
      const known = [...infos.keys()];
      const sample = known.slice(0, 8).join(', ') + (known.length > 8 ? ', …' : '');
      throw new DanflowError('NOT_FOUND', `Tensor '${name}' is not in this safetensors file (it has ${known.length}: ${sample}).`);
    }
    return i;
  };
  const slice = (i: TensorInfo) => bytes.subarray(dataStart + i.dataOffsets[0], dataStart + i.dataOffsets[1]);

  return {
    keys: () => [...infos.keys()],
    has: (name) => infos.has(name),
    info: (name) => {
      const i = info(name);
      return { dtype: i.dtype, shape: [...i.shape], dataOffsets: [...i.dataOffsets] };
    },
    get(name) {
      const i = info(name);
      const data = new Float32Array(elementCount(i.shape));
      decodeInto(i.dtype, slice(i), data);
      return { dtype: i.dtype, shape: [...i.shape], data };
    },
    getFloat64(name) {
      const i = info(name);
      const data = new Float64Array(elementCount(i.shape));
      decodeInto(i.dtype, slice(i), data);
      return { dtype: i.dtype, shape: [...i.shape], data };
    },
    metadata,
  };
}

function encodeInto(name: string, t: WritableTensor, out: DataView): void {
  const n = out.byteLength / DTYPE_SIZE[t.dtype];
  const d = t.data;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) {
    if (t.dtype !== 'I64' && t.dtype !== 'U64') {
      throw new DanflowError('BAD_ARGUMENT', `Tensor '${name}': BigInt data can only be written as I64 or U64, not ${t.dtype}.`);
    }
    for (let i = 0; i < n; i++) {
      if (t.dtype === 'I64') out.setBigInt64(i * 8, BigInt.asIntN(64, d[i]), true);
      else out.setBigUint64(i * 8, BigInt.asUintN(64, d[i]), true);
    }
    return;
  }
  const v = d as ArrayLike<number>;
  if (t.dtype === 'I64' || t.dtype === 'U64') {
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(v[i])) throw new DanflowError('BAD_ARGUMENT', `Tensor '${name}' has a non-finite value (${v[i]}) and cannot be written as ${t.dtype}.`);
    }
  }
  switch (t.dtype) {
    case 'F32': for (let i = 0; i < n; i++) out.setFloat32(i * 4, v[i], true); return;
    case 'F64': for (let i = 0; i < n; i++) out.setFloat64(i * 8, v[i], true); return;
    case 'F16': for (let i = 0; i < n; i++) out.setUint16(i * 2, floatToHalf(v[i]), true); return;
    case 'BF16': for (let i = 0; i < n; i++) out.setUint16(i * 2, floatToBfloat16(v[i]), true); return;
    case 'I64': for (let i = 0; i < n; i++) out.setBigInt64(i * 8, BigInt(Math.trunc(v[i])), true); return;
    case 'U64': for (let i = 0; i < n; i++) out.setBigUint64(i * 8, BigInt(Math.trunc(v[i])), true); return;
    case 'I32': for (let i = 0; i < n; i++) out.setInt32(i * 4, v[i], true); return;
    case 'U32': for (let i = 0; i < n; i++) out.setUint32(i * 4, v[i], true); return;
    case 'I16': for (let i = 0; i < n; i++) out.setInt16(i * 2, v[i], true); return;
    case 'U16': for (let i = 0; i < n; i++) out.setUint16(i * 2, v[i], true); return;
    case 'I8': for (let i = 0; i < n; i++) out.setInt8(i, v[i]); return;
    case 'U8': for (let i = 0; i < n; i++) out.setUint8(i, v[i]); return;
    case 'BOOL': for (let i = 0; i < n; i++) out.setUint8(i, v[i] ? 1 : 0); return;
  }
}

/**
 * Serialises tensors to safetensors bytes, laid out like the reference library (dtype order, then
 * name; header padded with spaces to a multiple of 8 bytes) so outputs are byte-comparable.
 */
export function writeSafetensors(tensors: Record<string, WritableTensor>, metadata?: Record<string, string>): Uint8Array {
  const rank = (d: SafetensorsDtype) => REFERENCE_DTYPE_ORDER.indexOf(d);
  const names = Object.keys(tensors);
  for (const name of names) {
    const t = tensors[name];
    if (name === '__metadata__') throw new DanflowError('BAD_ARGUMENT', `'__metadata__' is reserved and cannot be a tensor name.`);
    if (!isDtype(t.dtype)) throw new DanflowError('BAD_ARGUMENT', `Tensor '${name}' has unsupported dtype ${JSON.stringify(t.dtype)}.`);
    if (!t.shape.every((s) => Number.isSafeInteger(s) && s >= 0)) {
      throw new DanflowError('BAD_ARGUMENT', `Tensor '${name}' has an invalid shape [${t.shape.join(', ')}].`);
    }
    if (t.data.length !== elementCount(t.shape)) {
      throw new DanflowError(
        'BAD_ARGUMENT',
        `Tensor '${name}' has ${t.data.length} values but shape [${t.shape.join(', ')}] needs ${elementCount(t.shape)}.`,
      );
    }
  }
  names.sort((a, b) => rank(tensors[b].dtype) - rank(tensors[a].dtype) || (a < b ? -1 : a > b ? 1 : 0));

  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const name of names) {
    const t = tensors[name];
    const size = elementCount(t.shape) * DTYPE_SIZE[t.dtype];
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }

  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.byteLength / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, padded % 2 ** 32, true);
  view.setUint32(4, Math.floor(padded / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.byteLength, 8 + padded);

  const dataStart = 8 + padded;
  for (const name of names) {
    const [begin, end] = (header[name] as { data_offsets: [number, number] }).data_offsets;
    encodeInto(name, tensors[name], new DataView(out.buffer, dataStart + begin, end - begin));
  }
  return out;
}
