/**
 * OTLP protobuf (`ExportTraceServiceRequest`: the gRPC `TraceService/Export` message, and the
 * body of OTLP/HTTP `POST /v1/traces` with `application/x-protobuf`, which is what Envoy sends;
 * ENVOY-ISTIO.md §3) → model spans. A malformed span is rejected with its path; the rest is kept.
 *
 * Read straight off the wire (wire-reader.ts) rather than through protobufjs: no message objects,
 * ids hex-encoded from the buffer, times split without BigInt, and repeated keys and values taken
 * from the context's byte-keyed string cache. Nothing keeps a view into the request buffer.
 * Field numbers are those of the published opentelemetry-proto definitions (proto/otlp/).
 *
 * For well-formed requests the spans are exactly those protobufjs decoding gave (a test holds the
 * two side by side). Malformed ones differ only at the edges: a field the decoder reads that has
 * the wrong wire type, or field number 0, is refused where protobufjs read it anyway; and what the
 * decoder never uses (event attributes, attributes past the tag limit, values nested past the
 * 32 levels rendered, the rest of a rejected span) is only checked to be well framed, so it is
 * neither parsed nor held to protobufjs's limit of 100 nested messages.
 *
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/collector/trace/v1/trace_service.proto
 */
import type { DecodedBatch, Span, SpanRejection } from '../model/index.js';
import type { DecodeContext } from '../ingest/context.js';
import { utf8 } from '../ingest/string-cache.js';
import { LENGTH_DELIMITED, WireFormatError, WireReader } from '../ingest/wire-reader.js';
import type { FieldPair } from '../ingest/wire-reader.js';
import { resourceInfoOf, scopeContextOf } from './build-span.js';
import type { ResourceInfo, ScopeContext } from './build-span.js';
import { OtlpPayloadError } from './errors.js';
import { SpanReader } from './wire-span.js';
import type { SpanPlace } from './wire-span.js';
import { AttributeReader, Ranges } from './wire-attributes.js';

type Source = 'otlp-grpc' | 'otlp-proto';

/*
 * Offsets of a request's ScopeSpans and of one ScopeSpans' spans, reused request after request
 * (growing them anew for every request was a good part of what decoding allocated). Decoding is
 * synchronous and never nested, so one of each suffices.
 */
const SCOPES = new Ranges();
const SPANS = new Ranges();
const PAIR: FieldPair = { firstStart: -1, firstEnd: -1, secondStart: -1, secondEnd: -1 };

/** Decodes a protobuf body. Throws {@link OtlpPayloadError} when the bytes are not an ExportTraceServiceRequest. */
export function decodeOtlpProto(body: Uint8Array, ctx: DecodeContext, source: Source): DecodedBatch {
  // Spans are decoded as the bytes are read, so a malformation found late comes after some tags
  // were counted; the request is refused whole, so its counts are taken back.
  const tagsLimited = ctx.tagsLimited;
  const redacted = ctx.redactor.redacted;
  try {
    return new RequestDecoder(body, ctx, source).decode();
  } catch (err) {
    if (!(err instanceof WireFormatError)) throw err;
    ctx.tagsLimited = tagsLimited;
    ctx.redactor.redacted = redacted;
    throw new OtlpPayloadError(`not an ExportTraceServiceRequest: ${err.message}`);
  }
}

/** One request's decoding: the reader, the output, and scratch reused from span to span. */
class RequestDecoder {
  readonly #r: WireReader;
  readonly #ctx: DecodeContext;
  readonly #source: Source;
  readonly #attributes: AttributeReader;
  readonly #spanReader: SpanReader;
  readonly #spans: Span[] = [];
  readonly #rejected: SpanRejection[] = [];
  /** Running index of the next span in the request, for rejections. */
  #index = 0;

  constructor(body: Uint8Array, ctx: DecodeContext, source: Source) {
    this.#r = new WireReader(body);
    this.#ctx = ctx;
    this.#source = source;
    this.#attributes = new AttributeReader(this.#r, ctx);
    this.#spanReader = new SpanReader(this.#r, ctx, this.#attributes);
  }

  decode(): DecodedBatch {
    const r = this.#r;
    const end = r.buf.length;
    let resourceIndex = 0;
    for (let tag = r.tag(end); tag !== -1; tag = r.tag(end)) {
      if (tag >>> 3 !== 1) { // resource_spans
        r.skip(tag & 7, end);
        continue;
      }
      r.expect(tag, LENGTH_DELIMITED);
      const contentEnd = r.delimited(end);
      this.#resourceSpans(r.pos, contentEnd, resourceIndex++);
      r.pos = contentEnd;
    }
    return { spans: this.#spans, rejected: this.#rejected };
  }

  /** ResourceSpans: the resource (field 1, the last one wins) applies to every scope (field 2) wherever it sits. */
  #resourceSpans(start: number, end: number, resourceIndex: number): void {
    const r = this.#r;
    const scopes = SCOPES;
    scopes.clear();
    const { firstStart: resourceStart, firstEnd: resourceEnd } = r.pair(start, end, PAIR, scopes);
    const resource = this.#resource(resourceStart, resourceEnd);
    for (let s = 0; s < scopes.count; s++) {
      this.#scopeSpans(scopes.at[2 * s]!, scopes.at[2 * s + 1]!, resource, `resourceSpans[${resourceIndex}].scopeSpans[${s}]`);
    }
  }

  /** Resource: its attributes (field 1). */
  #resource(start: number, end: number): ResourceInfo {
    const attributes = new Ranges();
    if (start !== -1) this.#collect(start, end, 1, attributes);
    return resourceInfoOf(this.#attributes.flat(attributes));
  }

  /** ScopeSpans: the scope (field 1, the last one wins) and its spans (field 2). */
  #scopeSpans(start: number, end: number, resource: ResourceInfo, path: string): void {
    const r = this.#r;
    const spans = SPANS;
    spans.clear();
    const { firstStart: scopeStart, firstEnd: scopeEnd } = r.pair(start, end, PAIR, spans);
    const scope = this.#scope(scopeStart, scopeEnd, resource);
    const place: SpanPlace = { index: 0, path, position: 0, scope, source: this.#source };
    for (let k = 0; k < spans.count; k++) {
      place.index = this.#index++;
      place.position = k;
      const result = this.#spanReader.read(spans.at[2 * k]!, spans.at[2 * k + 1]!, place);
      if ('reason' in result) this.#rejected.push(result);
      else this.#spans.push(result);
    }
  }

  /** InstrumentationScope: name (field 1) and version (field 2) become shared tags. */
  #scope(start: number, end: number, resource: ResourceInfo): ScopeContext {
    const r = this.#r;
    let name: string | undefined;
    let version: string | undefined;
    if (start !== -1) {
      r.pos = start;
      for (let tag = r.tag(end); tag !== -1; tag = r.tag(end)) {
        const field = tag >>> 3;
        if (field !== 1 && field !== 2) {
          r.skip(tag & 7, end);
          continue;
        }
        r.expect(tag, LENGTH_DELIMITED);
        const contentEnd = r.delimited(end);
        const text = utf8(r.buf, r.pos, contentEnd);
        if (field === 1) name = text;
        else version = text;
        r.pos = contentEnd;
      }
    }
    return scopeContextOf(this.#ctx, this.#ctx.packer(), resource, name, version);
  }

  /** Collects the ranges of every occurrence of length-delimited field `field` in `[start, end)`. */
  #collect(start: number, end: number, field: number, into: Ranges): void {
    const r = this.#r;
    r.pos = start;
    for (let tag = r.tag(end); tag !== -1; tag = r.tag(end)) {
      if (tag >>> 3 !== field) {
        r.skip(tag & 7, end);
        continue;
      }
      r.expect(tag, LENGTH_DELIMITED);
      const contentEnd = r.delimited(end);
      into.add(r.pos, contentEnd);
      r.pos = contentEnd;
    }
  }
}
