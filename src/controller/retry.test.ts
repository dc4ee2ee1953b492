import { describe, expect, it } from 'vitest';
import { isRetryable, withRetry } from './retry.js';

const apiError = (code: number, headers: Record<string, string> = {}) => Object.assign(new Error(`HTTP ${code}`), { code, headers });

describe('withRetry', () => {
  it.each([
    { name: '429 honours Retry-After', errors: [apiError(429, { 'retry-after': '2' })], delays: [2000] },
    { name: '500 and 503 back off exponentially', errors: [apiError(500), apiError(503)], delays: [100, 200] },
    { name: 'network errors retry', errors: [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })], delays: [100] },
  ])('$name', async ({ errors, delays }) => {
    const queue = [...errors];
    const slept: number[] = [];
    const result = await withRetry(async () => { const e = queue.shift(); if (e) throw e; return 'ok'; }, { sleep: async (ms) => { slept.push(ms); }, random: () => 1 });
    expect(result).toBe('ok');
    expect(slept).toEqual(delays);
  });

  it('gives up after the last attempt and on errors that will not change', async () => {
    await expect(withRetry(async () => { throw apiError(503); }, { attempts: 3, sleep: async () => {} })).rejects.toThrow('HTTP 503');
    let calls = 0;
    await expect(withRetry(async () => { calls++; throw apiError(422); }, { sleep: async () => {} })).rejects.toThrow('HTTP 422');
    expect(calls).toBe(1);
  });

  it('409 only when the caller re-reads', () => {
    expect(isRetryable(apiError(409), false)).toBe(false);
    expect(isRetryable(apiError(409), true)).toBe(true);
    expect(isRetryable(new TypeError('x'), false)).toBe(false);
  });
});
