import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DanflowError } from '../../../src/core/errors.js';
import {
  floatToHalf,
  halfToFloat,
  readSafetensors,
  writeSafetensors,
  type SafetensorsDtype,
  type WritableTensor,
} from '../../../src/io/safetensors.js';
import { FIXTURES } from '../../helpers/paths.js';
import path from 'node:path';

/** Builds a safetensors file from a raw header object and raw data bytes, bypassing our writer. */
function rawFile(header: unknown, data: Uint8Array, headerLenOverride?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, headerLenOverride ?? json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function u16le(values: number[]): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setUint16(i * 2, v, true));
  return out;
}

function expectFormatError(fn: () => unknown, ...fragments: (string | RegExp)[]): DanflowError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DanflowError);
  const err = caught as DanflowError;
  expect(err.code).toBe('MODEL_FORMAT');
  expect(err.message).toMatch(/truncated or not a safetensors file/);
  for (const f of fragments) expect(err.message).toMatch(f);
  return err;
}

describe('safetensors round trip', () => {
  it('writes and reads F32, F16 and I64 tensors with metadata', () => {
    const f32 = new Float32Array([1.5, -2.25, 3.125, 0, -0, 1e-20]);
    const f16 = new Float32Array([1, -0.5, 0.333251953125, 65504, 2 ** -24, -Infinity]);
    const bytes = writeSafetensors(
      {
        'layer.weight': { dtype: 'F32', shape: [2, 3], data: f32 },
        'layer.half': { dtype: 'F16', shape: [6], data: f16 },
        'bn.num_batches_tracked': { dtype: 'I64', shape: [], data: new BigInt64Array([9007199254740993n]) },
        'steps': { dtype: 'I64', shape: [2], data: [7, -3] },
      },
      { format: 'pt', note: 'héllo' },
    );
    // The header (and therefore the data buffer) is 8-byte aligned with space padding.
    const headerLen = new DataView(bytes.buffer).getUint32(0, true);
    expect(headerLen % 8).toBe(0);
    expect(bytes[8 + headerLen - 1] === 0x20 || bytes[8 + headerLen - 1] === 0x7d).toBe(true);

    const file = readSafetensors(bytes);
    expect(file.keys().sort()).toEqual(['bn.num_batches_tracked', 'layer.half', 'layer.weight', 'steps']);
    expect(file.metadata).toEqual({ format: 'pt', note: 'héllo' });
    const w = file.get('layer.weight');
    expect(w.dtype).toBe('F32');
    expect(w.shape).toEqual([2, 3]);
    expect(Array.from(w.data)).toEqual(Array.from(f32));
    expect(Object.is(w.data[4], -0)).toBe(true);
    expect(Array.from(file.get('layer.half').data)).toEqual(Array.from(f16));
    expect(Array.from(file.get('steps').data)).toEqual([7, -3]);
    const nbt = file.getFloat64('bn.num_batches_tracked');
    expect(nbt.shape).toEqual([]);
    expect(nbt.data.length).toBe(1);
    expect(nbt.data[0]).toBe(Number(9007199254740993n));
  });

  it('orders tensors like the reference library (dtype size first, then name)', () => {
    const bytes = writeSafetensors({
      b: { dtype: 'F16', shape: [1], data: [1] },
      a: { dtype: 'F16', shape: [1], data: [2] },
      c: { dtype: 'I64', shape: [1], data: [3] },
      d: { dtype: 'F32', shape: [1], data: [4] },
    });
    const file = readSafetensors(bytes);
    const byOffset = file.keys().sort((x, y) => file.info(x).dataOffsets[0] - file.info(y).dataOffsets[0]);
    expect(byOffset).toEqual(['c', 'd', 'a', 'b']);
  });

  it('decodes lazily: a corrupt value in one tensor does not stop reading another', () => {
    const bytes = writeSafetensors({ x: { dtype: 'F32', shape: [1], data: [1] }, y: { dtype: 'F32', shape: [1], data: [2] } });
    const file = readSafetensors(bytes);
    // Mutating the source after parsing shows data is read at get() time, not copied up front.
    const headerLen = new DataView(bytes.buffer).getUint32(0, true);
    const yOffset = 8 + headerLen + file.info('y').dataOffsets[0];
    new DataView(bytes.buffer).setFloat32(yOffset, 42, true);
    expect(file.get('y').data[0]).toBe(42);
    expect(file.get('x').data[0]).toBe(1);
  });

  it('rejects unknown tensor names with NOT_FOUND listing what exists', () => {
    const file = readSafetensors(writeSafetensors({ x: { dtype: 'F32', shape: [1], data: [1] } }));
    expect(() => file.get('nope')).toThrow(/'nope' is not in this safetensors file.*x/);
  });

  it('rejects writer inputs whose length does not match the shape', () => {
    expect(() => writeSafetensors({ x: { dtype: 'F32', shape: [2, 2], data: [1, 2, 3] } })).toThrow(/has 3 values but shape \[2, 2\] needs 4/);
  });
});

describe('half and bfloat16 conversion', () => {
  it('decodes hand-built F16 bits including subnormals, infinities and NaN', () => {
    const bits = [0x0000, 0x8000, 0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x0400, 0x7c00, 0xfc00, 0x7e00, 0x3555, 0x8001];
    const expected = [0, -0, 1, -2, 65504, 2 ** -24, 1023 * 2 ** -24, 2 ** -14, Infinity, -Infinity, NaN, 0.333251953125, -(2 ** -24)];
    const file = readSafetensors(rawFile({ h: { dtype: 'F16', shape: [bits.length], data_offsets: [0, bits.length * 2] } }, u16le(bits)));
    const got = Array.from(file.get('h').data);
    got.forEach((v, i) => expect(Object.is(v, expected[i]) || (Number.isNaN(v) && Number.isNaN(expected[i]))).toBe(true));
    expect(Object.is(got[1], -0)).toBe(true);
    expect(Number.isNaN(got[10])).toBe(true);
  });

  it('decodes hand-built BF16 bits including subnormals, infinities and NaN', () => {
    const bits = [0x3f80, 0xc000, 0x7f80, 0xff80, 0x7fc0, 0x4049, 0x0001, 0x8000, 0x0000];
    const expected = [1, -2, Infinity, -Infinity, NaN, 3.140625, 2 ** -133, -0, 0];
    const file = readSafetensors(rawFile({ b: { dtype: 'BF16', shape: [3, 3], data_offsets: [0, 18] } }, u16le(bits)));
    const t = file.get('b');
    expect(t.shape).toEqual([3, 3]);
    Array.from(t.data).forEach((v, i) => expect(Object.is(v, expected[i]) || (Number.isNaN(v) && Number.isNaN(expected[i]))).toBe(true));
  });

  it('encodes F16 with round-half-to-even, overflow to inf and subnormal underflow', () => {
    expect(floatToHalf(1)).toBe(0x3c00);
    expect(floatToHalf(-0)).toBe(0x8000);
    expect(floatToHalf(65504)).toBe(0x7bff);
    expect(floatToHalf(65519)).toBe(0x7bff); // just below the rounding midpoint
    expect(floatToHalf(65520)).toBe(0x7c00); // midpoint rounds to even → inf
    expect(floatToHalf(1e6)).toBe(0x7c00);
    expect(floatToHalf(-Infinity)).toBe(0xfc00);
    expect(floatToHalf(NaN) & 0x7c00).toBe(0x7c00);
    expect(floatToHalf(NaN) & 0x3ff).not.toBe(0);
    expect(floatToHalf(2 ** -24)).toBe(0x0001);
    expect(floatToHalf(2 ** -25)).toBe(0x0000); // exactly half the smallest subnormal: ties to even (0)
    expect(floatToHalf(1.5 * 2 ** -24)).toBe(0x0002); // tie between 1 and 2 → even
    expect(floatToHalf(3e-8)).toBe(0x0001);
    expect(floatToHalf(1e-8)).toBe(0x0000);
    expect(floatToHalf(1023 * 2 ** -24)).toBe(0x03ff);
    expect(floatToHalf(2 ** -14)).toBe(0x0400);
    expect(floatToHalf(0.1)).toBe(0x2e66);
    expect(floatToHalf(1 + 2 ** -11)).toBe(0x3c00); // tie → even mantissa
    expect(floatToHalf(1 + 3 * 2 ** -11)).toBe(0x3c02);
    // Every finite half value survives a decode/encode round trip.
    const broken: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) continue;
      if (floatToHalf(halfToFloat(h)) !== h) broken.push(h);
    }
    expect(broken).toEqual([]);
  });

  it('round-trips BF16 through the writer', () => {
    const values = [1, -2, Infinity, NaN, 3.140625, 2 ** -133, 1 + 2 ** -8];
    const file = readSafetensors(writeSafetensors({ b: { dtype: 'BF16', shape: [values.length], data: values } }));
    const got = Array.from(file.get('b').data);
    expect(got.slice(0, 3)).toEqual([1, -2, Infinity]);
    expect(Number.isNaN(got[3])).toBe(true);
    expect(got[4]).toBe(3.140625);
    expect(got[5]).toBe(2 ** -133);
    expect(got[6]).toBe(1); // 1 + 2^-8 is a tie between 1 and 1 + 2^-7; rounds to even
  });
});

describe('safetensors validation', () => {
  const good = writeSafetensors({
    'encoder.weight': { dtype: 'F32', shape: [4, 4], data: new Float32Array(16).fill(1) },
    'encoder.bias': { dtype: 'F32', shape: [4], data: new Float32Array(4) },
  });

  it('reports a file truncated inside the data buffer, naming the tensor', () => {
    expectFormatError(() => readSafetensors(good.subarray(0, good.length - 10)), /encoder\.weight|encoder\.bias/, /extend past the end/);
  });

  it('reports a file truncated inside the header', () => {
    expectFormatError(() => readSafetensors(good.subarray(0, 40)), /header length field says \d+ bytes but only 32 bytes follow/);
  });

  it('reports a file shorter than the length field', () => {
    expectFormatError(() => readSafetensors(new Uint8Array([1, 2, 3])), /only 3 bytes/);
  });

  it('reports an absurd header length (e.g. an HTML error page or a pickle file)', () => {
    const html = new TextEncoder().encode('<!DOCTYPE html><html><body>Not Found</body></html>');
    expectFormatError(() => readSafetensors(html), /header length field says \d+ bytes/, /starts with the text "<!DOCTYPE html>.*error page/);
    const hugeHigh = new Uint8Array(64);
    new DataView(hugeHigh.buffer).setUint32(4, 1, true);
    expectFormatError(() => readSafetensors(hugeHigh), /4294967\d+ bytes/);
  });

  it('reports a header that is not JSON', () => {
    const bytes = rawFile({}, new Uint8Array(0));
    bytes.set(new TextEncoder().encode('[x'), 8);
    expectFormatError(() => readSafetensors(bytes), /not valid UTF-8 JSON/);
  });

  it('reports overlapping offsets naming both tensors', () => {
    const header = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    };
    expectFormatError(() => readSafetensors(rawFile(header, new Uint8Array(12))), /'a'.*'b'.*overlapping/);
  });

  it('reports offsets that disagree with shape × dtype', () => {
    const header = { w: { dtype: 'F16', shape: [3], data_offsets: [0, 8] } };
    expectFormatError(() => readSafetensors(rawFile(header, new Uint8Array(8))), /'w' spans 8 bytes but dtype F16 with shape \[3\] needs 6/);
  });

  it('reports unknown dtypes and malformed entries', () => {
    expectFormatError(
      () => readSafetensors(rawFile({ q: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1))),
      /'q' has unknown or unsupported dtype "Q4"/,
    );
    expectFormatError(
      () => readSafetensors(rawFile({ q: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4))),
      /'q' has an invalid shape/,
    );
    expectFormatError(
      () => readSafetensors(rawFile({ q: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, new Uint8Array(4))),
      /'q' has invalid data_offsets/,
    );
  });

  it('validates when parsing, before any tensor is requested', () => {
    const header = { ok: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, bad: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } };
    expectFormatError(() => readSafetensors(rawFile(header, new Uint8Array(4))), /'bad'/);
  });
});

describe('golden file written by torch', () => {
  const root = path.join(FIXTURES, 'safetensors') + path.sep;
  const bytes = new Uint8Array(readFileSync(`${root}tiny.safetensors`));
  const expected = JSON.parse(readFileSync(`${root}tiny.expected.json`, 'utf8')) as {
    metadata: Record<string, string>;
    order: string[];
    tensors: Record<string, { dtype: SafetensorsDtype; shape: number[]; values: (number | string)[] }>;
  };
  const num = (v: number | string) => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number));
  const same = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

  it('decodes every tensor exactly as torch does', () => {
    const file = readSafetensors(bytes);
    expect(file.metadata).toEqual(expected.metadata);
    expect(file.keys().sort()).toEqual(Object.keys(expected.tensors).sort());
    for (const [name, exp] of Object.entries(expected.tensors)) {
      const want = exp.values.map(num);
      const f64 = file.getFloat64(name);
      expect(f64.dtype, name).toBe(exp.dtype);
      expect(f64.shape, name).toEqual(exp.shape);
      Array.from(f64.data).forEach((v, i) => expect(same(v, want[i]), `${name}[${i}] ${v} vs ${want[i]}`).toBe(true));
      const f32 = file.get(name);
      Array.from(f32.data).forEach((v, i) => expect(same(v, Math.fround(want[i])), `${name}[${i}] as f32`).toBe(true));
    }
    // Exact beyond 2^32 (would be wrong if only the low 32 bits were read).
    expect(file.getFloat64('bn.num_batches_tracked').data[0]).toBe(123456789012);
  });

  it('writeSafetensors reproduces the file byte for byte', () => {
    const tensors: Record<string, WritableTensor> = {};
    for (const [name, exp] of Object.entries(expected.tensors)) {
      tensors[name] = { dtype: exp.dtype, shape: exp.shape, data: exp.values.map(num) };
    }
    const written = writeSafetensors(tensors, expected.metadata);
    expect(Buffer.from(written).equals(Buffer.from(bytes))).toBe(true);
  });
});
