/**
 * One Zipkin proto3 `Span` read from the wire. Its fields may come in any order, so a first pass
 * notes where each is (the last of a field wins, as in protobufjs); the span is then built the way
 * the protobufjs-based decoder built it from the decoded message.
 *
 * @see https://github.com/openzipkin/zipkin-api/blob/master/zipkin.proto
 */
import { internEndpoint, spanIdAt, traceIdAt } from '../model/index.js';
import type { Annotation, Endpoint, Span, SpanKind, SpanRejection } from '../model/index.js';
import type { DecodeContext } from '../ingest/context.js';
import { FIXED64, LENGTH_DELIMITED, VARINT } from '../ingest/wire-reader.js';
import type { WireReader } from '../ingest/wire-reader.js';
import { buildZipkinSpan, emptyZipkinFields } from './build-span.js';
import { TagReader } from './wire-tags.js';

const KINDS: readonly (SpanKind | undefined)[] = [undefined, 'CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER'];

/** `Span` field numbers (zipkin.proto). */
const TRACE_ID = 1, PARENT_ID = 2, ID = 3, KIND = 4, NAME = 5, TIMESTAMP = 6, DURATION = 7;
const LOCAL_ENDPOINT = 8, REMOTE_ENDPOINT = 9, ANNOTATIONS = 10, TAGS = 11, DEBUG = 12, SHARED = 13;

/** The wire type of each field (index: field number). */
const WIRE_TYPES = [-1, LENGTH_DELIMITED, LENGTH_DELIMITED, LENGTH_DELIMITED, VARINT, LENGTH_DELIMITED, FIXED64, VARINT,
  LENGTH_DELIMITED, LENGTH_DELIMITED, LENGTH_DELIMITED, LENGTH_DELIMITED, VARINT, VARINT];

/** Where a span's fields are (reused span to span). Absent bytes fields have length 0, as protobufjs's empty default. */
export class ZipkinSpanAt {
  traceStart = 0; traceLength = 0;
  parentStart = 0; parentLength = 0;
  idStart = 0; idLength = 0;
  nameStart = -1; nameEnd = -1;
  localStart = -1; localEnd = -1;
  remoteStart = -1; remoteEnd = -1;
  kind = 0;
  timestamp = 0;
  duration = 0;
  debug = false;
  shared = false;
  readonly annotations: number[] = [];
  annotationCount = 0;
  readonly tags: number[] = [];
  tagCount = 0;
}

const FIELDS = new ZipkinSpanAt();

/** Notes where the fields of the span in `[start, end)` are. */
export function scanSpan(r: WireReader, start: number, end: number): ZipkinSpanAt {
  const f = FIELDS;
  f.traceLength = f.parentLength = f.idLength = 0;
  f.nameStart = f.localStart = f.remoteStart = -1;
  f.kind = f.timestamp = f.duration = 0;
  f.debug = f.shared = false;
  f.annotationCount = f.tagCount = 0;
  r.pos = start;
  for (let tag = r.tag(end); tag !== -1; tag = r.tag(end)) {
    const field = tag >>> 3;
    if (field >= WIRE_TYPES.length || field === 0) {
      r.skip(tag & 7, end);
      continue;
    }
    r.expect(tag, WIRE_TYPES[field]!);
    if (field === TIMESTAMP) {
      r.fixed64(end);
      f.timestamp = r.hi * 0x100000000 + r.lo;
    } else if (WIRE_TYPES[field] === VARINT) {
      r.varint64(end);
      // uint64 as protobufjs's Long.toNumber gave it; enums and bools from the low bits.
      if (field === DURATION) f.duration = r.hi * 0x100000000 + r.lo;
      else if (field === KIND) f.kind = r.lo | 0;
      else if (field === DEBUG) f.debug = r.lo !== 0 || r.hi !== 0;
      else if (field === SHARED) f.shared = r.lo !== 0 || r.hi !== 0;
    } else {
      const contentEnd = r.delimited(end);
      noteDelimited(f, field, r.pos, contentEnd);
      r.pos = contentEnd;
    }
  }
  return f;
}

function noteDelimited(f: ZipkinSpanAt, field: number, start: number, end: number): void {
  switch (field) {
    case TRACE_ID: f.traceStart = start; f.traceLength = end - start; break;
    case PARENT_ID: f.parentStart = start; f.parentLength = end - start; break;
    case ID: f.idStart = start; f.idLength = end - start; break;
    case NAME: f.nameStart = start; f.nameEnd = end; break;
    case LOCAL_ENDPOINT: f.localStart = start; f.localEnd = end; break;
    case REMOTE_ENDPOINT: f.remoteStart = start; f.remoteEnd = end; break;
    case ANNOTATIONS: f.annotations[2 * f.annotationCount] = start; f.annotations[2 * f.annotationCount++ + 1] = end; break;
    case TAGS: f.tags[2 * f.tagCount] = start; f.tags[2 * f.tagCount++ + 1] = end; break;
    default: break;
  }
}

/** Reads the spans of one request. */
export class SpanReader {
  readonly #r: WireReader;
  readonly #ctx: DecodeContext;
  readonly #tags: TagReader;
  /** The batch's Envoy spans carry little-endian span and parent ids. */
  readonly #envoyLittleEndian: boolean;
  /** The last span's endpoints by their bytes: a sidecar's spans all name the same one. */
  readonly #endpoints = new EndpointMemo();
  /** Filled span after span: the model span is built from it and keeps none of it. */
  readonly #fields = emptyZipkinFields('zipkin-proto');

  constructor(r: WireReader, ctx: DecodeContext, envoyLittleEndian: boolean) {
    this.#r = r;
    this.#ctx = ctx;
    this.#tags = new TagReader(r, ctx);
    this.#envoyLittleEndian = envoyLittleEndian;
  }

  /** The span in `[start, end)` (the `index`-th of the request), or why it was rejected. */
  read(start: number, end: number, index: number): Span | SpanRejection {
    const r = this.#r;
    const ctx = this.#ctx;
    const buf = r.buf;
    const f = scanSpan(r, start, end);
    const tags = this.#tags.read(f.tags, f.tagCount);
    const swap = this.#envoyLittleEndian && tags.get('component') === 'proxy';
    const traceId = traceIdAt(buf, f.traceStart, f.traceLength);
    if (traceId === undefined) return reject(index, 'invalid-trace-id', 'traceId', 'not 8 or 16 bytes, or all zeros');
    const id = spanIdAt(buf, f.idStart, f.idLength, swap);
    if (id === undefined) return reject(index, 'invalid-span-id', 'id', 'not 8 bytes, or all zeros');
    let parentId: string | undefined;
    if (f.parentLength > 0) {
      parentId = spanIdAt(buf, f.parentStart, f.parentLength, swap);
      if (parentId === undefined) return reject(index, 'invalid-parent-id', 'parentId', 'not 8 bytes');
    }
    const packer = ctx.packer();
    packer.begin();
    for (let i = 0; i < tags.count; i++) {
      if (!ctx.addKnownTag(packer, i, tags.keys[i]!, tags.values[i]!, tags.cached[i])) break;
    }
    const fields = this.#fields;
    fields.traceId = traceId;
    fields.traceIdBits = f.traceLength === 8 ? 64 : 128;
    fields.id = id;
    fields.parentId = parentId;
    fields.kind = KINDS[f.kind];
    fields.name = f.nameStart === -1 ? '' : ctx.strings.get(r, f.nameStart, f.nameEnd);
    fields.timestampUs = f.timestamp;
    fields.durationUs = f.duration;
    fields.localEndpoint = f.localStart === -1 ? undefined : this.#endpoints.local(r, ctx, f.localStart, f.localEnd);
    fields.remoteEndpoint = f.remoteStart === -1 ? undefined : this.#endpoints.remote(r, ctx, f.remoteStart, f.remoteEnd);
    fields.annotations = f.annotationCount === 0 ? undefined : annotations(r, ctx, f);
    fields.debug = f.debug;
    fields.shared = f.shared;
    return buildZipkinSpan(packer, fields);
  }
}

function reject(index: number, reason: SpanRejection['reason'], field: string, detail: string): SpanRejection {
  return { index, reason, message: `spans[${index}].${field}: ${detail}` };
}

/** The first `maxEventsPerSpan` annotations (timestamp 1, value 2), as they are: no time is checked. */
function annotations(r: WireReader, ctx: DecodeContext, f: ZipkinSpanAt): Annotation[] {
  const out: Annotation[] = [];
  for (let i = 0; i < f.annotationCount && out.length < ctx.limits.maxEventsPerSpan; i++) {
    const end = f.annotations[2 * i + 1]!;
    let timestampUs = 0;
    let value = '';
    r.pos = f.annotations[2 * i]!;
    for (let tag = r.tag(end); tag !== -1; tag = r.tag(end)) {
      const field = tag >>> 3;
      if (field === 1) {
        r.expect(tag, FIXED64);
        r.fixed64(end);
        timestampUs = r.hi * 0x100000000 + r.lo;
      } else if (field === 2) {
        r.expect(tag, LENGTH_DELIMITED);
        const contentEnd = r.delimited(end);
        value = ctx.strings.get(r, r.pos, contentEnd);
        r.pos = contentEnd;
      } else r.skip(tag & 7, end);
    }
    out.push({ timestampUs, value });
  }
  return out;
}

/** Endpoints of the last span, kept with their bytes, so the next span's identical bytes cost one compare. */
class EndpointMemo {
  #localStart = -1;
  #localLength = -1;
  #local: Endpoint | undefined;
  #remoteStart = -1;
  #remoteLength = -1;
  #remote: Endpoint | undefined;

  local(r: WireReader, ctx: DecodeContext, start: number, end: number): Endpoint | undefined {
    if (this.#localLength === end - start && r.sameBytes(this.#localStart, start, end - start)) return this.#local;
    this.#localStart = start;
    this.#localLength = end - start;
    return (this.#local = readEndpoint(r, ctx, start, end));
  }

  remote(r: WireReader, ctx: DecodeContext, start: number, end: number): Endpoint | undefined {
    if (this.#remoteLength === end - start && r.sameBytes(this.#remoteStart, start, end - start)) return this.#remote;
    this.#remoteStart = start;
    this.#remoteLength = end - start;
    return (this.#remote = readEndpoint(r, ctx, start, end));
  }
}

/** Endpoint: service name 1, ipv4 2 (4 bytes), ipv6 3 (16 bytes), port 4 (int32). */
function readEndpoint(r: WireReader, ctx: DecodeContext, start: number, end: number): Endpoint | undefined {
  let serviceName = '';
  let ipv4: string | undefined;
  let ipv6: string | undefined;
  let port = 0;
  r.pos = start;
  for (let tag = r.tag(end); tag !== -1; tag = r.tag(end)) {
    const field = tag >>> 3;
    if (field === 4) {
      r.expect(tag, VARINT);
      port = r.int32(end);
      continue;
    }
    if (field < 1 || field > 3) {
      r.skip(tag & 7, end);
      continue;
    }
    r.expect(tag, LENGTH_DELIMITED);
    const contentEnd = r.delimited(end);
    if (field === 1) serviceName = ctx.strings.get(r, r.pos, contentEnd);
    else if (field === 2) ipv4 = ipv4Text(r.buf, r.pos, contentEnd);
    else ipv6 = ipv6Text(r.buf, r.pos, contentEnd);
    r.pos = contentEnd;
  }
  return internEndpoint(ctx.interner, serviceName || undefined, ipv4, ipv6, port || undefined);
}

function ipv4Text(b: Uint8Array, start: number, end: number): string | undefined {
  return end - start === 4 ? `${b[start]}.${b[start + 1]}.${b[start + 2]}.${b[start + 3]}` : undefined;
}

function ipv6Text(b: Uint8Array, start: number, end: number): string | undefined {
  if (end - start !== 16) return undefined;
  const groups: string[] = [];
  for (let i = start; i < end; i += 2) groups.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return groups.join(':');
}
