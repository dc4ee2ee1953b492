/**
 * The times of held observations, as small integers. A number field V8 cannot keep as a small
 * integer (a µs timestamp is far past 2^31) is a 16-byte heap object of its own, and two or three
 * of those per observation were most of the objects the audit holds: a full collection of a
 * server's heap visits each one. Held observations keep their start split in two small integers
 * (as spans do, model/split-time.ts) and their length as a third, and read them back through
 * getters of a shared prototype.
 */
import { highPart, joinParts, lowPart, splittable } from '../model/index.js';

/** Spans starting from here on (a year past 2,000,000) are not observed; below it both parts stay small. */
export const OBSERVABLE_LIMIT_US = 2 ** 56;
/** Longer spans are held as this long (about 18 minutes): longer than any window is followed (60 s). */
export const MAX_HELD_DURATION_US = 2 ** 30 - 1;

/** The high part of an observable start (fractions dropped). */
export function startHigh(startUs: number): number {
  return highPart(splittable(startUs));
}

/** The low part of an observable start (fractions dropped). */
export function startLow(startUs: number): number {
  return lowPart(splittable(startUs));
}

/** A span's length as held: whole µs, clamped to 0 .. {@link MAX_HELD_DURATION_US}, a small integer. */
export function heldDuration(durationUs: number): number {
  return Math.min(Math.max(0, Math.floor(durationUs)), MAX_HELD_DURATION_US) | 0;
}

/** The prototype held observations are given; their fields are set by object literals (see observations.ts). */
export class HeldTimes {
  declare readonly startHigh: number;
  declare readonly startLow: number;
  declare readonly heldUs: number;

  /** Held observations are object literals given this prototype, never instances. */
  protected constructor() {
    throw new TypeError('held observations are object literals');
  }

  get startUs(): number {
    return joinParts(this.startHigh, this.startLow);
  }

  get endUs(): number {
    return joinParts(this.startHigh, this.startLow) + this.heldUs;
  }
}

/**
 * A probability held in units of 2^-30, a small integer: a fraction in a field is a heap number
 * of its own, as a large time is, and every held root call has one.
 */
const PROBABILITY_UNITS = 2 ** 30;

/** The prototype of held root calls: {@link HeldTimes} and the probability of their chosen parent. */
export class HeldRootTimes extends HeldTimes {
  /** `choiceProbability` × 2^30, rounded. */
  declare choiceUnits: number;

  get choiceProbability(): number {
    return this.choiceUnits / PROBABILITY_UNITS;
  }

  /** Rounded to the nearest 2^-30 (about 1e-9; the report shows two decimals), kept within 0..1. */
  set choiceProbability(p: number) {
    this.choiceUnits = Math.round(Math.min(1, Math.max(0, p)) * PROBABILITY_UNITS) | 0;
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

/** {@link withHeldTimes} for a root call's literal, which holds `choiceUnits`. */
export function withHeldRootTimes<T>(literal: object): T {
  return Object.setPrototypeOf(literal, HeldRootTimes.prototype) as T;
}
