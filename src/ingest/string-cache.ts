/**
 * Strings (or what a decoder derives from one) straight from request bytes, without allocating
 * when the same bytes were seen before.
 *
 * Nearly every attribute key and most values of an Envoy span (`node_id`, `upstream_cluster`,
 * `istio.*`, method, protocol, status) repeat in every span a sidecar sends. Decoding each into a
 * fresh string and then interning it costs an allocation, a hash of the whole string and a
 * compare; looking the bytes up here costs a hash of five bytes and one byte-wise compare, and
 * hands back the one shared instance. A fixed-size direct-mapped table: a collision just replaces
 * the slot, so it never grows and needs no eviction.
 */

/** Slots in a table by default: 2^13. */
const DEFAULT_SLOT_BITS = 13;
/** Longer byte strings are never cached: they are rarely repeated and costly to compare. */
const MAX_CACHED_BYTES = 128;

/** `Buffer#utf8Slice` and `#latin1Slice`, which Node's Buffer has and its types do not declare. */
interface Utf8Sliceable extends Uint8Array {
  utf8Slice(start: number, end: number): string;
  latin1Slice(start: number, end: number): string;
}

/** UTF-8 text of `buf[start, end)`; invalid sequences become U+FFFD, as in `Buffer#toString`. */
export function utf8(buf: Uint8Array, start: number, end: number): string {
  return (buf as Utf8Sliceable).utf8Slice(start, end);
}

/** Text of `buf[start, end)` known to be ASCII: one byte per character, no decoding. */
export function ascii(buf: Uint8Array, start: number, end: number): string {
  return (buf as Utf8Sliceable).latin1Slice(start, end);
}

/** Bytes to read strings from, with a DataView over exactly the same bytes (offsets are shared). */
export interface ByteSource {
  readonly buf: Uint8Array;
  readonly view: DataView;
}

/** Whether `src.buf[b, b + length)` equals `src.buf[a, a + length)`. */
export function sameBytes(src: ByteSource, a: number, b: number, length: number): boolean {
  return equalRuns(src.view, a, src.view, b, length);
}

/**
 * Whether `length` bytes of `x` from `a` equal those of `y` from `b`; eight at a time, read as
 * doubles (half the loads and compares of 32-bit words, which were most of the cost of a repeated
 * tag entry). Doubles equal as numbers have equal bytes except for +0 and -0, and unequal ones
 * unequal bytes except for two NaNs: those two cases compare the words.
 */
function equalRuns(x: DataView, a: number, y: DataView, b: number, length: number): boolean {
  let i = 0;
  for (; i + 8 <= length; i += 8) {
    const u = x.getFloat64(a + i, true);
    const v = y.getFloat64(b + i, true);
    if (u !== v) {
      if (u === u || v === v) return false;
      if (!equalWords(x, a + i, y, b + i)) return false; // two NaNs
    } else if (u === 0 && !equalWords(x, a + i, y, b + i)) {
      return false; // +0 and -0
    }
  }
  if (i + 4 <= length) {
    if (x.getInt32(a + i, true) !== y.getInt32(b + i, true)) return false;
    i += 4;
  }
  for (; i < length; i++) if (x.getUint8(a + i) !== y.getUint8(b + i)) return false;
  return true;
}

function equalWords(x: DataView, a: number, y: DataView, b: number): boolean {
  return x.getInt32(a, true) === y.getInt32(b, true) && x.getInt32(a + 4, true) === y.getInt32(b + 4, true);
}

/** Values of type `T` made from the string the bytes spell, cached by those bytes. */
export class ByteCache<T> {
  readonly #values: (T | undefined)[];
  readonly #lengths: Int32Array;
  /** A copy of each slot's bytes, `MAX_CACHED_BYTES` apart, to verify a hit. */
  readonly #bytes: Uint8Array;
  /** A view of `#bytes`, to compare four bytes at a time. */
  readonly #bytesView: DataView;
  /** A slot is the top `32 - #shift` bits of a hash. */
  readonly #shift: number;
  readonly #make: (s: string) => T;
  readonly #makeUncached: (s: string) => T;

  /**
   * @param make builds the value for a string seen for the first time (e.g. the interner's instance)
   * @param makeUncached builds it for strings too long to cache (default: `make`)
   * @param slotBits the table has 2^slotBits slots, each holding up to `MAX_CACHED_BYTES` bytes
   */
  constructor(make: (s: string) => T, makeUncached: (s: string) => T = make, slotBits = DEFAULT_SLOT_BITS) {
    this.#make = make;
    this.#makeUncached = makeUncached;
    const slots = 2 ** slotBits;
    this.#values = new Array<T | undefined>(slots).fill(undefined);
    this.#lengths = new Int32Array(slots).fill(-1);
    this.#bytes = new Uint8Array(slots * MAX_CACHED_BYTES);
    this.#bytesView = new DataView(this.#bytes.buffer);
    this.#shift = 32 - slotBits;
  }

  /** The value for the UTF-8 bytes `src.buf[start, end)`, shared when these bytes were seen before. */
  get(src: ByteSource, start: number, end: number): T {
    const buf = src.buf;
    const n = end - start;
    if (n > MAX_CACHED_BYTES) return this.#makeUncached(utf8(buf, start, end));
    const slot = slotOf(src, start, n, this.#shift);
    if (this.#lengths[slot] === n && equalRuns(this.#bytesView, slot * MAX_CACHED_BYTES, src.view, start, n)) return this.#values[slot]!;
    const value = this.#make(utf8(buf, start, end));
    this.#values[slot] = value;
    this.#lengths[slot] = n;
    this.#bytes.set(buf.subarray(start, end), slot * MAX_CACHED_BYTES);
    return value;
  }
}

/**
 * A slot from all the bytes, four at a time. Sampling a few bytes was cheaper but mapped values
 * that differ in one character (pod IPs, sizes, `outbound|9080||<host>` names of equal length)
 * to the same slot, and they evicted each other.
 */
function slotOf(src: ByteSource, start: number, n: number, shift: number): number {
  const view = src.view;
  let h = Math.imul(n, 0x9e3779b1);
  let i = start;
  for (const end = start + n - 3; i < end; i += 4) h = Math.imul(h ^ view.getInt32(i, true), 0x85ebca6b) ^ (h >>> 15);
  const buf = src.buf;
  for (const end = start + n; i < end; i++) h = Math.imul(h ^ buf[i]!, 0xc2b2ae35);
  h ^= h >>> 16;
  return Math.imul(h, 0x85ebca6b) >>> shift;
}
