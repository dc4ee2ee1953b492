import { describe, expect, it } from 'vitest';
import type { OutboundObservation } from './observations.js';
import { RootColumns } from './root-columns.js';

const call = (startUs: number, spanId = `c${startUs}`): OutboundObservation => ({
  traceId: `t${startUs}`, spanId, pod: 'p', workload: 'ns/w', callee: 'ns/db', startUs, endUs: startUs + 7,
  requestId: `r${startUs}`, root: true, delayUs: undefined, tailUs: undefined,
});

describe('RootColumns', () => {
  it('gives back each call, unresolved until a resolution is set', () => {
    const r = new RootColumns();
    const seq = r.push(call(10));
    expect(r.at(0, 'p')).toEqual({ seq, call: call(10), startUs: 10, resolution: undefined });
    expect(r.resolved(0)).toBe(false);
    r.setResolution(0, { kind: 'inferred', parent: { traceId: 'pt', spanId: 'ps' }, choiceProbability: 0.25 }, 42);
    expect(r.at(0, 'p').resolution).toEqual({ kind: 'inferred', parent: { traceId: 'pt', spanId: 'ps' }, choiceProbability: 0.25 });
    expect([r.kind(0), r.choiceProbability(0), r.parentWindow(0), r.resolved(0)]).toEqual(['inferred', 0.25, 42, true]);
    r.setResolution(0, { kind: 'unattributed', parent: undefined, choiceProbability: 0 }, -1);
    expect(r.at(0, 'p').resolution).toEqual({ kind: 'unattributed', parent: undefined, choiceProbability: 0 });
  });

  it('moves resolutions and sequence numbers with their calls when sorting and dropping', () => {
    const r = new RootColumns();
    const seqs = [30, 10, 20].map((s) => r.push(call(s)));
    r.setResolution(0, { kind: 'confirmed', parent: { traceId: 'x', spanId: 'for30' }, choiceProbability: 1 }, 7);
    r.sortFrom(0);
    expect([0, 1, 2].map((i) => r.startUs(i))).toEqual([10, 20, 30]);
    expect(r.at(2, 'p')).toMatchObject({ seq: seqs[0], call: { spanId: 'c30' }, resolution: { kind: 'confirmed', parent: { spanId: 'for30' } } });
    expect(r.parentWindow(2)).toBe(7);
    expect(r.resolved(0)).toBe(false);
    r.dropFront(2);
    expect(r.length).toBe(1);
    expect(r.at(0, 'p')).toMatchObject({ seq: seqs[0], call: call(30) });
  });
});
