import { describe, expect, it } from 'vitest';
import { MAX_HELD_PAIRS, heldPairs } from './held-pairs.js';

describe('heldPairs', () => {
  const source = Array.from({ length: 2 * MAX_HELD_PAIRS + 6 }, (_, i) => `v${i}`);

  it.each(Array.from({ length: MAX_HELD_PAIRS + 3 }, (_, k) => 2 * k))('copies the first %i entries, literal or sliced', (n) => {
    const copy = heldPairs(source, n);
    expect(copy).toEqual(source.slice(0, n));
    expect(copy).not.toBe(source);
  });

  it('gives a copy of its own: later writes to the scratch list do not reach it', () => {
    const scratch = ['k', 'v1', 'k2', 'v2'];
    const copy = heldPairs(scratch, 4);
    scratch[1] = 'changed';
    expect(copy).toEqual(['k', 'v1', 'k2', 'v2']);
  });

  it('keeps the entries themselves, not copies of them (interned values stay shared)', () => {
    const value = { shared: true };
    expect(heldPairs(['k', value], 2)[1]).toBe(value);
  });
});
