/**
 * One OTLP `Span` read from protobuf bytes. The span's fields may come in any order, so a first
 * pass notes where each is; ids and times are checked before any attribute is read, so a rejected
 * span costs no tag work and leaves the tag counters alone.
 *
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/trace/v1/trace.proto
 */
import { spanIdAt, traceIdAt } from '../model/index.js';
import type { Annotation, Span, SpanLink, SpanRejection } from '../model/index.js';
import type { DecodeContext } from '../ingest/context.js';
import { utf8 } from '../ingest/string-cache.js';
import { FIXED64, LENGTH_DELIMITED, VARINT } from '../ingest/wire-reader.js';
import type { WireReader } from '../ingest/wire-reader.js';
import { OTLP_KINDS, buildOtlpSpan, microsOf, rejection, spanTimesFromParts, statusCode } from './build-span.js';
import type { OtlpSpanFields, ScopeContext, SpanTimes } from './build-span.js';
import { Ranges } from './wire-attributes.js';
import type { AttributeReader } from './wire-attributes.js';

/** Where a span sits in the request, and what its scope gives it. */
export interface SpanPlace {
  /** Running index of the span in the request. */
  index: number;
  /** Path of its ScopeSpans, e.g. `resourceSpans[0].scopeSpans[1]`. */
  path: string;
  /** Position in its ScopeSpans' `spans`. */
  position: number;
  scope: ScopeContext;
  source: 'otlp-grpc' | 'otlp-proto';
}

/** `Span` field numbers (trace.proto). */
const TRACE_ID = 1, SPAN_ID = 2, TRACE_STATE = 3, PARENT_SPAN_ID = 4, NAME = 5, KIND = 6;
const START_TIME = 7, END_TIME = 8, ATTRIBUTES = 9, EVENTS = 11, LINKS = 13, STATUS = 15;

/** The wire type each field we read must have (index: field number; -1: not read, skipped as it comes). */
const WIRE_TYPES = [-1, LENGTH_DELIMITED, LENGTH_DELIMITED, LENGTH_DELIMITED, LENGTH_DELIMITED, LENGTH_DELIMITED, VARINT,
  FIXED64, FIXED64, LENGTH_DELIMITED, -1, LENGTH_DELIMITED, -1, LENGTH_DELIMITED, -1, LENGTH_DELIMITED];

/**
 * Where a span's fields are: `start[f]`/`end[f]` for the last length-delimited field `f` (-1 when
 * absent), the varint and fixed64 values, and every attribute, event and link. Reused span to span.
 */
class SpanFieldsAt {
  readonly start = new Int32Array(16);
  readonly end = new Int32Array(16);
  kind = 0;
  startLo = 0;
  startHi = 0;
  endLo = 0;
  endHi = 0;
  readonly attributes = new Ranges();
  readonly events = new Ranges();
  readonly links = new Ranges();
}

const FIELDS = new SpanFieldsAt();

function scanSpan(r: WireReader, start: number, end: number): SpanFieldsAt {
  const f = FIELDS;
  f.start.fill(-1);
  f.kind = 0;
  f.startLo = f.startHi = f.endLo = f.endHi = 0;
  f.attributes.clear();
  f.events.clear();
  f.links.clear();
  r.pos = start;
  for (let tag = r.tag(end); tag !== -1; tag = r.tag(end)) {
    const field = tag >>> 3;
    const wireType = field < WIRE_TYPES.length ? WIRE_TYPES[field]! : -1;
    if (wireType === -1) {
      r.skip(tag & 7, end);
      continue;
    }
    r.expect(tag, wireType);
    if (wireType === LENGTH_DELIMITED) {
      const contentEnd = r.delimited(end);
      if (field === ATTRIBUTES) f.attributes.add(r.pos, contentEnd);
      else if (field === EVENTS) f.events.add(r.pos, contentEnd);
      else if (field === LINKS) f.links.add(r.pos, contentEnd);
      else {
        f.start[field] = r.pos;
        f.end[field] = contentEnd;
      }
      r.pos = contentEnd;
    } else if (field === KIND) {
      f.kind = r.int32(end);
    } else {
      r.fixed64(end);
      if (field === START_TIME) {
        f.startLo = r.lo;
        f.startHi = r.hi;
      } else if (field === END_TIME) {
        f.endLo = r.lo;
        f.endHi = r.hi;
      }
    }
  }
  return f;
}

/** Byte length of field `field` (0 when absent, as protobufjs gives an empty `bytes`). */
function lengthOf(f: SpanFieldsAt, field: number): number {
  return f.start[field] === -1 ? 0 : f.end[field]! - f.start[field]!;
}

/** Reads the spans of one request (its reader, context and attribute reader). */
export class SpanReader {
  readonly #r: WireReader;
  readonly #ctx: DecodeContext;
  readonly #attributes: AttributeReader;
  /*
   * Scratch for the span being built: `buildOtlpSpan` copies every value out at once, so one set
   * serves every span and decoding allocates only what the model keeps.
   */
  readonly #trace = { traceId: '', bits: 128 as 64 | 128 };
  readonly #times: SpanTimes = { timestampUs: 0, durationUs: 0, startNanosRemainder: 0, endNanosRemainder: 0 };
  readonly #fields: OtlpSpanFields = {
    trace: this.#trace, id: '', parentId: undefined, kind: undefined, name: '', times: this.#times, traceState: undefined,
    statusCode: 0, statusMessage: undefined, annotations: undefined, links: undefined, source: 'otlp-proto',
  };

  constructor(r: WireReader, ctx: DecodeContext, attributes: AttributeReader) {
    this.#r = r;
    this.#ctx = ctx;
    this.#attributes = attributes;
  }

  /** The span in `[start, end)`, or why it was rejected. */
  read(start: number, end: number, at: SpanPlace): Span | SpanRejection {
    const r = this.#r;
    const ctx = this.#ctx;
    const f = scanSpan(r, start, end);
    const buf = r.buf;
    const traceLength = lengthOf(f, TRACE_ID);
    const traceId = traceIdAt(buf, f.start[TRACE_ID]!, traceLength);
    if (traceId === undefined) return rejection(at.index, 'invalid-trace-id', pathOf(at) + '.traceId', 'not 16 (or 8) bytes, or all zeros');
    const id = spanIdAt(buf, f.start[SPAN_ID]!, lengthOf(f, SPAN_ID));
    if (id === undefined) return rejection(at.index, 'invalid-span-id', pathOf(at) + '.spanId', 'not 8 bytes, or all zeros');
    let parentId: string | undefined;
    const parentLength = lengthOf(f, PARENT_SPAN_ID);
    if (parentLength > 0) {
      parentId = spanIdAt(buf, f.start[PARENT_SPAN_ID]!, parentLength);
      if (parentId === undefined) return rejection(at.index, 'invalid-parent-id', pathOf(at) + '.parentSpanId', 'not 8 bytes, or all zeros');
    }
    const times = spanTimesFromParts(f.startLo, f.startHi, f.endLo, f.endHi, this.#times);
    if ('reason' in times) return rejection(at.index, times.reason, `${pathOf(at)}.${times.field}`, times.detail);
    const packer = ctx.packer();
    packer.begin(at.scope.base);
    this.#attributes.addTo(packer, f.attributes);
    const kind = OTLP_KINDS[f.kind];
    const name = f.start[NAME] === -1 ? '' : ctx.strings.get(r, f.start[NAME]!, f.end[NAME]!);
    const traceState = f.start[TRACE_STATE] === -1 ? '' : utf8(buf, f.start[TRACE_STATE]!, f.end[TRACE_STATE]!);
    const statusStart = f.start[STATUS]!;
    const statusEnd = f.end[STATUS]!;
    const events = f.events.count === 0 ? undefined : annotations(r, ctx, f.events);
    const links = f.links.count === 0 ? undefined : spanLinks(r, ctx, this.#attributes, f.links);
    const status = readStatus(r, ctx, statusStart, statusEnd);
    const out = this.#fields;
    this.#trace.traceId = traceId;
    this.#trace.bits = traceLength === 8 ? 64 : 128;
    out.id = id;
    out.parentId = parentId;
    out.kind = kind;
    out.name = name;
    out.traceState = traceState || undefined;
    out.statusCode = statusCode(status.code);
    out.statusMessage = status.message || undefined;
    out.annotations = events;
    out.links = links;
    out.source = at.source;
    return buildOtlpSpan(packer, at.scope, out);
  }
}

/** The span's path in the request, e.g. `resourceSpans[0].scopeSpans[1].spans[7]` (built only for rejections). */
function pathOf(at: SpanPlace): string {
  return `${at.path}.spans[${at.position}]`;
}

/** A span's status as read (reused span to span). */
const STATUS_READ = { code: 0, message: '' };

/** Status: message (field 2) and code (field 3); absent → code 0, no message. */
function readStatus(r: WireReader, ctx: DecodeContext, start: number, end: number): { code: number; message: string } {
  let code = 0;
  let message = '';
  if (start === -1) return status(code, message);
  r.pos = start;
  for (let tag = r.tag(end); tag !== -1; tag = r.tag(end)) {
    const field = tag >>> 3;
    if (field === 2) {
      r.expect(tag, LENGTH_DELIMITED);
      const contentEnd = r.delimited(end);
      message = ctx.strings.get(r, r.pos, contentEnd);
      r.pos = contentEnd;
    } else if (field === 3) {
      r.expect(tag, VARINT);
      code = r.int32(end);
    } else r.skip(tag & 7, end);
  }
  return status(code, message);
}

function status(code: number, message: string): { code: number; message: string } {
  STATUS_READ.code = code;
  STATUS_READ.message = message;
  return STATUS_READ;
}

/** Events as annotations (time field 1, name field 2); attributes have no place in one and are skipped. */
function annotations(r: WireReader, ctx: DecodeContext, events: Ranges): Annotation[] | undefined {
  const out: Annotation[] = [];
  for (let i = 0; i < events.count; i++) {
    if (out.length >= ctx.limits.maxEventsPerSpan) break;
    const end = events.at[2 * i + 1]!;
    let lo = 0;
    let hi = 0;
    let name = '';
    r.pos = events.at[2 * i]!;
    for (let tag = r.tag(end); tag !== -1; tag = r.tag(end)) {
      const field = tag >>> 3;
      if (field === 1) {
        r.expect(tag, FIXED64);
        r.fixed64(end);
        lo = r.lo;
        hi = r.hi;
      } else if (field === 2) {
        r.expect(tag, LENGTH_DELIMITED);
        const contentEnd = r.delimited(end);
        name = ctx.strings.get(r, r.pos, contentEnd);
        r.pos = contentEnd;
      } else r.skip(tag & 7, end);
    }
    // A missing or unusable time leaves nothing to place the event at.
    const us = lo === 0 && hi === 0 ? -1 : microsOf(lo, hi);
    if (us !== -1) out.push({ timestampUs: us, value: name });
  }
  return out.length > 0 ? out : undefined;
}

/** Links (trace id 1, span id 2, trace state 3, attributes 4); one to an invalid id is dropped. */
function spanLinks(r: WireReader, ctx: DecodeContext, attributes: AttributeReader, links: Ranges): SpanLink[] | undefined {
  const out: SpanLink[] = [];
  const linkAttributes = new Ranges();
  for (let i = 0; i < links.count; i++) {
    if (out.length >= ctx.limits.maxEventsPerSpan) break;
    const end = links.at[2 * i + 1]!;
    const at = [-1, -1, -1, -1, -1, -1, -1, -1];
    linkAttributes.clear();
    r.pos = links.at[2 * i]!;
    for (let tag = r.tag(end); tag !== -1; tag = r.tag(end)) {
      const field = tag >>> 3;
      if (field < 1 || field > 4) {
        r.skip(tag & 7, end);
        continue;
      }
      r.expect(tag, LENGTH_DELIMITED);
      const contentEnd = r.delimited(end);
      if (field === 4) linkAttributes.add(r.pos, contentEnd);
      else {
        at[2 * field] = r.pos;
        at[2 * field + 1] = contentEnd;
      }
      r.pos = contentEnd;
    }
    const length = (field: number): number => (at[2 * field] === -1 ? 0 : at[2 * field + 1]! - at[2 * field]!);
    const traceId = traceIdAt(r.buf, at[2]!, length(1));
    const spanId = spanIdAt(r.buf, at[4]!, length(2));
    // A link to an invalid id cannot be followed; drop it rather than the span.
    if (traceId === undefined || spanId === undefined) continue;
    const traceState = at[6] === -1 ? '' : utf8(r.buf, at[6]!, at[7]!);
    out.push({ traceId, spanId, traceState: traceState || undefined, attributes: attributes.flat(linkAttributes) });
  }
  return out.length > 0 ? out : undefined;
}
