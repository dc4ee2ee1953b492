/**
 * The times of held observations, as small integers. A number field V8 cannot keep as a small
 * integer (a µs timestamp is far past 2^31) is a 16-byte heap object of its own, and two or three
 * of those per observation were most of the objects the audit holds: a full collection of a
 * server's heap visits each one. Held observations keep their start split in two small integers
 * and their length as a third, and read them back through getters of a shared prototype.
 */

const START_SPLIT = 2 ** 26;
/** Spans starting from here on (a year past 2,000,000) are not observed; below it both halves stay small. */
export const OBSERVABLE_LIMIT_US = 2 ** 56;
/** Longer spans are held as this long (about 18 minutes): longer than any window is followed (60 s). */
export const MAX_HELD_DURATION_US = 2 ** 30 - 1;

// Each part is `| 0`-ed: V8's arithmetic on large numbers yields a heap number even when the
// result is a small integer, and one such value stored makes the field a boxed number for every
// observation from then on. All three fit 31 bits for observable spans.

export function startHigh(startUs: number): number {
  return Math.floor(startUs / START_SPLIT) | 0;
}

export function startLow(startUs: number): number {
  return (Math.floor(startUs) - Math.floor(startUs / START_SPLIT) * START_SPLIT) | 0;
}

export function heldDuration(durationUs: number): number {
  return Math.min(Math.max(0, Math.floor(durationUs)), MAX_HELD_DURATION_US) | 0;
}

/** The prototype held observations are given; their fields are set by object literals (see observations.ts). */
export class HeldTimes {
  declare readonly startHigh: number;
  declare readonly startLow: number;
  declare readonly heldUs: number;

  /** Held observations are object literals given this prototype, never instances. */
  private constructor() {
    throw new TypeError('held observations are object literals');
  }

  get startUs(): number {
    return this.startHigh * START_SPLIT + this.startLow;
  }

  get endUs(): number {
    return this.startHigh * START_SPLIT + this.startLow + this.heldUs;
  }
}

/**
 * Gives an object literal the getters. The literal is built first and its prototype set after:
 * V8 then still allocates that literal site's objects straight into the old generation once
 * they prove long-lived, which it does not for a literal naming its `__proto__` (see
 * model/compact-span.ts).
 */
export function withHeldTimes<T>(literal: object): T {
  return Object.setPrototypeOf(literal, HeldTimes.prototype) as T;
}
