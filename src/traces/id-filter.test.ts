import { describe, expect, it } from 'vitest';
import { TraceIdFilter } from './id-filter.js';

describe('TraceIdFilter', () => {
  it('never says no to an id it holds, and mostly no to others', () => {
    const filter = new TraceIdFilter(1000);
    const held = Array.from({ length: 1000 }, (_, i) => (i * 2654435761).toString(16).padStart(32, '0'));
    for (const id of held) filter.add(id);
    for (const id of held) expect(filter.mayHave(id)).toBe(true);
    const others = Array.from({ length: 1000 }, (_, i) => `${i}`.padStart(32, 'a'));
    expect(others.filter((id) => filter.mayHave(id)).length).toBeLessThan(250);
  });

  it('forgets deleted ids, counting ids that share a bucket', () => {
    const filter = new TraceIdFilter(1);
    // Only the last eight characters pick the bucket: these two share one.
    const a = '0'.repeat(24) + '12345678';
    const b = '1'.repeat(24) + '12345678';
    filter.add(a);
    filter.add(b);
    filter.delete(a);
    expect(filter.mayHave(b)).toBe(true);
    filter.delete(b);
    expect(filter.mayHave(b)).toBe(false);
  });

  it('stays conservative once a bucket saturates', () => {
    const filter = new TraceIdFilter(1);
    const id = 'abc';
    for (let i = 0; i < 300; i++) filter.add(id);
    for (let i = 0; i < 300; i++) filter.delete(id);
    expect(filter.mayHave(id)).toBe(true);
  });
});
