import { describe, expect, it } from 'vitest';
import { smallInt } from './small-int.js';

describe('smallInt', () => {
  it('keeps every value exactly, in and beyond the small-integer range', () => {
    for (const n of [0, -1, 1, 999, 0x3fffffff, -0x3fffffff, 0x40000000, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 5, 2 ** 32 + 1, 1_700_000_000_000_000, -(2 ** 31) - 1]) {
      expect(smallInt(n), String(n)).toBe(n);
    }
  });
});
