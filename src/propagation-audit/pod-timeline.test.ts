import { describe, expect, it } from 'vitest';
import { PodTimeline, sortTail } from './pod-timeline.js';
import type { InboundObservation } from './observations.js';

const timed = (starts: number[]): { startUs: number }[] => starts.map((startUs) => ({ startUs }));
const starts = (list: { startUs: number }[]): number[] => list.map((x) => x.startUs);

describe('sortTail', () => {
  it.each([
    { name: 'empty tail', list: [1, 2, 3], sortedTo: 3 },
    { name: 'tail after the prefix', list: [1, 2, 3, 7, 5, 6], sortedTo: 3 },
    { name: 'tail overlapping the prefix', list: [1, 4, 8, 9, 2, 8, 3], sortedTo: 4 },
    { name: 'tail entirely before the prefix', list: [5, 6, 7, 3, 1, 2], sortedTo: 3 },
    { name: 'nothing sorted yet', list: [3, 1, 2], sortedTo: 0 },
    { name: 'duplicates', list: [1, 2, 2, 2, 1], sortedTo: 3 },
    { name: 'sorted tail after an overlap', list: [1, 5, 9, 2, 3, 4], sortedTo: 3 },
  ])('$name', ({ list, sortedTo }) => {
    const expected = [...list].sort((a, b) => a - b);
    const items = timed(list);
    expect(sortTail(items, sortedTo)).toBe(list.length);
    expect(starts(items)).toEqual(expected);
  });

  it('matches a full sort over random rounds of appends', () => {
    let seed = 7;
    const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const list: { startUs: number }[] = [];
    let sortedTo = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 20; i++) list.push({ startUs: Math.floor(round * 10 + rand() * 40) });
      sortedTo = sortTail(list, sortedTo);
      expect(starts(list)).toEqual(starts(list).sort((a, b) => a - b));
    }
  });
});

describe('PodTimeline', () => {
  const window = (startUs: number, endUs: number): InboundObservation =>
    ({ startUs, endUs, spanId: `s${startUs}`, traceId: 't', workload: 'ns/w', pod: 'p', requestId: undefined, outboundChildren: 0, claim: undefined, moreClaims: undefined });

  it('finds windows and prunes correctly after out-of-order appends', () => {
    const t = new PodTimeline('p');
    for (const s of [100, 300, 200]) t.addInbound(window(s, s + 50));
    expect(t.windowsAt(220, 0).map((o) => o.startUs)).toEqual([200]);
    for (const s of [50, 400]) t.addInbound(window(s, s + 500));
    expect(t.windowsAt(320, 0).map((o) => o.startUs)).toEqual([300, 50]);
    t.prune(150);
    expect(t.inbound.map((o) => o.startUs)).toEqual([200, 300, 400]);
    t.addInbound(window(160, 170));
    expect(t.inboundBetween(0, 1000).map((o) => o.startUs)).toEqual([160, 200, 300, 400]);
  });
});
