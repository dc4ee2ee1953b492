import { describe, expect, it } from 'vitest';
import { PropagationAuditor } from './auditor.js';
import { LiveAudit } from './live.js';

describe('LiveAudit.readRecently', () => {
  it('is true only within the period after a report was asked for', () => {
    let now = 1_000_000_000;
    const live = new LiveAudit(new PropagationAuditor(), () => now);
    expect(live.readRecently(60_000_000)).toBe(false);
    live.analysis(3_600_000_000);
    now += 59_000_000;
    expect(live.readRecently(60_000_000)).toBe(true);
    now += 2_000_000;
    expect(live.readRecently(60_000_000)).toBe(false);
  });
});
