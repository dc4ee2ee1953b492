/**
 * Zipkin v2 JSON read straight from the request bytes into model spans.
 *
 * `JSON.parse` builds an object for every span, endpoint and tag map and a string for every key
 * and value before the decoder looks at any of it; at Envoy's rates that garbage costs more than
 * the parsing. This reads the bytes once, skips tag entries that repeat the previous span's byte
 * for byte, and creates only the strings the model keeps.
 *
 * It reads the JSON senders write. When it meets anything else (a malformed body, a number with a
 * sign, fraction or exponent, a span that is not an object, an array where an object belongs, tag
 * keys that repeat or look like array indexes, nesting past {@link MAX_DEPTH}) it declines, and the
 * caller decodes the body with `JSON.parse` and `decodeZipkinJson`, which gives the same
 * spans and rejections for every body this accepts (a differential test checks that).
 */
import { internEndpoint, parseHexSpanId, parseHexTraceId } from '../model/index.js';
import type { Annotation, DecodedBatch, Endpoint, Span, SpanKind, SpanRejection } from '../model/index.js';
import type { DecodeContext, KnownKey } from '../ingest/context.js';
import { lowerHexSpanId, lowerHexTraceId } from '../ingest/hex-text.js';
import { ascii, sameBytes, utf8 } from '../ingest/string-cache.js';
import type { ByteSource } from '../ingest/string-cache.js';
import { ZIPKIN_KINDS, buildZipkinSpan, emptyZipkinFields, kindByName } from './build-span.js';
import { rejectSpan } from './decode-json.js';
import { PlainKeys } from './tag-order.js';

/** Thrown inside the reader to give the body to the general decoder; caught in {@link scanZipkinJson}. */
const DECLINED = new Error('declined');

/** Deeper nesting in fields meshtrace ignores is left to `JSON.parse`. */
const MAX_DEPTH = 64;

/** Byte values. */
const QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, COLON = 0x3a;
const OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d;
const ZERO = 0x30, NINE = 0x39, DOT = 0x2e, LOWER_E = 0x65, UPPER_E = 0x45;

/** What a value turned out to be. */
const STRING = 1, NUMBER = 2, TRUE = 3, FALSE = 4, NULL = 5, OTHER = 6;

/**
 * The span members meshtrace reads, by number (their index in {@link FIELD_NAMES}): a switch on
 * small integers is one jump, where one on strings of unknown origin called V8's generic equality
 * for each case in turn.
 */
const TRACE_ID = 0, ID = 1, PARENT_ID = 2, KIND = 3, NAME = 4, TIMESTAMP = 5, DURATION = 6, LOCAL_ENDPOINT = 7,
  REMOTE_ENDPOINT = 8, ANNOTATIONS = 9, TAGS = 10, DEBUG = 11, SHARED = 12;
/** A member meshtrace ignores. */
const IGNORED = -1;
const FIELD_NAMES: readonly string[] = ['traceId', 'id', 'parentId', 'kind', 'name', 'timestamp', 'duration', 'localEndpoint',
  'remoteEndpoint', 'annotations', 'tags', 'debug', 'shared'];
/** Member names by their length in bytes, with their bytes: a key is compared only with names as long as it. */
const FIELDS_BY_LENGTH: { readonly field: number; readonly bytes: Uint8Array }[][] = [];
FIELD_NAMES.forEach((name, field) => (FIELDS_BY_LENGTH[name.length] ??= []).push({ field, bytes: Uint8Array.from(name, (c) => c.charCodeAt(0)) }));
const NO_FIELDS: readonly { readonly field: number; readonly bytes: Uint8Array }[] = [];
/** Each member's key as it is usually written, quotes included (`"traceId"`): see `#memberKey`. */
const QUOTED_FIELDS: readonly Uint8Array[] = FIELD_NAMES.map((name) => Uint8Array.from(`"${name}"`, (c) => c.charCodeAt(0)));

/** Zipkin's kind names by their bytes. */
const KIND_BYTES = Object.entries(ZIPKIN_KINDS).map(([name, kind]) => ({ bytes: Uint8Array.from(name, (c) => c.charCodeAt(0)), kind }));

/**
 * Decodes a Zipkin v2 JSON body, or returns undefined when the body is not one this reader
 * handles (see the module comment); nothing observable has changed then.
 */
export function scanZipkinJson(body: Buffer, ctx: DecodeContext): DecodedBatch | undefined {
  const limitedBefore = ctx.tagsLimited;
  try {
    return new ZipkinJsonReader(body, ctx).batch();
  } catch (err) {
    if (err !== DECLINED) throw err;
    ctx.tagsLimited = limitedBefore;
    return undefined;
  }
}

/** The last value read: its kind, where its text is, and for numbers the value. */
interface Token {
  type: number;
  start: number;
  end: number;
  /** A string with backslash escapes: its text needs `JSON.parse`. */
  escaped: boolean;
  /** A string with bytes above 0x7f: its text needs UTF-8 decoding. */
  wide: boolean;
  number: number;
}

/** One span's members as read; the last of a repeated member wins, as with `JSON.parse`. */
class SpanFields {
  /** The ids as read the usual way (see ingest/hex-text.ts), normalized; then the fields below are undefined. */
  traceHex: string | undefined;
  traceBits: 64 | 128 = 128;
  idHex: string | undefined;
  parentHex: string | undefined;
  /** The ids' text when not read the usual way, for the general parsers. */
  traceId: string | undefined;
  id: string | undefined;
  parentId: string | undefined;
  /** What the parentId member was (0: absent): null and absent mean no parent, other non-strings are invalid. */
  parentType = 0;
  kind: SpanKind | undefined;
  name = '';
  timestamp = 0;
  /** False when the member was there but not a non-negative integer or null. */
  timestampOk = true;
  duration = 0;
  durationOk = true;
  local: Endpoint | undefined;
  remote: Endpoint | undefined;
  annotations: Annotation[] | undefined;
  debug = false;
  shared = false;
  readonly tagKeys: KnownKey[] = [];
  readonly tagValues: string[] = [];
  readonly tagCached: boolean[] = [];
  tagCount = 0;

  reset(): void {
    this.traceId = this.id = this.parentId = undefined;
    this.traceHex = this.idHex = this.parentHex = undefined;
    this.parentType = 0;
    this.kind = undefined;
    this.name = '';
    this.timestamp = this.duration = 0;
    this.timestampOk = this.durationOk = true;
    this.local = this.remote = undefined;
    this.annotations = undefined;
    this.debug = this.shared = false;
    this.tagCount = 0;
  }
}

class ZipkinJsonReader implements ByteSource {
  readonly buf: Buffer;
  readonly view: DataView;
  readonly #ctx: DecodeContext;
  readonly #t: Token = { type: 0, start: 0, end: 0, escaped: false, wide: false, number: 0 };
  readonly #f = new SpanFields();
  /** Filled span after span: the model span is built from it and keeps none of it. */
  readonly #out = emptyZipkinFields('zipkin-json');
  /** The previous span's tag entries (`"key":value` bytes) by position, to skip repeats. */
  readonly #entryStart: number[] = [];
  readonly #entryLength: number[] = [];
  readonly #entryKey: KnownKey[] = [];
  /** Bytes of the entry's key, quotes included: a changed value under the same key skips the key lookup. */
  readonly #entryKeyLength: number[] = [];
  readonly #entryValue: string[] = [];
  readonly #entryCached: boolean[] = [];
  readonly #plainKeys = new PlainKeys();
  /** The member (its number, or IGNORED) at each position of the previous span: see `#memberKey`. */
  readonly #memberOrder: number[] = [];
  /** The offset after the key `#memberKey` read. */
  #afterKey = 0;
  /** The last endpoint object read, by its bytes: a sidecar's spans all name the same one. */
  #endpointStart = -1;
  #endpointLength = -1;
  #endpointMemo: Endpoint | undefined;
  /** The endpoint `#endpointAt` read. */
  #endpoint: Endpoint | undefined;

  constructor(buf: Buffer, ctx: DecodeContext) {
    this.buf = buf;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.#ctx = ctx;
  }

  batch(): DecodedBatch {
    const buf = this.buf;
    const spans: Span[] = [];
    const rejected: SpanRejection[] = [];
    let p = this.#ws(0);
    if (at(buf, p) !== OPEN_BRACKET) throw DECLINED;
    p = this.#ws(p + 1);
    if (at(buf, p) === CLOSE_BRACKET) return this.#end(p + 1, spans, rejected);
    for (let index = 0; ; index++) {
      if (at(buf, p) !== OPEN_BRACE) throw DECLINED;
      p = this.#span(p);
      const result = this.#build(index);
      if ('reason' in result) rejected.push(result);
      else spans.push(result);
      p = this.#ws(p);
      if (at(buf, p) === COMMA) p = this.#ws(p + 1);
      else if (at(buf, p) === CLOSE_BRACKET) return this.#end(p + 1, spans, rejected);
      else throw DECLINED;
    }
  }

  #end(p: number, spans: Span[], rejected: SpanRejection[]): DecodedBatch {
    if (this.#ws(p) !== this.buf.length) throw DECLINED;
    return { spans, rejected };
  }

  /** Reads the span object at `p` (its `{`) into the fields; returns the offset after its `}`. */
  #span(p: number): number {
    const buf = this.buf;
    const f = this.#f;
    f.reset();
    p = this.#ws(p + 1);
    if (at(buf, p) === CLOSE_BRACE) return p + 1;
    for (let member = 0; ; member++) {
      if (at(buf, p) !== QUOTE) throw DECLINED;
      const field = this.#memberKey(member, p);
      p = this.#afterColon(this.#afterKey);
      p = field === IGNORED ? this.#skip(p, 0) : this.#member(field, p);
      p = this.#ws(p);
      if (at(buf, p) === COMMA) p = this.#ws(p + 1);
      else if (at(buf, p) === CLOSE_BRACE) return p + 1;
      else throw DECLINED;
    }
  }

  /**
   * Which span member (its number) the `member`-th key, at `p`, names, or IGNORED; sets
   * `#afterKey`. A sender writes its spans' members in one order, so the previous span's member in
   * this place is tried first, by its quoted bytes: a match is that exact key (no escapes), with
   * no scan for its closing quote.
   */
  #memberKey(member: number, p: number): number {
    const order = this.#memberOrder;
    const guess = member < order.length ? order[member]! : IGNORED;
    if (guess !== IGNORED) {
      const quoted = QUOTED_FIELDS[guess]!;
      if (this.#written(p, quoted)) {
        this.#afterKey = p + quoted.length;
        return guess;
      }
    }
    const field = this.#fieldName(p);
    this.#afterKey = this.#t.end + 1;
    order[member] = field;
    return field;
  }

  /** Whether the bytes at `p` are `bytes`. */
  #written(p: number, bytes: Uint8Array): boolean {
    const buf = this.buf;
    const n = bytes.length;
    if (p + n > buf.length) return false;
    for (let j = 0; j < n; j++) if (buf[p + j] !== bytes[j]) return false;
    return true;
  }

  /** Which span member (its number) the key string at `p` names, or IGNORED. */
  #fieldName(p: number): number {
    const t = this.#string(p);
    if (t.escaped) return FIELD_NAMES.indexOf(this.#text(t));
    for (const { field, bytes } of FIELDS_BY_LENGTH[t.end - t.start] ?? NO_FIELDS) if (this.#spells(t, bytes)) return field;
    return IGNORED;
  }

  /** Whether the string token's bytes are `bytes`. */
  #spells(t: Token, bytes: Uint8Array): boolean {
    return bytes.length === t.end - t.start && this.#written(t.start, bytes);
  }

  /** Reads one member's value at `p`; returns the offset after it. */
  #member(field: number, p: number): number {
    const f = this.#f;
    switch (field) {
      case TAGS: return this.#tags(p);
      case ANNOTATIONS: return this.#annotations(p);
      case LOCAL_ENDPOINT: {
        const end = this.#endpointAt(p);
        f.local = this.#endpoint;
        return end;
      }
      case REMOTE_ENDPOINT: {
        const end = this.#endpointAt(p);
        f.remote = this.#endpoint;
        return end;
      }
      default: {
        if (field === TRACE_ID || field === ID || field === PARENT_ID) {
          const end = this.#plainId(field, p);
          if (end > 0) return end;
        }
        const end = this.#value(p);
        this.#scalarMember(field, this.#t);
        return end;
      }
    }
  }

  /**
   * An id member written the usual way (ingest/hex-text.ts), read without scanning it as a string
   * first: its hex digits are checked where the closing quote must follow them, and no digit is a
   * quote or backslash, so they are the whole string. Returns the offset after it, or -1 for the
   * general route (`#value` and `#idMember`), which is always correct.
   */
  #plainId(field: number, p: number): number {
    const buf = this.buf;
    if (at(buf, p) !== QUOTE) return -1;
    const f = this.#f;
    if (field === TRACE_ID) {
      // A 32-digit id has a digit 17 bytes on, never a quote: the 16-digit check comes first.
      const length = at(buf, p + 17) === QUOTE ? 16 : at(buf, p + 33) === QUOTE ? 32 : 0;
      const hex = length === 0 ? undefined : lowerHexTraceId(buf, p + 1, length);
      if (hex === undefined) return -1;
      f.traceHex = hex;
      f.traceBits = length === 16 ? 64 : 128;
      f.traceId = undefined;
      return p + length + 2;
    }
    const hex = at(buf, p + 17) === QUOTE ? lowerHexSpanId(buf, p + 1, 16) : undefined;
    if (hex === undefined) return -1;
    if (field === ID) {
      f.idHex = hex;
      f.id = undefined;
    } else {
      f.parentType = STRING;
      f.parentHex = hex;
      f.parentId = undefined;
    }
    return p + 18;
  }

  /** Notes a member whose value is in the token, the way `decodeZipkinJson` reads it. */
  #scalarMember(field: number, t: Token): void {
    const f = this.#f;
    switch (field) {
      case TRACE_ID: case ID: case PARENT_ID: this.#idMember(field, t); break;
      case KIND: f.kind = this.#kind(t); break;
      case NAME: f.name = t.type === STRING ? this.#shared(t) : ''; break;
      case TIMESTAMP: f.timestamp = microsOrZero(t); f.timestampOk = isMicros(t); break;
      case DURATION: f.duration = microsOrZero(t); f.durationOk = isMicros(t); break;
      case DEBUG: f.debug = t.type === TRUE; break;
      case SHARED: f.shared = t.type === TRUE; break;
      default: break;
    }
  }

  /** An id member: read from the bytes when written the usual way (ingest/hex-text.ts), else kept as text. */
  #idMember(field: number, t: Token): void {
    const f = this.#f;
    const plain = this.#plain(t);
    const length = t.end - t.start;
    if (field === TRACE_ID) {
      f.traceHex = plain ? lowerHexTraceId(this.buf, t.start, length) : undefined;
      f.traceBits = length === 16 ? 64 : 128;
      f.traceId = f.traceHex === undefined ? this.#stringOrUndefined(t) : undefined;
    } else if (field === ID) {
      f.idHex = plain ? lowerHexSpanId(this.buf, t.start, length) : undefined;
      f.id = f.idHex === undefined ? this.#stringOrUndefined(t) : undefined;
    } else {
      f.parentType = t.type;
      f.parentHex = plain ? lowerHexSpanId(this.buf, t.start, length) : undefined;
      f.parentId = f.parentHex === undefined ? this.#stringOrUndefined(t) : undefined;
    }
  }

  /** The span's ids into the fields to build from, checked in the general decoder's order; or why they are not ids. */
  #ids(index: number): SpanRejection | undefined {
    const f = this.#f;
    const out = this.#out;
    if (f.traceHex !== undefined) {
      out.traceId = f.traceHex;
      out.traceIdBits = f.traceBits;
    } else {
      const trace = f.traceId === undefined ? undefined : parseHexTraceId(f.traceId);
      if (trace === undefined) return rejectSpan(index, 'invalid-trace-id', 'traceId', 'not 1-32 hex chars, or all zeros');
      out.traceId = trace.traceId;
      out.traceIdBits = trace.bits;
    }
    const id = f.idHex ?? (f.id === undefined ? undefined : parseHexSpanId(f.id));
    if (id === undefined) return rejectSpan(index, 'invalid-span-id', 'id', 'not 1-16 hex chars, or all zeros');
    out.id = id;
    // Absent, null and "" mean no parent; anything else must be a span id.
    const noParent = f.parentType === 0 || f.parentType === NULL || f.parentId === '';
    out.parentId = f.parentHex ?? (noParent || f.parentId === undefined ? undefined : parseHexSpanId(f.parentId));
    if (out.parentId === undefined && !noParent) return rejectSpan(index, 'invalid-parent-id', 'parentId', 'not 1-16 hex chars');
    return undefined;
  }

  /** The span from its fields, checked in the general decoder's order, or why it was rejected. */
  #build(index: number): Span | SpanRejection {
    const f = this.#f;
    const ctx = this.#ctx;
    const invalidId = this.#ids(index);
    if (invalidId !== undefined) return invalidId;
    if (!f.timestampOk) return rejectSpan(index, 'invalid-timestamp', 'timestamp', 'not a non-negative number of epoch microseconds');
    if (!f.durationOk) return rejectSpan(index, 'invalid-duration', 'duration', 'not a non-negative number of microseconds');
    const packer = ctx.packer();
    packer.begin();
    for (let i = 0; i < f.tagCount; i++) {
      if (!ctx.addKnownTag(packer, i, f.tagKeys[i]!, f.tagValues[i]!, f.tagCached[i])) break;
    }
    const out = this.#out;
    out.kind = f.kind;
    out.name = f.name;
    out.timestampUs = f.timestamp;
    out.durationUs = f.duration;
    out.localEndpoint = f.local;
    out.remoteEndpoint = f.remote;
    out.annotations = f.annotations;
    out.debug = f.debug;
    out.shared = f.shared;
    return buildZipkinSpan(packer, out);
  }

  /**
   * The `tags` member at `p`. An object's string, number and boolean values become tags in member
   * order; null, objects and arrays are left out. Anything but an object or array means no tags.
   */
  #tags(p: number): number {
    const buf = this.buf;
    const f = this.#f;
    f.tagCount = 0;
    if (at(buf, p) === OPEN_BRACKET) throw DECLINED;
    if (at(buf, p) !== OPEN_BRACE) return this.#value(p);
    p = this.#ws(p + 1);
    if (at(buf, p) === CLOSE_BRACE) return p + 1;
    // Most entries repeat the previous span's in the same place: those are taken here, in the
    // loop, with the arrays in locals; the rest go through #tagEntry. Entry i is tag i.
    const starts = this.#entryStart, lengths = this.#entryLength;
    const keys = f.tagKeys, values = f.tagValues, cached = f.tagCached;
    for (let entry = 0; ; entry++) {
      if (at(buf, p) !== QUOTE) throw DECLINED;
      const repeat = entry < lengths.length ? lengths[entry]! : -1;
      if (repeat > 0 && this.#sameBytes(starts[entry]!, p, repeat)) {
        keys[entry] = this.#entryKey[entry]!;
        values[entry] = this.#entryValue[entry]!;
        cached[entry] = this.#entryCached[entry]!;
        f.tagCount = entry + 1;
        p += repeat;
      } else {
        p = this.#tagEntry(entry, p);
      }
      let c = at(buf, p);
      if (c !== COMMA && c !== CLOSE_BRACE) c = at(buf, p = this.#ws(p));
      if (c === COMMA) p = this.#ws(p + 1);
      else if (c === CLOSE_BRACE) break;
      else throw DECLINED;
    }
    if (!this.#plainKeys.check(f.tagKeys, f.tagCount)) throw DECLINED;
    return p + 1;
  }

  /**
   * Reads the `entry`-th tag entry at `p` (its key's opening quote), one that does not repeat the
   * previous span's entry in this place; returns the offset after its value.
   */
  #tagEntry(entry: number, p: number): number {
    const ctx = this.#ctx;
    const keyLength = entry < this.#entryKeyLength.length ? this.#entryKeyLength[entry]! : 0;
    let key: KnownKey;
    let keyEnd: number;
    if (keyLength > 0 && this.#sameBytes(this.#entryStart[entry]!, p, keyLength)) {
      key = this.#entryKey[entry]!;
      keyEnd = p + keyLength - 1;
    } else {
      const k = this.#string(p);
      key = k.escaped ? ctx.knownKey(this.#text(k)) : ctx.keys.get(this, k.start, k.end);
      keyEnd = k.end;
    }
    const end = this.#value(this.#afterColon(keyEnd + 1));
    const t = this.#t;
    const value = this.#tagText(key, t);
    const cached = this.#tagCached;
    // A null, object or array value is left out of the tags, yet its key still takes a place in
    // JSON.parse's object (and a repeat of it would move a kept key): left to the general decoder.
    if (value === undefined) throw DECLINED;
    const f = this.#f;
    f.tagKeys[entry] = key;
    f.tagValues[entry] = value;
    f.tagCached[entry] = cached;
    f.tagCount = entry + 1;
    this.#entryStart[entry] = p;
    // A number does not end itself (`12` is the start of `123`): such entries are not skipped as repeats.
    this.#entryLength[entry] = t.type === NUMBER ? -1 : end - p;
    this.#entryKey[entry] = key;
    this.#entryKeyLength[entry] = keyEnd + 1 - p;
    this.#entryValue[entry] = value;
    this.#entryCached[entry] = cached;
    return end;
  }

  /** Whether the last `#tagText` is a cached instance. */
  #tagCached = false;

  /** The tag text of the value in the token: strings as they are, integers as digits, booleans as words. */
  #tagText(key: KnownKey, t: Token): string | undefined {
    this.#tagCached = false;
    if (t.type === STRING) {
      // Request ids and URLs never repeat: copying them beats looking for an earlier copy.
      if (key.tag.unique || t.escaped) return this.#text(t);
      this.#tagCached = true;
      return this.#ctx.strings.get(this, t.start, t.end);
    }
    // An integer's JSON digits are its `String(n)`, which the general decoder keeps.
    if (t.type === NUMBER) {
      this.#tagCached = true;
      return this.#ctx.strings.get(this, t.start, t.end);
    }
    return t.type === TRUE ? 'true' : t.type === FALSE ? 'false' : undefined;
  }

  /** An endpoint member at `p` into `#endpoint`; returns the offset after it. */
  #endpointAt(p: number): number {
    const buf = this.buf;
    if (at(buf, p) === OPEN_BRACKET) throw DECLINED;
    if (at(buf, p) !== OPEN_BRACE) {
      this.#endpoint = undefined;
      return this.#value(p);
    }
    if (this.#endpointLength > 0 && this.#sameBytes(this.#endpointStart, p, this.#endpointLength)) {
      this.#endpoint = this.#endpointMemo;
      return p + this.#endpointLength;
    }
    const ctx = this.#ctx;
    const e: { serviceName?: string; ipv4?: string; ipv6?: string; port?: number } = {};
    const end = this.#members(p, (name, at) => {
      if (name !== 'serviceName' && name !== 'ipv4' && name !== 'ipv6' && name !== 'port') return this.#skip(at, 1);
      const after = this.#value(at);
      const t = this.#t;
      if (name === 'port') e.port = t.type === NUMBER && t.number > 0 && t.number < 65536 ? t.number : undefined;
      else e[name] = t.type !== STRING ? undefined : t.escaped ? this.#text(t) : ctx.strings.get(this, t.start, t.end);
      return after;
    });
    this.#endpoint = this.#endpointMemo = internEndpoint(ctx.interner, e.serviceName, e.ipv4, e.ipv6, e.port);
    this.#endpointStart = p;
    this.#endpointLength = end - p;
    return end;
  }

  /**
   * Reads the object at `p` (its `{`), handing each member's name and value offset to `visit`,
   * which returns the offset after the value. Returns the offset after the object.
   */
  #members(p: number, visit: (name: string, valueAt: number) => number): number {
    const buf = this.buf;
    p = this.#ws(p + 1);
    if (at(buf, p) === CLOSE_BRACE) return p + 1;
    for (;;) {
      if (at(buf, p) !== QUOTE) throw DECLINED;
      const k = this.#string(p);
      // Member names meshtrace reads are ASCII; a wide one is none of them.
      const name = k.escaped ? this.#text(k) : k.wide ? '' : ascii(buf, k.start, k.end);
      p = this.#ws(visit(name, this.#afterColon(k.end + 1)));
      if (at(buf, p) === COMMA) p = this.#ws(p + 1);
      else if (at(buf, p) === CLOSE_BRACE) return p + 1;
      else throw DECLINED;
    }
  }

  /**
   * The `annotations` member at `p`: the objects with a usable timestamp and a string value, up to
   * the span's event limit; other elements are skipped. Anything but an array means none.
   */
  #annotations(p: number): number {
    const buf = this.buf;
    const f = this.#f;
    f.annotations = undefined;
    if (at(buf, p) !== OPEN_BRACKET) return this.#skip(p, 0);
    const max = this.#ctx.limits.maxEventsPerSpan;
    const out: Annotation[] = [];
    p = this.#ws(p + 1);
    if (at(buf, p) !== CLOSE_BRACKET) {
      for (;;) {
        if (at(buf, p) === OPEN_BRACE && out.length < max) p = this.#annotation(p, out);
        else p = this.#skip(p, 1);
        p = this.#ws(p);
        if (at(buf, p) === COMMA) p = this.#ws(p + 1);
        else if (at(buf, p) === CLOSE_BRACKET) break;
        else throw DECLINED;
      }
    }
    if (out.length > 0) f.annotations = out;
    return p + 1;
  }

  #annotation(p: number, out: Annotation[]): number {
    let timestampUs: number | undefined = 0;
    let value: string | undefined;
    const end = this.#members(p, (name, at) => {
      if (name !== 'timestamp' && name !== 'value') return this.#skip(at, 2);
      const after = this.#value(at);
      const t = this.#t;
      if (name === 'timestamp') timestampUs = isMicros(t) ? microsOrZero(t) : undefined;
      else value = t.type === STRING ? this.#text(t) : undefined;
      return after;
    });
    if (timestampUs !== undefined && value !== undefined) out.push({ timestampUs, value });
    return end;
  }

  /** The offset after the `:` that must follow a key ending before `p`, and any space after it. */
  #afterColon(p: number): number {
    p = this.#ws(p);
    if (at(this.buf, p) !== COLON) throw DECLINED;
    return this.#ws(p + 1);
  }

  /**
   * Reads the value at `p` into the token: strings, numbers (non-negative integers only) and
   * literals are read; objects and arrays are skipped and read as OTHER. Returns the offset after it.
   */
  #value(p: number): number {
    const buf = this.buf;
    const t = this.#t;
    const c = at(buf, p);
    if (c === QUOTE) {
      this.#string(p);
      return t.end + 1;
    }
    if (c >= ZERO && c <= NINE) return this.#number(p);
    if (c === 0x74 /* t */ && this.#literal(p, 'true')) { t.type = TRUE; return p + 4; }
    if (c === 0x66 /* f */ && this.#literal(p, 'false')) { t.type = FALSE; return p + 5; }
    if (c === 0x6e /* n */ && this.#literal(p, 'null')) { t.type = NULL; return p + 4; }
    if (c !== OPEN_BRACE && c !== OPEN_BRACKET) throw DECLINED;
    const end = this.#skip(p, 1);
    t.type = OTHER;
    return end;
  }

  /** A non-negative integer that a double holds exactly, like `JSON.parse` gives it. */
  #number(p: number): number {
    const buf = this.buf;
    const t = this.#t;
    const start = p;
    let n = 0;
    let c = at(buf, p);
    if (c === ZERO) {
      c = at(buf, ++p);
    } else {
      while (c >= ZERO && c <= NINE) {
        n = n * 10 + (c - ZERO);
        c = at(buf, ++p);
      }
    }
    // Fractions, exponents, leading zeros and integers past 2^53 are left to JSON.parse.
    if (c === DOT || c === LOWER_E || c === UPPER_E || (c >= ZERO && c <= NINE) || n > Number.MAX_SAFE_INTEGER) throw DECLINED;
    t.type = NUMBER;
    t.start = start;
    t.end = p;
    t.number = n;
    return p;
  }

  #literal(p: number, word: string): boolean {
    const buf = this.buf;
    for (let i = 1; i < word.length; i++) if (at(buf, p + i) !== word.charCodeAt(i)) return false;
    return true;
  }

  /** Reads the string at `p` (its opening quote) into the token. */
  #string(p: number): Token {
    const buf = this.buf;
    const n = buf.length;
    const t = this.#t;
    let escaped = false;
    let wide = false;
    const view = this.view;
    let i = p + 1;
    for (;;) {
      // Four bytes at a time while none of them is a quote, a backslash, a control character or
      // above 0x7f (each test is exact: a zero byte in `w ^ 0x22222222` is a quote, and so on);
      // any such byte is read singly below. Ids, URLs and request ids are runs of plain bytes.
      while (i + 4 <= n) {
        const w = view.getInt32(i, true);
        const q = w ^ 0x22222222;
        const b = w ^ 0x5c5c5c5c;
        if ((((q - 0x01010101) & ~q) | ((b - 0x01010101) & ~b) | ((w - 0x20202020) & ~w) | w) & 0x80808080) break;
        i += 4;
      }
      if (i >= n) throw DECLINED;
      const c = buf[i]!;
      if (c === QUOTE) break;
      // Raw control characters are not JSON: JSON.parse reports them.
      if (c < 0x20) throw DECLINED;
      if (c === BACKSLASH) {
        escaped = true;
        i = this.#escape(i);
        continue;
      }
      if (c > 0x7f) wide = true;
      i++;
    }
    t.type = STRING;
    t.start = p + 1;
    t.end = i;
    t.escaped = escaped;
    t.wide = wide;
    return t;
  }

  /** The offset after the escape sequence at `i` (its backslash); declines one JSON does not allow. */
  #escape(i: number): number {
    const buf = this.buf;
    const c = at(buf, i + 1);
    // \" \\ \/ \b \f \n \r \t
    if (c === QUOTE || c === BACKSLASH || c === 0x2f || c === 0x62 || c === 0x66 || c === 0x6e || c === 0x72 || c === 0x74) return i + 2;
    if (c !== 0x75 /* u */) throw DECLINED;
    for (let j = i + 2; j < i + 6; j++) if (!isHexDigit(at(buf, j))) throw DECLINED;
    return i + 6;
  }

  /** The text of the string token. */
  #text(t: Token): string {
    if (t.escaped) {
      try {
        return JSON.parse(utf8(this.buf, t.start - 1, t.end + 1)) as string;
      } catch {
        throw DECLINED;
      }
    }
    return t.wide ? utf8(this.buf, t.start, t.end) : ascii(this.buf, t.start, t.end);
  }

  /** The span kind the token names, read from its bytes unless it has escapes. */
  #kind(t: Token): SpanKind | undefined {
    if (t.type !== STRING) return undefined;
    if (t.escaped) return kindByName(this.#text(t));
    for (const { bytes, kind } of KIND_BYTES) if (this.#spells(t, bytes)) return kind;
    return undefined;
  }

  /** Whether the token is a string of plain bytes: no escapes, nothing above 0x7f. */
  #plain(t: Token): boolean {
    return t.type === STRING && !t.escaped && !t.wide;
  }

  #stringOrUndefined(t: Token): string | undefined {
    return t.type === STRING ? this.#text(t) : undefined;
  }

  /** The text of the string token, shared with earlier spans (the interner's instance). */
  #shared(t: Token): string {
    return t.escaped ? this.#ctx.interner.string(this.#text(t)) : this.#ctx.strings.get(this, t.start, t.end);
  }

  /** Skips any JSON value at `p`, checking its syntax; returns the offset after it. */
  #skip(p: number, depth: number): number {
    const buf = this.buf;
    const c = at(buf, p);
    if (c !== OPEN_BRACE && c !== OPEN_BRACKET) return this.#value(p);
    if (depth >= MAX_DEPTH) throw DECLINED;
    const object = c === OPEN_BRACE;
    const close = object ? CLOSE_BRACE : CLOSE_BRACKET;
    p = this.#ws(p + 1);
    if (at(buf, p) === close) return p + 1;
    for (;;) {
      if (object) {
        if (at(buf, p) !== QUOTE) throw DECLINED;
        p = this.#afterColon(this.#string(p).end + 1);
      }
      p = this.#ws(this.#skip(p, depth + 1));
      if (at(buf, p) === COMMA) p = this.#ws(p + 1);
      else if (at(buf, p) === close) return p + 1;
      else throw DECLINED;
    }
  }

  /** The offset of the first byte at or after `p` that is not JSON whitespace. */
  #ws(p: number): number {
    const buf = this.buf;
    // Bounded rather than through `at`: this loop runs for most bytes of a body.
    for (const n = buf.length; p < n; p++) {
      const c = buf[p]!;
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return p;
    }
    return p;
  }

  /** Whether `buf[b, b + length)` equals `buf[a, a + length)` (and lies within the body). */
  #sameBytes(a: number, b: number, length: number): boolean {
    return b + length <= this.buf.length && sameBytes(this, a, b, length);
  }
}

/**
 * The byte at `p`, or 0 (no byte a reader looks for) past the end. The reader never indexes the
 * body past its end: one `undefined` from a truncated body would make V8 compile the byte
 * comparisons of the code that read it as generic calls, and keep them so for every later body
 * (decoding took a sixth longer).
 */
function at(buf: Buffer, p: number): number {
  return p < buf.length ? buf[p]! : 0;
}

/** Times: a non-negative integer, or null (zero). Anything else rejects the span. */
function isMicros(t: Token): boolean {
  return t.type === NUMBER || t.type === NULL;
}

function microsOrZero(t: Token): number {
  return t.type === NUMBER ? t.number : 0;
}


function isHexDigit(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}
