/**
 * A minimal protobuf wire-format reader for the hand-written ingest decoders. protobufjs builds an
 * object for every message and a string for every field before we look at any of it; at Envoy's
 * rates that garbage costs more CPU than the decoding. Reading the wire directly lets the decoders
 * go from bytes to model spans and create only the strings the model keeps.
 *
 * Every read is bounded by an `end` offset (the enclosing message's end, not just the buffer's), so
 * a varint or length running past its message is an error, never an out-of-bounds read.
 *
 * @see https://protobuf.dev/programming-guides/encoding/
 */
import { sameBytes } from './string-cache.js';

/** Wire types (the low 3 bits of a tag). */
export const VARINT = 0;
export const FIXED64 = 1;
export const LENGTH_DELIMITED = 2;
export const START_GROUP = 3;
export const END_GROUP = 4;
export const FIXED32 = 5;

/** Groups are a proto2 relic nobody sends us; nesting this deep is an attack, not data. */
const MAX_GROUP_DEPTH = 32;

/** The bytes are not well-formed protobuf; the message says what is wrong and where. */
export class WireFormatError extends Error {
  override readonly name = 'WireFormatError';
}

const WIRE_TYPE_NAMES = ['varint', 'fixed64', 'length-delimited', 'start-group', 'end-group', 'fixed32'];

/** Where `WireReader.pair` found fields 1 and 2. */
export interface FieldPair { firstStart: number; firstEnd: number; secondStart: number; secondEnd: number }

export class WireReader {
  /** The bytes being read (a Buffer, so `utf8()` can decode from it). */
  readonly buf: Uint8Array;
  /** A DataView of exactly `buf` (same offsets), for reading several bytes at once. */
  readonly view: DataView;
  /** Offset of the next byte to read. */
  pos = 0;
  /** Low and high 32 bits (unsigned) of the last `varint64()` or `fixed64()`. */
  lo = 0;
  hi = 0;
  /** Scratch for doubles: the 8 bytes are copied here and read back as a float64. */
  readonly #scratch = new Uint8Array(8);
  readonly #scratchDouble = new Float64Array(this.#scratch.buffer);

  constructor(buf: Uint8Array) {
    // Strings are decoded with Buffer's native UTF-8 decoder: view a plain Uint8Array as a Buffer (no copy).
    this.buf = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** The next tag (`field << 3 | wireType`) before `end`, or -1 when the message is done. */
  tag(end: number): number {
    if (this.pos >= end) return -1;
    const tag = this.uint32(end);
    if (tag >>> 3 === 0) throw this.error('field number 0', this.pos);
    return tag;
  }

  /** A varint's low 32 bits, unsigned (uint32, enum and length fields). */
  uint32(end: number): number {
    const buf = this.buf;
    const pos = this.pos;
    // One-byte varints (small numbers, short lengths, most tags) are the common case.
    if (pos < end && buf[pos]! < 0x80) {
      this.pos = pos + 1;
      return buf[pos]!;
    }
    this.varint64(end);
    return this.lo;
  }

  /** A varint's low 32 bits as a signed int32 (int32 and enum fields, as protobuf truncates them). */
  int32(end: number): number {
    return this.uint32(end) | 0;
  }

  /** Reads a varint of up to 10 bytes into `lo` and `hi`. */
  varint64(end: number): void {
    const buf = this.buf;
    const start = this.pos;
    let lo = 0;
    let hi = 0;
    let pos = start;
    for (let shift = 0; shift < 70; shift += 7) {
      if (pos >= end) throw this.error('truncated varint', start);
      const b = buf[pos++]!;
      if (shift < 28) lo |= (b & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      if (b < 0x80) {
        this.pos = pos;
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    throw this.error('varint longer than 10 bytes', start);
  }

  /** Reads 8 little-endian bytes into `lo` and `hi`. */
  fixed64(end: number): void {
    const pos = this.pos;
    if (pos + 8 > end) throw this.error('truncated fixed64', pos);
    const b = this.buf;
    this.lo = (b[pos]! | (b[pos + 1]! << 8) | (b[pos + 2]! << 16) | (b[pos + 3]! << 24)) >>> 0;
    this.hi = (b[pos + 4]! | (b[pos + 5]! << 8) | (b[pos + 6]! << 16) | (b[pos + 7]! << 24)) >>> 0;
    this.pos = pos + 8;
  }

  /** An IEEE 754 double (8 little-endian bytes). */
  double(end: number): number {
    const pos = this.pos;
    if (pos + 8 > end) throw this.error('truncated double', pos);
    this.#scratch.set(this.buf.subarray(pos, pos + 8));
    this.pos = pos + 8;
    // Typed arrays use the platform's byte order; every platform Node runs on is little-endian.
    return this.#scratchDouble[0]!;
  }

  /**
   * Reads the length prefix of a length-delimited field and returns where its content ends;
   * `pos` is left at the content's start.
   */
  delimited(end: number): number {
    const at = this.pos;
    const length = this.uint32(end);
    const contentEnd = this.pos + length;
    if (contentEnd > end) throw this.error(`length ${length} runs past the end of its message`, at);
    return contentEnd;
  }

  /** Skips a field of the given wire type (unknown fields, and fields a decoder does not use). */
  skip(wireType: number, end: number, depth = 0): void {
    switch (wireType) {
      case VARINT: this.varint64(end); return;
      case FIXED64: this.#advance(8, end); return;
      case LENGTH_DELIMITED: this.pos = this.delimited(end); return;
      case FIXED32: this.#advance(4, end); return;
      case START_GROUP: this.#skipGroup(end, depth); return;
      default: throw this.error(`invalid wire type ${wireType}`, this.pos);
    }
  }

  /** Fails unless a known field arrived with the wire type its schema gives it. */
  expect(tag: number, wireType: number): void {
    if ((tag & 7) !== wireType) {
      const got = WIRE_TYPE_NAMES[tag & 7];
      if (got === undefined) throw this.error(`invalid wire type ${tag & 7}`, this.pos);
      throw this.error(`field ${tag >>> 3} has wire type ${got}, expected ${WIRE_TYPE_NAMES[wireType]}`, this.pos);
    }
  }

  /** Whether the `length` bytes at `a` equal those at `b` (both in this buffer). */
  /**
   * Reads a message made of length-delimited fields 1 and 2 (key/value entries, resource and scope
   * wrappers), skipping any other field. The last of each wins in `out` (-1 when absent); with
   * `seconds`, every field 2 is also collected there, in wire order.
   */
  pair(start: number, end: number, out: FieldPair, seconds?: { add(start: number, end: number): void }): FieldPair {
    out.firstStart = out.firstEnd = out.secondStart = out.secondEnd = -1;
    this.pos = start;
    for (let tag = this.tag(end); tag !== -1; tag = this.tag(end)) {
      const field = tag >>> 3;
      if (field !== 1 && field !== 2) {
        this.skip(tag & 7, end);
        continue;
      }
      this.expect(tag, LENGTH_DELIMITED);
      const contentEnd = this.delimited(end);
      if (field === 1) {
        out.firstStart = this.pos;
        out.firstEnd = contentEnd;
      } else {
        out.secondStart = this.pos;
        out.secondEnd = contentEnd;
        seconds?.add(this.pos, contentEnd);
      }
      this.pos = contentEnd;
    }
    return out;
  }

  /** Whether `buf[b, b + length)` equals `buf[a, a + length)`. */
  sameBytes(a: number, b: number, length: number): boolean {
    return sameBytes(this, a, b, length);
  }

  error(what: string, at: number): WireFormatError {
    return new WireFormatError(`${what} at byte ${at}`);
  }

  #advance(n: number, end: number): void {
    if (this.pos + n > end) throw this.error(`truncated ${n === 8 ? 'fixed64' : 'fixed32'}`, this.pos);
    this.pos += n;
  }

  #skipGroup(end: number, depth: number): void {
    if (depth >= MAX_GROUP_DEPTH) throw this.error('groups nested too deeply', this.pos);
    for (;;) {
      const tag = this.tag(end);
      if (tag === -1) throw this.error('unterminated group', this.pos);
      if ((tag & 7) === END_GROUP) return;
      this.skip(tag & 7, end, depth + 1);
    }
  }
}
