/**
 * OTLP `AnyValue` → tag string, read straight from protobuf bytes. Renders exactly what
 * `renderAnyValue` (any-value.ts) renders for the same message decoded by protobufjs: scalars as
 * plain text, arrays and kvlists as compact JSON with int64 digits exact, nesting beyond
 * {@link MAX_DEPTH} as `null`, and keys of KeyValues whose `key` field is absent skipped.
 *
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/common/v1/common.proto
 */
import { utf8 } from '../ingest/string-cache.js';
import type { ByteCache } from '../ingest/string-cache.js';
import { FIXED64, LENGTH_DELIMITED, VARINT } from '../ingest/wire-reader.js';
import type { FieldPair, WireReader } from '../ingest/wire-reader.js';

/** Same bound as any-value.ts: deeper values render as `null` (and are not parsed). */
const MAX_DEPTH = 32;

/* AnyValue field numbers. */
const STRING = 1;
const BOOL = 2;
const INT = 3;
const DOUBLE = 4;
const ARRAY = 5;
const KVLIST = 6;
const BYTES = 7;

/**
 * Which oneof member wins when a message (wrongly) carries several: protobufjs keeps them all and
 * any-value.ts picks in this order, so the wire reader does the same.
 */
const PRIORITY = [STRING, BOOL, INT, DOUBLE, BYTES, ARRAY, KVLIST];

const WIRE_TYPE_OF = [-1, LENGTH_DELIMITED, VARINT, VARINT, FIXED64, LENGTH_DELIMITED, LENGTH_DELIMITED, LENGTH_DELIMITED];

/** Where each member of one AnyValue sits (its value's offset, -1 when absent). */
class Members {
  readonly at = new Int32Array(8);
  /** For length-delimited members, where the content ends. */
  readonly end = new Int32Array(8);
}

/**
 * Reads AnyValues. Holds scratch state for the reader's current depth only, so one instance serves
 * one decode at a time.
 */
export class AnyValueReader {
  readonly #r: WireReader;
  readonly #strings: ByteCache<string>;
  /** Scratch per nesting depth, made on first use. */
  readonly #members: Members[] = [];
  /** Whether the last {@link render} took its string from the cache (so it is the interner's instance). */
  fromCache = false;

  constructor(reader: WireReader, strings: ByteCache<string>) {
    this.#r = reader;
    this.#strings = strings;
  }

  /**
   * The tag text of the AnyValue in `[start, end)`. `cacheStrings`: a string value is likely to
   * repeat (not a request id or URL), so it is looked up by its bytes rather than copied; then
   * {@link fromCache} is true afterwards.
   */
  render(start: number, end: number, cacheStrings: boolean): string {
    const r = this.#r;
    const buf = r.buf;
    this.fromCache = false;
    // Nearly every attribute is a lone string_value (tag 0x0a) filling the AnyValue.
    if (start < end && buf[start] === 0x0a) {
      r.pos = start + 1;
      const contentEnd = r.delimited(end);
      if (contentEnd === end) return this.#string(r.pos, contentEnd, cacheStrings);
    }
    const m = this.#scan(start, end, 0);
    const field = chosen(m);
    const at = m.at[field]!;
    switch (field) {
      case STRING: return this.#string(at, m.end[field]!, cacheStrings);
      case ARRAY:
      case KVLIST: return this.#json(start, end, 0);
      case 0: return '';
      default: return this.#scalar(field, at, m.end[field]!, end);
    }
  }

  #string(start: number, end: number, cacheStrings: boolean): string {
    if (!cacheStrings) return utf8(this.#r.buf, start, end);
    this.fromCache = true;
    return this.#strings.get(this.#r, start, end);
  }

  /** Records the last occurrence of each member (as protobufjs keeps the last), skipping the rest. */
  #scan(start: number, end: number, depth: number): Members {
    const m = (this.#members[depth] ??= new Members());
    m.at.fill(-1);
    const r = this.#r;
    r.pos = start;
    for (let tag = r.tag(end); tag !== -1; tag = r.tag(end)) {
      const field = tag >>> 3;
      if (field > BYTES) {
        r.skip(tag & 7, end);
        continue;
      }
      r.expect(tag, WIRE_TYPE_OF[field]!);
      if ((tag & 7) === LENGTH_DELIMITED) {
        const contentEnd = r.delimited(end);
        m.at[field] = r.pos;
        m.end[field] = contentEnd;
        r.pos = contentEnd;
      } else {
        m.at[field] = r.pos;
        r.skip(tag & 7, end);
      }
    }
    return m;
  }

  /** Text of a bool, int64, double or bytes member at `at` (`contentEnd` for bytes). */
  #scalar(field: number, at: number, contentEnd: number, end: number): string {
    const r = this.#r;
    r.pos = at;
    switch (field) {
      case BOOL: r.varint64(end); return r.lo !== 0 || r.hi !== 0 ? 'true' : 'false';
      case INT: r.varint64(end); return int64Text(r.lo, r.hi);
      case DOUBLE: return String(r.double(end));
      default: return base64(r.buf, at, contentEnd);
    }
  }

  /** The AnyValue in `[start, end)` as a JSON fragment. */
  #json(start: number, end: number, depth: number): string {
    if (depth > MAX_DEPTH) return 'null';
    const m = this.#scan(start, end, depth);
    const field = chosen(m);
    const at = m.at[field]!;
    const contentEnd = m.end[field]!;
    switch (field) {
      case 0: return 'null';
      case STRING: return JSON.stringify(utf8(this.#r.buf, at, contentEnd));
      case BYTES: return JSON.stringify(base64(this.#r.buf, at, contentEnd));
      case DOUBLE: {
        this.#r.pos = at;
        const x = this.#r.double(end);
        // JSON has no NaN or Infinity; quote them as proto3 JSON does.
        return Number.isFinite(x) ? String(x) : JSON.stringify(String(x));
      }
      case ARRAY: return '[' + this.#items(at, contentEnd, depth + 1, false).join(',') + ']';
      case KVLIST: return '{' + this.#items(at, contentEnd, depth + 1, true).join(',') + '}';
      default: return this.#scalar(field, at, contentEnd, end);
    }
  }

  /** The `values` of an ArrayValue (AnyValues) or KeyValueList (KeyValues) as JSON fragments. */
  #items(start: number, end: number, depth: number, keyed: boolean): string[] {
    const r = this.#r;
    const ranges: number[] = [];
    r.pos = start;
    for (let tag = r.tag(end); tag !== -1; tag = r.tag(end)) {
      if (tag >>> 3 !== 1) {
        r.skip(tag & 7, end);
        continue;
      }
      r.expect(tag, LENGTH_DELIMITED);
      const itemEnd = r.delimited(end);
      ranges.push(r.pos, itemEnd);
      r.pos = itemEnd;
    }
    const out: string[] = [];
    for (let i = 0; i < ranges.length; i += 2) {
      if (!keyed) {
        out.push(this.#json(ranges[i]!, ranges[i + 1]!, depth));
        continue;
      }
      // Copied out: the nested #json call reuses the KeyValueAt scratch.
      const { keyStart, keyEnd, valueStart, valueEnd } = readKeyValue(r, ranges[i]!, ranges[i + 1]!);
      if (keyStart === -1) continue;
      const value = valueStart === -1 ? 'null' : this.#json(valueStart, valueEnd, depth);
      out.push(JSON.stringify(utf8(r.buf, keyStart, keyEnd)) + ':' + value);
    }
    return out;
  }
}

/** The member any-value.ts would pick, or 0 when none is set. */
function chosen(m: Members): number {
  for (const field of PRIORITY) if (m.at[field] !== -1) return field;
  return 0;
}

/** Where a KeyValue's key and value are (-1 when absent); reused, so read it before the next call. */
export interface KeyValueAt {
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
}

const KEY_VALUE: KeyValueAt = { keyStart: -1, keyEnd: -1, valueStart: -1, valueEnd: -1 };
const PAIR: FieldPair = { firstStart: -1, firstEnd: -1, secondStart: -1, secondEnd: -1 };

/** Locates the key (field 1) and value (field 2) of the KeyValue in `[start, end)`; the last of each wins. */
export function readKeyValue(r: WireReader, start: number, end: number): KeyValueAt {
  const kv = KEY_VALUE;
  const buf = r.buf;
  // The usual layout, key (tag 0x0a) then value (tag 0x12) and nothing else, read without a loop.
  if (start < end && buf[start] === 0x0a) {
    r.pos = start + 1;
    const keyEnd = r.delimited(end);
    if (keyEnd < end && buf[keyEnd] === 0x12) {
      const keyStart = r.pos;
      r.pos = keyEnd + 1;
      const valueEnd = r.delimited(end);
      if (valueEnd === end) {
        kv.keyStart = keyStart;
        kv.keyEnd = keyEnd;
        kv.valueStart = r.pos;
        kv.valueEnd = valueEnd;
        return kv;
      }
    }
  }
  const pair = r.pair(start, end, PAIR);
  kv.keyStart = pair.firstStart;
  kv.keyEnd = pair.firstEnd;
  kv.valueStart = pair.secondStart;
  kv.valueEnd = pair.secondEnd;
  return kv;
}

/** Decimal text of a signed 64-bit integer given as unsigned 32-bit halves. */
export function int64Text(lo: number, hi: number): string {
  // Below 2^53 a double holds it exactly; beyond (and for negatives) go through BigInt.
  if (hi < 0x200000) return String(hi * 0x100000000 + lo);
  return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)).toString();
}

function base64(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('base64');
}
