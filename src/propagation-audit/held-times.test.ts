import { describe, expect, it } from 'vitest';
import { inbound, outbound, sid, tid } from '../../test/helpers/mesh-spans.js';
import type { Span } from '../model/index.js';
import { PropagationAuditor } from './auditor.js';
import { MAX_HELD_DURATION_US, OBSERVABLE_LIMIT_US } from './held-times.js';
import { observeTrace } from './observations.js';
import type { RootCall } from './observations.js';

const front = { workload: 'frontend' };

/** A request to frontend and frontend's call to backend that started a trace of its own. */
function pair(startUs: number, durationUs: number): Span[] {
  const request = { ...inbound(front, { traceId: tid(1), id: sid(1), startMs: 0, durationMs: 0 }), timestampUs: startUs, durationUs };
  const call = { ...outbound(front, 'backend', { traceId: tid(2), id: sid(2), startMs: 0, durationMs: 0 }), timestampUs: startUs + 7, durationUs: 5 };
  return [request, call];
}

describe('held observation times', () => {
  it.each([
    { name: 'a current timestamp', startUs: 1_795_000_000_123_456, durationUs: 12_345 },
    { name: 'the epoch', startUs: 0, durationUs: 0 },
    { name: 'a split boundary', startUs: 2 ** 26 * 1_000_003, durationUs: 1 },
    { name: 'a start near the largest exact integer', startUs: Number.MAX_SAFE_INTEGER - 20, durationUs: 3 },
  ])('give back $name exactly', ({ startUs, durationUs }) => {
    const obs = observeTrace(pair(startUs, durationUs));
    expect(obs.inbound[0]).toMatchObject({ startUs, endUs: startUs + durationUs });
    expect(obs.outbound[0]).toMatchObject({ startUs: startUs + 7, endUs: startUs + 12, root: true });
  });

  it('floor a fractional start and hold very long spans as about 18 minutes', () => {
    const obs = observeTrace(pair(1_795_000_000_000_000.5, 3_600_000_000));
    expect(obs.inbound[0]!.startUs).toBe(1_795_000_000_000_000);
    expect(obs.inbound[0]!.endUs - obs.inbound[0]!.startUs).toBe(MAX_HELD_DURATION_US);
  });

  it('leave out spans the audit cannot place in time, and count them', () => {
    const auditor = new PropagationAuditor();
    auditor.observe(pair(OBSERVABLE_LIMIT_US, 10));
    auditor.observe(pair(-1_000, 10));
    expect(auditor.observationsHeld).toBe(0);
    expect(auditor.futureSpansIgnored).toBe(4);
    auditor.observe(pair(1_795_000_000_000_000, 10));
    expect(auditor.observationsHeld).toBe(2);
  });
});

describe('a held root call\'s choice probability', () => {
  const root = (): RootCall => observeTrace(pair(1_795_000_000_000_000, 10)).outbound[0] as RootCall;

  it.each([0, 1, 1 / 3, 0.5, 1e-6, 0.999_999])('gives back %d to within 1e-9', (p) => {
    const r = root();
    r.choiceProbability = p;
    expect(Math.abs(r.choiceProbability - p)).toBeLessThan(1e-9);
  });

  it('is kept within 0..1, and a value that is not a number is held as 0', () => {
    const r = root();
    r.choiceProbability = 1.5;
    expect(r.choiceProbability).toBe(1);
    r.choiceProbability = -0.25;
    expect(r.choiceProbability).toBe(0);
    r.choiceProbability = Number.NaN;
    expect(r.choiceProbability).toBe(0);
  });

  it('is held as a small integer, so no root carries a heap number for it', () => {
    const r = root();
    r.choiceProbability = 2 / 3;
    expect(Number.isInteger((r as unknown as { choiceUnits: number }).choiceUnits)).toBe(true);
    expect(Object.keys(r)).not.toContain('choiceProbability');
  });
});
