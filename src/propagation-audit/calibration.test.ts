import { describe, expect, it } from 'vitest';
import { calibrateTimeWindow } from './calibration.js';

describe('calibrateTimeWindow', () => {
  it('is monotone, bounded and pinned at its knots', () => {
    let last = 0;
    for (let raw = 0; raw <= 1.0001; raw += 0.01) {
      const c = calibrateTimeWindow(raw);
      expect(c).toBeGreaterThanOrEqual(last);
      expect(c).toBeLessThanOrEqual(1);
      last = c;
    }
    expect(calibrateTimeWindow(0.854)).toBeCloseTo(0.564, 3);
    expect(calibrateTimeWindow(-1)).toBe(0);
    expect(calibrateTimeWindow(Number.NaN)).toBe(0);
    expect(calibrateTimeWindow(2)).toBe(0.97);
  });

  it('lowers the overconfident middle range the simulator showed', () => {
    expect(calibrateTimeWindow(0.85)).toBeLessThan(0.6);
    expect(calibrateTimeWindow(0.999)).toBeGreaterThan(0.95);
  });
});
