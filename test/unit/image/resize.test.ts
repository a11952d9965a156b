import { describe, expect, it } from 'vitest';
import { DanflowError } from '../../../src/core/errors.js';
import {
  bilinearTaps,
  resizeBilinearData,
  resizeImageBilinear,
  resizeMaskBilinear,
  resizeMaskNearest,
  resizeNearestData,
  resizeScoreMap,
} from '../../../src/image/resize.js';

/** PyTorch's align_corners=False bilinear on one axis, written straight from the formula. */
function torchLinear1d(src: number[], outSize: number): number[] {
  const n = src.length;
  const out: number[] = [];
  for (let d = 0; d < outSize; d++) {
    let x = ((d + 0.5) * n) / outSize - 0.5;
    if (x < 0) x = 0;
    const x0 = Math.floor(x);
    const x1 = x0 < n - 1 ? x0 + 1 : x0;
    const l = x - x0;
    out.push((1 - l) * src[x0] + l * src[x1]);
  }
  return out;
}

function close(actual: ArrayLike<number>, expected: number[], eps = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(eps);
}

describe('bilinear resize (align_corners = false, no antialias)', () => {
  it('2×2 → 4×4 gives the PyTorch values', () => {
    // F.interpolate(tensor([[0,4],[8,12]]), size=(4,4), mode='bilinear', align_corners=False)
    const out = resizeBilinearData(new Float32Array([0, 4, 8, 12]), 2, 2, 1, 4, 4);
    close(out, [0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12]);
  });

  it('samples at half-pixel centres: 4 → 2 averages pairs, edges clamp', () => {
    close(resizeBilinearData(new Float32Array([1, 2, 3, 4]), 4, 1, 1, 2, 1), [1.5, 3.5]);
    const taps = bilinearTaps(2, 4);
    expect([...taps.i0]).toEqual([0, 0, 0, 1]);
    expect([...taps.i1]).toEqual([1, 1, 1, 1]);
    close(taps.w1, [0, 0.25, 0.75, 0.25]); // past the last centre both taps hit the edge pixel
  });

  it('matches the 1-D formula for up- and downscaling by non-integer factors', () => {
    const src = [3, -1, 7.5, 0, 2, 10, 4];
    for (const outSize of [1, 2, 3, 5, 7, 10, 16, 23]) {
      close(resizeBilinearData(new Float32Array(src), src.length, 1, 1, outSize, 1), torchLinear1d(src, outSize));
      // the same along the other axis
      close(resizeBilinearData(new Float32Array(src), 1, src.length, 1, 1, outSize), torchLinear1d(src, outSize));
    }
  });

  it('is separable: a 2-D resize equals rows then columns by the 1-D formula', () => {
    const w = 5;
    const h = 3;
    const src = Array.from({ length: w * h }, (_, i) => Math.sin(i * 1.7) * 10);
    const ow = 8;
    const oh = 7;
    const rows = Array.from({ length: h }, (_, y) => torchLinear1d(src.slice(y * w, (y + 1) * w), ow));
    const expected: number[] = new Array(ow * oh);
    for (let x = 0; x < ow; x++) {
      const col = torchLinear1d(rows.map((r) => r[x]), oh);
      col.forEach((v, y) => (expected[y * ow + x] = v));
    }
    close(resizeBilinearData(new Float32Array(src), w, h, 1, ow, oh), expected, 1e-4);
  });

  it('resizes interleaved channels independently', () => {
    // two channels: c0 = [0, 4], c1 = [100, 0]
    const out = resizeBilinearData(new Float32Array([0, 100, 4, 0]), 2, 1, 2, 4, 1);
    close(out, [0, 100, 1, 75, 3, 25, 4, 0]);
  });

  it('is the identity at the same size', () => {
    const src = new Float32Array([1, 2, 3, 4, 5, 6]);
    close(resizeBilinearData(src, 3, 2, 1, 3, 2), [...src]);
  });

  it('keeps uint8 images uint8 (rounded) and float images float', () => {
    const u8 = resizeImageBilinear({ data: new Uint8Array([0, 255]), width: 2, height: 1, channels: 1 }, 4, 1);
    expect(u8.data).toBeInstanceOf(Uint8Array);
    expect([...u8.data]).toEqual([0, 64, 191, 255]); // 63.75 → 64, 191.25 → 191
    const f = resizeImageBilinear({ data: new Float32Array([0, 255]), width: 2, height: 1, channels: 1 }, 4, 1);
    expect(f.data).toBeInstanceOf(Float32Array);
    close(f.data, [0, 63.75, 191.25, 255]);
    const rgb = resizeImageBilinear({ data: new Uint8Array(2 * 2 * 3).fill(9), width: 2, height: 2, channels: 3 }, 5, 3);
    expect(rgb).toMatchObject({ width: 5, height: 3, channels: 3 });
    expect([...rgb.data].every((v) => v === 9)).toBe(true);
  });

  it('resizes score maps', () => {
    const map = resizeScoreMap({ width: 2, height: 2, data: new Float32Array([-1, 0, 0, -1]) }, 4, 4);
    expect(map).toMatchObject({ width: 4, height: 4 });
    close(map.data.subarray(0, 4), [-1, -0.75, -0.25, 0]);
    close(map.data.subarray(4, 8), [-0.75, -0.625, -0.375, -0.25]);
  });
});

describe('nearest resize for masks', () => {
  it("uses floor(dst·in/out) like mode='nearest', and floor((dst+0.5)·in/out) for 'nearest-exact'", () => {
    const row = new Uint8Array([10, 20, 30]);
    expect([...resizeNearestData(row, 3, 1, 1, 5, 1)]).toEqual([10, 10, 20, 20, 30]);
    expect([...resizeNearestData(row, 3, 1, 1, 5, 1, 'nearest-exact')]).toEqual([10, 10, 20, 30, 30]);
    const four = new Uint8Array([1, 2, 3, 4]);
    expect([...resizeNearestData(four, 4, 1, 1, 2, 1)]).toEqual([1, 3]);
    expect([...resizeNearestData(four, 4, 1, 1, 2, 1, 'nearest-exact')]).toEqual([2, 4]);
  });

  it('duplicates pixels on integer upscaling and keeps masks binary', () => {
    const mask = resizeMaskNearest({ width: 2, height: 2, data: new Uint8Array([1, 0, 0, 1]) }, 4, 4);
    expect([...mask.data]).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1]);
    const down = resizeMaskNearest({ width: 4, height: 4, data: mask.data }, 3, 2);
    expect(down).toMatchObject({ width: 3, height: 2 });
    expect([...down.data].every((v) => v === 0 || v === 1)).toBe(true);
  });

  it('keeps the input array type', () => {
    expect(resizeNearestData(new Float32Array([0.5, 1.5]), 2, 1, 1, 3, 1)).toBeInstanceOf(Float32Array);
    expect(resizeNearestData(new Uint8ClampedArray([1, 2]), 2, 1, 1, 3, 1)).toBeInstanceOf(Uint8ClampedArray);
  });

  it('binarises a bilinearly resized mask at 0.5', () => {
    // [1, 0] → 4 wide: 1, 0.75, 0.25, 0
    const m = resizeMaskBilinear({ width: 2, height: 1, data: new Uint8Array([1, 0]) }, 4, 1);
    expect([...m.data]).toEqual([1, 1, 0, 0]);
    expect([...resizeMaskBilinear({ width: 2, height: 1, data: new Uint8Array([1, 0]) }, 4, 1, 0.8).data]).toEqual([1, 0, 0, 0]);
  });
});

describe('resize argument checks', () => {
  it('rejects data of the wrong length and empty sizes with BAD_ARGUMENT', () => {
    for (const f of [
      () => resizeBilinearData(new Float32Array(3), 2, 2, 1, 4, 4),
      () => resizeBilinearData(new Float32Array(4), 2, 2, 1, 0, 4),
      () => resizeNearestData(new Uint8Array(4), 2, 2, 1, 3, 1.5),
    ]) {
      try {
        f();
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(DanflowError);
        expect((e as DanflowError).code).toBe('BAD_ARGUMENT');
      }
    }
  });
});
