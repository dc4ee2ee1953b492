/**
 * Ids held as bytes rather than strings: a trace id string costs 48 heap bytes and a request id
 * 56, and the audit keeps them for its whole retention, long after the spans that brought them
 * were evicted. Ids in their canonical form (lowercase hex of the format's width, with a UUID's
 * dashes where they belong) are stored as 32-bit words; anything else (ids from senders that do
 * not follow the format) is kept as the string it is.
 */
import { Int8Column, RefColumn } from './columns.js';
import type { Column } from './columns.js';

export interface IdFormat {
  /** Characters of the canonical form. */
  readonly length: number;
  /** Positions of '-' in it. */
  readonly dashes: readonly number[];
}

export const TRACE_ID: IdFormat = { length: 32, dashes: [] };
export const SPAN_ID: IdFormat = { length: 16, dashes: [] };
/** Envoy's `x-request-id`: a UUID. */
export const UUID: IdFormat = { length: 36, dashes: [8, 13, 18, 23] };

const ABSENT = 0, WORDS = 1, OTHER = 2;

/** Value of each lowercase hex digit by character code; -1 for every other code below 128. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let c = 0x30; c <= 0x39; c++) HEX_VALUE[c] = c - 0x30;
for (let c = 0x61; c <= 0x66; c++) HEX_VALUE[c] = c - 0x57;

/** The `n` hex digits of `id` from `at` as a number, or -1 when one is not a lowercase hex digit. */
function hexPart(id: string, at: number, n: number): number {
  let value = 0;
  for (let p = at; p < at + n; p++) {
    const c = id.charCodeAt(p);
    const v = c < 128 ? HEX_VALUE[c]! : -1;
    if (v < 0) return -1;
    value = value * 16 + v;
  }
  return value;
}

/** The 8 hex digits of `id` from `at` as a word, or -1 when one is not a lowercase hex digit. */
function hexWord(id: string, at: number): number {
  let word = 0;
  for (let p = at; p < at + 8; p++) {
    const c = id.charCodeAt(p);
    const v = c < 128 ? HEX_VALUE[c]! : -1;
    if (v < 0) return -1;
    word = word * 16 + v;
  }
  return word;
}

const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

export class IdColumn implements Column {
  readonly #format: IdFormat;
  readonly #words: number;
  #values = new Uint32Array(0);
  readonly #kind = new Int8Column(0);
  /** Ids that are not canonical, by index; made when the first one comes (most columns never see one). */
  #other: RefColumn<string | undefined> | undefined;

  constructor(format: IdFormat) {
    this.#format = format;
    this.#words = (format.length - format.dashes.length) / 8;
  }

  resize(capacity: number, length: number): void {
    const next = new Uint32Array(capacity * this.#words);
    next.set(this.#values.subarray(0, length * this.#words));
    this.#values = next;
    this.#kind.resize(capacity, length);
  }

  permute(from: number, order: readonly number[]): void {
    const w = this.#words;
    const v = this.#values;
    const old = v.slice(from * w, (from + order.length) * w);
    for (let k = 0; k < order.length; k++) {
      const src = (order[k]! - from) * w;
      for (let j = 0; j < w; j++) v[(from + k) * w + j] = old[src + j]!;
    }
    this.#kind.permute(from, order);
    this.#other?.permute(from, order);
  }

  dropFront(count: number, length: number): void {
    this.#values.copyWithin(0, count * this.#words, length * this.#words);
    this.#kind.dropFront(count, length);
    this.#other?.dropFront(count);
  }

  set(i: number, id: string | undefined): void {
    if (this.#other !== undefined) this.#other.values[i] = undefined;
    if (id === undefined) {
      this.#kind.values[i] = ABSENT;
    } else if (this.#pack(i, id)) {
      this.#kind.values[i] = WORDS;
    } else {
      this.#kind.values[i] = OTHER;
      // Indexes before the first such id are holes, which read as undefined.
      (this.#other ??= new RefColumn()).values[i] = id;
    }
  }

  get(i: number): string | undefined {
    const kind = this.#kind.values[i];
    if (kind === ABSENT) return undefined;
    if (kind === OTHER) return this.#other!.values[i];
    const { dashes } = this.#format;
    let out = '';
    let at = 0;
    let dash = 0;
    for (let j = 0; j < this.#words; j++) {
      const word = this.#values[i * this.#words + j]!;
      for (let shift = 24; shift >= 0; shift -= 8) {
        out += HEX_BYTE[(word >>> shift) & 0xff]!;
        at += 2;
        if (dash < dashes.length && at + dash === dashes[dash]) {
          out += '-';
          dash++;
        }
      }
    }
    return out;
  }

  /** Whether id `i` equals id `j` of `other`, a column of the same format (absent equals absent). */
  sameAs(i: number, other: IdColumn, j: number): boolean {
    const kind = this.#kind.values[i];
    if (kind !== other.#kind.values[j]) return false;
    if (kind === ABSENT) return true;
    if (kind === OTHER) return this.#other!.values[i] === other.#other!.values[j];
    const w = this.#words;
    for (let k = 0; k < w; k++) if (this.#values[i * w + k] !== other.#values[j * w + k]) return false;
    return true;
  }

  /** Whether there is an id at `i`. */
  has(i: number): boolean {
    return this.#kind.values[i] !== ABSENT;
  }

  /** Writes the canonical `id` as words; false (nothing usable written) when it is not canonical. */
  #pack(i: number, id: string): boolean {
    const { length, dashes } = this.#format;
    if (id.length !== length) return false;
    for (const d of dashes) if (id.charCodeAt(d) !== 0x2d) return false;
    const base = i * this.#words;
    // Hex digits in runs of 8 from `at`, stepping over the dashes (a UUID's fall inside words 1 and 2).
    let at = 0;
    let dash = 0;
    for (let j = 0; j < this.#words; j++) {
      let word: number;
      if (dash < dashes.length && dashes[dash]! < at + 8) {
        // A dash inside this run of digits: read the two halves around it.
        const cut = dashes[dash]!;
        const high = cut - at;
        const a = high === 0 ? 0 : hexPart(id, at, high);
        const b = hexPart(id, cut + 1, 8 - high);
        if (a < 0 || b < 0) return false;
        word = a * 16 ** (8 - high) + b;
        at += 9;
        dash++;
      } else {
        word = hexWord(id, at);
        if (word < 0) return false;
        at += 8;
      }
      if (dash < dashes.length && dashes[dash] === at) {
        at++;
        dash++;
      }
      this.#values[base + j] = word;
    }
    return true;
  }
}
