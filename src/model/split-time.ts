/**
 * Whole-microsecond times held as two small integers, `high * 2^26 + low`. A number beyond 31 bits
 * in an object field is a separate 16-byte heap object: one more per held object for the garbage
 * collector to copy and trace. Spans (compact-span.ts), stored traces (traces/trace.ts) and the
 * audit's held observations keep their times this way.
 *
 * Both parts are `| 0`-ed: V8's arithmetic on large numbers yields a heap number even when the
 * result is a small integer (and so does a -0), and one such value stored turns the field into a
 * boxed number for every object of its shape from then on.
 */

const SPLIT = 2 ** 26;
/** Whole times below this split into parts that fit 31 bits. */
export const SPLIT_LIMIT_US = 2 ** 57;

/** Whether `us` splits: a whole number from 0 to below {@link SPLIT_LIMIT_US}. */
export function splits(us: number): boolean {
  return Number.isInteger(us) && us >= 0 && us < SPLIT_LIMIT_US;
}

/** `t` made to split: a fraction dropped, and kept within 0 .. {@link SPLIT_LIMIT_US} − 1. */
export function splittable(t: number): number {
  return Math.min(Math.max(0, Math.floor(t)), SPLIT_LIMIT_US - 1);
}

/** The high part of `us`, which must split. */
export function highPart(us: number): number {
  return Math.floor(us / SPLIT) | 0;
}

/** The low part of `us`, which must split. */
export function lowPart(us: number): number {
  return (us % SPLIT) | 0;
}

export function joinParts(high: number, low: number): number {
  return high * SPLIT + low;
}
