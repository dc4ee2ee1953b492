/**
 * OTLP protobuf (`ExportTraceServiceRequest`: the gRPC `TraceService/Export` message, and the
 * body of OTLP/HTTP `POST /v1/traces` with `application/x-protobuf`, which is what Envoy sends;
 * ENVOY-ISTIO.md §3) → model spans. A malformed span is rejected with its path; the rest is kept.
 *
 * Memory: protobufjs decodes `bytes` fields as views into the request buffer, so nothing from the
 * decoded message is kept: ids become hex strings, attribute values rendered strings, and times
 * numbers, before the span is built. Decoded strings are fresh copies, never slices of the body.
 *
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/collector/trace/v1/trace_service.proto
 */
import type Long from 'long';
import { spanIdFromBytes, traceIdFromBytes } from '../model/index.js';
import type { Annotation, DecodedBatch, Span, SpanLink, SpanRejection, TagPacker } from '../model/index.js';
import type { DecodeContext } from '../ingest/context.js';
import { longToBigInt } from './any-value.js';
import {
  OTLP_KINDS, addAttributes, buildOtlpSpan, eventAnnotation, flatAttributes, rejection, resourceInfo, scopeContext,
  spanTimes, statusCode,
} from './build-span.js';
import type { ScopeContext } from './build-span.js';
import { OtlpPayloadError } from './errors.js';
import { ExportTraceServiceRequest } from './otlp-proto.js';

/*
 * The decoded shapes we read. Absent message fields are null and absent scalars take their
 * default from the prototype, which is why every field may be missing or null.
 */
interface ProtoEvent { timeUnixNano?: Long | number; name?: string }
interface ProtoLink { traceId?: Uint8Array; spanId?: Uint8Array; traceState?: string; attributes?: unknown[] }
interface ProtoSpan {
  traceId?: Uint8Array; spanId?: Uint8Array; traceState?: string; parentSpanId?: Uint8Array; name?: string;
  kind?: number; startTimeUnixNano?: Long | number; endTimeUnixNano?: Long | number; attributes?: unknown[];
  events?: ProtoEvent[]; links?: ProtoLink[]; status?: { message?: string; code?: number } | null;
}
interface ProtoScopeSpans { scope?: { name?: string; version?: string } | null; spans?: ProtoSpan[] }
interface ProtoResourceSpans { resource?: { attributes?: unknown[] } | null; scopeSpans?: ProtoScopeSpans[] }
interface ProtoRequest { resourceSpans?: ProtoResourceSpans[] }

type Source = 'otlp-grpc' | 'otlp-proto';
const EMPTY = new Uint8Array(0);

/** Decodes a protobuf body. Throws {@link OtlpPayloadError} when the bytes are not an ExportTraceServiceRequest. */
export function decodeOtlpProto(body: Uint8Array, ctx: DecodeContext, source: Source): DecodedBatch {
  let message: ProtoRequest;
  try {
    message = ExportTraceServiceRequest.decode(body) as unknown as ProtoRequest;
  } catch (err) {
    // protobufjs throws on truncated input and bad wire types; deep nesting ends in a RangeError.
    throw new OtlpPayloadError(`not an ExportTraceServiceRequest: ${err instanceof Error ? err.message : String(err)}`);
  }
  const spans: Span[] = [];
  const rejected: SpanRejection[] = [];
  const packer = ctx.packer();
  let index = 0;
  const resourceSpans = message.resourceSpans ?? [];
  for (let r = 0; r < resourceSpans.length; r++) {
    const rs = resourceSpans[r]!;
    const resource = resourceInfo(ctx, rs.resource?.attributes);
    const scopes = rs.scopeSpans ?? [];
    for (let s = 0; s < scopes.length; s++) {
      const ss = scopes[s]!;
      const scope = scopeContext(ctx, packer, resource, ss.scope);
      const list = ss.spans ?? [];
      for (let k = 0; k < list.length; k++) {
        const path = `resourceSpans[${r}].scopeSpans[${s}].spans[${k}]`;
        const result = decodeSpan(list[k]!, { index: index++, path, scope, source }, ctx, packer);
        if ('reason' in result) rejected.push(result);
        else spans.push(result);
      }
    }
  }
  return { spans, rejected };
}

/** Where a span sits in the request, and what its scope gives it. */
interface SpanPlace { index: number; path: string; scope: ScopeContext; source: Source }

/** A fixed64 as an exact bigint (a plain number only if protobufjs was built without Long). */
function nanos(v: Long | number | undefined): bigint | undefined {
  if (v === undefined) return 0n;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? BigInt(v) : undefined;
  return longToBigInt(v);
}

function decodeSpan(s: ProtoSpan, at: SpanPlace, ctx: DecodeContext, packer: TagPacker): Span | SpanRejection {
  const trace = traceIdFromBytes(s.traceId ?? EMPTY);
  if (trace === undefined) return rejection(at.index, 'invalid-trace-id', at.path + '.traceId', 'not 16 (or 8) bytes, or all zeros');
  const id = spanIdFromBytes(s.spanId ?? EMPTY);
  if (id === undefined) return rejection(at.index, 'invalid-span-id', at.path + '.spanId', 'not 8 bytes, or all zeros');
  const parentId = parentOf(s.parentSpanId);
  if (parentId === null) return rejection(at.index, 'invalid-parent-id', at.path + '.parentSpanId', 'not 8 bytes, or all zeros');
  const times = spanTimes(nanos(s.startTimeUnixNano), nanos(s.endTimeUnixNano));
  if ('reason' in times) return rejection(at.index, times.reason, `${at.path}.${times.field}`, times.detail);
  packer.begin(at.scope.base);
  addAttributes(ctx, packer, s.attributes);
  const status = s.status ?? {};
  return buildOtlpSpan(ctx, packer, at.scope, {
    trace, id, parentId, times,
    kind: OTLP_KINDS[s.kind ?? 0],
    name: s.name ?? '',
    traceState: s.traceState || undefined,
    statusCode: statusCode(status.code),
    statusMessage: status.message || undefined,
    annotations: annotations(s.events, ctx),
    links: links(s.links, ctx),
    source: at.source,
  });
}

/** The parent id; undefined for a root (no bytes), null when the bytes are not a valid id. */
function parentOf(bytes: Uint8Array | undefined): string | undefined | null {
  if (bytes === undefined || bytes.length === 0) return undefined;
  return spanIdFromBytes(bytes) ?? null;
}

function annotations(events: ProtoEvent[] | undefined, ctx: DecodeContext): Annotation[] | undefined {
  if (events === undefined || events.length === 0) return undefined;
  const out: Annotation[] = [];
  for (const e of events) {
    if (out.length >= ctx.limits.maxEventsPerSpan) break;
    // Event attributes have no place in a Zipkin-style annotation and are dropped.
    const a = eventAnnotation(ctx, nanos(e.timeUnixNano), e.name);
    if (a !== undefined) out.push(a);
  }
  return out.length > 0 ? out : undefined;
}

function links(list: ProtoLink[] | undefined, ctx: DecodeContext): SpanLink[] | undefined {
  if (list === undefined || list.length === 0) return undefined;
  const out: SpanLink[] = [];
  for (const l of list) {
    if (out.length >= ctx.limits.maxEventsPerSpan) break;
    const trace = traceIdFromBytes(l.traceId ?? EMPTY);
    const spanId = spanIdFromBytes(l.spanId ?? EMPTY);
    // A link to an invalid id cannot be followed; drop it rather than the span.
    if (trace === undefined || spanId === undefined) continue;
    out.push({ traceId: trace.traceId, spanId, traceState: l.traceState || undefined, attributes: flatAttributes(ctx, l.attributes) });
  }
  return out.length > 0 ? out : undefined;
}
