import { describe, expect, it } from 'vitest';
import { adaptiveStep } from './adaptive.js';
import type { AdaptiveTuning } from './adaptive.js';

const target = { targetTracesPerSecond: 10, minPercentage: 0.1, maxPercentage: 50 };
const tuning: AdaptiveTuning = { deadBand: 0.3, maxIncreaseFactor: 1.5, holdMs: 60_000 };
const NOW = 1_000_000;

describe('adaptiveStep', () => {
  const cases: { name: string; pct: number; observed: number | undefined; lastChange?: number; want: number; reason: string }[] = [
    { name: 'no measurement keeps the value', pct: 10, observed: undefined, want: 10, reason: 'no-measurement' },
    { name: 'within the dead band', pct: 10, observed: 12.5, want: 10, reason: 'within-dead-band' },
    { name: 'too many traces: lowers at once', pct: 10, observed: 40, want: 2.5, reason: 'lowered' },
    { name: 'too few traces: raises by at most 50%', pct: 10, observed: 1, want: 15, reason: 'raised' },
    { name: 'no traces: raises by 50%', pct: 4, observed: 0, want: 6, reason: 'raised' },
    { name: 'never above max', pct: 40, observed: 1, want: 50, reason: 'raised' },
    { name: 'never below min', pct: 1, observed: 1000, want: 0.1, reason: 'lowered' },
    { name: 'at the limit', pct: 50, observed: 1, want: 50, reason: 'at-limit' },
    { name: 'holds after a change', pct: 10, observed: 100, lastChange: NOW - 30_000, want: 10, reason: 'holding' },
    { name: 'moves again after the hold', pct: 10, observed: 100, lastChange: NOW - 60_000, want: 1, reason: 'lowered' },
  ];
  it.each(cases)('$name', ({ pct, observed, lastChange, want, reason }) => {
    const step = adaptiveStep(target, { percentage: pct, lastChangeMs: lastChange }, observed, NOW, tuning);
    expect(step).toMatchObject({ percentage: want, reason });
  });

  it('converges without oscillating on a workload whose real rate is steady', () => {
    // 2,000 requests/s start traces; the target is 10 sampled traces/s, i.e. 0.5%.
    const rate = (pct: number) => 2000 * (pct / 100);
    let state = { percentage: 50, lastChangeMs: undefined as number | undefined };
    const history: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = NOW + i * tuning.holdMs;
      const step = adaptiveStep(target, state, rate(state.percentage), t, tuning);
      if (step.changed) state = { percentage: step.percentage, lastChangeMs: t };
      history.push(state.percentage);
    }
    const tail = history.slice(-10);
    expect(new Set(tail).size).toBe(1);
    expect(rate(tail[0]!)).toBeGreaterThanOrEqual(7);
    expect(rate(tail[0]!)).toBeLessThanOrEqual(13);
  });
});
