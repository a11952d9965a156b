import { describe, expect, it } from 'vitest';
import { fnv1a32, hashBytes, hashUniform } from '../../../src/core/prng.js';
import { readGoldenJson } from '../../helpers/golden.js';

// The hash PRNG must match fixtures/scripts/make_golden.py bit for bit, or every manifest-based
// golden test would compare against different weights.
describe('hash PRNG matches the Python reference', () => {
  const check = readGoldenJson('prng-check.json');
  for (const u of check.uniform as any[]) it(`uniform tensor ${u.key}`, () => {
    expect(fnv1a32(u.key)).toBe(u.seed);
    const n = u.shape.reduce((a: number, b: number) => a * b, 1);
    const v = hashUniform(u.key, n, u.lo, u.hi);
    expect(Array.from(v.subarray(0, 8))).toEqual(u.first8);
    if (u.last8) expect(Array.from(v.subarray(n - 8))).toEqual(u.last8);
    let sum = 0;
    for (const x of v) sum += x;
    expect(Math.abs(sum - u.sum)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(u.sum)) * Math.sqrt(n));
  });
  it('uint8 image stream', () => {
    const img = check.uint8 ?? check.image;
    const list = Array.isArray(img) ? img : [img];
    for (const u of list) {
      const n = u.shape.reduce((a: number, b: number) => a * b, 1);
      const v = hashBytes(u.key, n);
      expect(Array.from(v.subarray(0, 8))).toEqual(u.first8);
      expect(v.reduce((a, b) => a + b, 0)).toBe(u.sum);
    }
  });
});
