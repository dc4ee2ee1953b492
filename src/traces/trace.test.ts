import { describe, expect, it } from 'vitest';
import { makeSpan } from '../../test/helpers/spans.js';
import { MemoryTraceStore } from './memory-store.js';
import { settleTrace, traceDurationUs } from './trace.js';

const TRACE = '0000000000000000000000000000abcd';
const span = (id: number, timestampUs: number, durationUs: number) =>
  makeSpan({ traceId: TRACE, id: id.toString(16).padStart(16, '0'), timestampUs, durationUs });

describe('a stored trace\'s times', () => {
  it.each([
    { name: 'current epoch times', startUs: 1_795_000_000_123_456, durationUs: 12_345, nowMs: 1_795_000_010_000 },
    { name: 'a split boundary', startUs: 2 ** 26 * 26_745_000, durationUs: 1, nowMs: 2 ** 26 },
    { name: 'times near the largest exact integer', startUs: Number.MAX_SAFE_INTEGER - 20, durationUs: 3, nowMs: Number.MAX_SAFE_INTEGER - 1 },
  ])('give back $name exactly', ({ startUs, durationUs, nowMs }) => {
    const t = settleTrace(TRACE, [span(1, startUs, durationUs), span(2, startUs + 1, durationUs - 1)], nowMs);
    expect(t).toMatchObject({ startUs, endUs: startUs + durationUs, settledAtMs: nowMs });
    expect(traceDurationUs(t)).toBe(durationUs);
  });

  it('are 0 for a trace whose spans have no timestamps', () => {
    const t = settleTrace(TRACE, [span(1, 0, 0)], 5);
    expect(t).toMatchObject({ startUs: 0, endUs: 0, settledAtMs: 5 });
  });

  it('drop fractions', () => {
    const t = settleTrace(TRACE, [span(1, 1_795_000_000_000_000.75, 10)], 1_795_000_000_000.5);
    expect(t).toMatchObject({ startUs: 1_795_000_000_000_000, endUs: 1_795_000_000_000_010, settledAtMs: 1_795_000_000_000 });
  });

  it('are held as small integers, so a stored trace carries no heap numbers for them', () => {
    const t = settleTrace(TRACE, [span(1, 1_795_000_000_000_000, 10)], 1_795_000_000_000);
    const own = Object.entries(t).filter(([, v]) => typeof v === 'number');
    expect(own.every(([, v]) => v === ((v as number) | 0))).toBe(true);
    expect(Object.keys(t)).not.toContain('startUs');
  });

  it('move when late spans widen the trace, and the trace keeps its settle time', () => {
    const store = new MemoryTraceStore({ retentionMs: 1e12, maxSpans: 100 });
    store.put(settleTrace(TRACE, [span(1, 1_795_000_000_000_100, 10)], 1_795_000_000_000));
    store.appendLate(TRACE, [span(2, 1_795_000_000_000_050, 100)]);
    expect(store.get(TRACE)).toMatchObject({ startUs: 1_795_000_000_000_050, endUs: 1_795_000_000_000_150, settledAtMs: 1_795_000_000_000, lateSpans: 1 });
  });
});
