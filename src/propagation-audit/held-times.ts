/**
 * The times and span ids of held observations, as small integers. A number field V8 cannot keep
 * as a small integer (a µs timestamp is far past 2^31) is a 16-byte heap object of its own, and
 * two or three of those per observation were most of the objects the audit holds: a full
 * collection of a server's heap visits each one. Held observations keep their start split in two
 * small integers (as spans do, model/split-time.ts) and their length as a third, and read them
 * back through getters of a shared prototype.
 *
 * The span id is the next most numerous object: a 16-character string each, which the store lets
 * go of when it evicts the trace while the audit holds on for its own retention. Held
 * observations keep it as two 32-bit halves and make the string only when a report shows it.
 */
import { highPart, joinParts, lowPart } from '../model/index.js';

/** Spans starting from here on (a year past 2,000,000) are not observed; below it both parts stay small. */
export const OBSERVABLE_LIMIT_US = 2 ** 56;
/** Longer spans are held as this long (about 18 minutes): longer than any window is followed (60 s). */
export const MAX_HELD_DURATION_US = 2 ** 30 - 1;

/** The high part of an observable start (fractions dropped). */
export function startHigh(startUs: number): number {
  return highPart(Math.floor(startUs));
}

/** The low part of an observable start (fractions dropped). */
export function startLow(startUs: number): number {
  return lowPart(Math.floor(startUs));
}

/** A span's length as held: whole µs, clamped to 0 .. {@link MAX_HELD_DURATION_US}, a small integer. */
export function heldDuration(durationUs: number): number {
  return Math.min(Math.max(0, Math.floor(durationUs)), MAX_HELD_DURATION_US) | 0;
}

/** A model span id's first or second 8 hex digits (lowercase) as a signed 32-bit integer: a small integer in V8. */
function hexWord(id: string, from: number): number {
  let word = 0;
  for (let i = from; i < from + 8; i++) {
    const c = id.charCodeAt(i);
    word = (word << 4) | (c <= 0x39 ? c - 0x30 : c - 0x57);
  }
  return word;
}

function isSpanIdHex(id: string): boolean {
  if (id.length !== 16) return false;
  for (let i = 0; i < 16; i++) {
    const c = id.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

/**
 * The first field of a held span id: the id's first half, or, for an id that is not 16 lowercase
 * hex digits (the decoders never make one), the id itself. A string in that field costs nothing
 * extra: V8 holds it as it holds any reference, and boxes no small integer for it.
 */
export function spanIdHigh(id: string): number | string {
  return isSpanIdHex(id) ? hexWord(id, 0) : id;
}

/** The second field of a held span id, given its first. */
export function spanIdLow(id: string, high: number | string): number {
  return typeof high === 'string' ? 0 : hexWord(id, 8);
}

function hexOfWord(word: number): string {
  return (word >>> 0).toString(16).padStart(8, '0');
}

/** The prototype held observations are given; their fields are set by object literals (see observations.ts). */
export class HeldTimes {
  declare readonly startHigh: number;
  declare readonly startLow: number;
  declare readonly heldUs: number;
  /** The span id (see {@link spanIdHigh}). */
  declare readonly idHigh: number | string;
  declare readonly idLow: number;

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

  get spanId(): string {
    return typeof this.idHigh === 'string' ? this.idHigh : hexOfWord(this.idHigh) + hexOfWord(this.idLow);
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
