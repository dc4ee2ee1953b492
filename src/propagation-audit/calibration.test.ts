import { describe, expect, it } from 'vitest';
import { calibratedSum, calibrateTimeWindow } from './calibration.js';

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

describe('calibratedSum', () => {
  it('equals the sum of calibrated values, for every scale and spread of raw values', () => {
    let x = 7;
    const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (const scale of [0, 0.01, 0.3, 0.97, 1, 1.7]) {
      const values = Array.from({ length: 500 }, (_, i) => (i % 50 === 0 ? 0 : rand())).sort((a, b) => a - b);
      const prefix = [0];
      for (const v of values) prefix.push(prefix.at(-1)! + v);
      const naive = values.reduce((sum, p) => sum + calibrateTimeWindow(p * scale), 0);
      expect(calibratedSum(values, prefix, scale)).toBeCloseTo(naive, 9);
    }
    expect(calibratedSum([], [0], 1)).toBe(0);
  });
});
