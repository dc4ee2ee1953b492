import { describe, expect, it } from 'vitest';
import type { InboundObservation } from './observations.js';
import { WindowColumns } from './window-columns.js';

const window = (startUs: number, extra: Partial<InboundObservation> = {}): InboundObservation => ({
  traceId: `t${startUs}`, spanId: `s${startUs}`, pod: 'p', workload: 'ns/w', startUs, endUs: startUs + 10,
  requestId: undefined, outboundChildren: 0, ...extra,
});

function starts(w: WindowColumns): number[] {
  return Array.from({ length: w.length }, (_, i) => w.startUs(i));
}

describe('WindowColumns', () => {
  it('gives back every field of a window it holds', () => {
    const w = new WindowColumns();
    const o = window(5, { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), workload: 'shop/cart', endUs: 99, requestId: 'r-1', outboundChildren: 3 });
    w.push(o);
    expect(w.at(0, 'p')).toEqual(o);
    expect([w.startUs(0), w.endUs(0), w.outboundChildren(0), w.workload(0)]).toEqual([5, 99, 3, 'shop/cart']);
  });

  it('grows past its initial capacity and shrinks after most windows were dropped', () => {
    const w = new WindowColumns();
    for (let i = 0; i < 1000; i++) w.push(window(i, { outboundChildren: i }));
    expect(w.length).toBe(1000);
    w.dropFront(990);
    expect(w.length).toBe(10);
    expect(starts(w)).toEqual([990, 991, 992, 993, 994, 995, 996, 997, 998, 999]);
    expect(w.at(9, 'p')).toEqual(window(999, { outboundChildren: 999 }));
    for (let i = 0; i < 100; i++) w.push(window(2000 + i));
    expect(w.length).toBe(110);
    expect(w.startUs(109)).toBe(2099);
  });

  it('sorts appended windows into the sorted prefix, keeping equal starts in arrival order', () => {
    const w = new WindowColumns();
    for (const s of [10, 20, 30]) w.push(window(s));
    expect(w.sortFrom(0)).toBe(3);
    w.push(window(25, { spanId: 'first' }));
    w.push(window(5));
    w.push(window(25, { spanId: 'second' }));
    w.push(window(30, { spanId: 'later' }));
    expect(w.sortFrom(3)).toBe(7);
    expect(starts(w)).toEqual([5, 10, 20, 25, 25, 30, 30]);
    expect([w.at(3, 'p').spanId, w.at(4, 'p').spanId, w.at(5, 'p').spanId, w.at(6, 'p').spanId]).toEqual(['first', 'second', 's30', 'later']);
    // Every column moved with its window.
    expect(w.at(0, 'p')).toEqual(window(5));
  });

  it('matches a full sort over random rounds of appends', () => {
    let seed = 11;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const w = new WindowColumns();
    let sortedTo = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 20; i++) w.push(window(Math.floor(round * 10 + rand() * 40)));
      sortedTo = w.sortFrom(sortedTo);
      const s = starts(w);
      expect(s).toEqual([...s].sort((a, b) => a - b));
      for (let i = 0; i < w.length; i++) expect(w.at(i, 'p').spanId).toBe(`s${w.startUs(i)}`);
    }
  });

  it('finds bounds by start', () => {
    const w = new WindowColumns();
    for (const s of [1, 3, 3, 7]) w.push(window(s));
    expect([w.lowerBound(3), w.upperBound(3), w.lowerBound(0), w.upperBound(7), w.lowerBound(8)]).toEqual([1, 3, 0, 4, 4]);
    expect(w.upperBound(7, 2)).toBe(2);
  });
});
