/**
 * OTLP/JSON (`POST /v1/traces`, `application/json`) → model spans. Two dialects arrive:
 * - the OTLP/JSON encoding the spec defines: hex ids, numeric enums, lowerCamelCase keys, int64
 *   as strings (or numbers);
 * - protobuf's canonical JSON mapping, which collectors and file exporters often write instead:
 *   base64 ids, enum names (`SPAN_KIND_SERVER`), and snake_case keys when names are preserved.
 * Both are accepted, as is the pre-1.0 `instrumentationLibrarySpans` list (same shape as
 * `scopeSpans`). Structure above the spans must be right or the body is refused; a malformed span
 * is rejected with its path and the rest is kept.
 *
 * @see https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
 */
import { parseHexTraceId, spanIdFromBytes, traceIdFromBytes } from '../model/index.js';
import type { Annotation, DecodedBatch, Span, SpanLink, SpanRejection, TagPacker, TraceIdParts } from '../model/index.js';
import type { DecodeContext } from '../ingest/context.js';
import { field, isObject } from './any-value.js';
import {
  OTLP_KINDS, addAttributes, buildOtlpSpan, eventAnnotation, flatAttributes, rejection, resourceInfo, scopeContext,
  spanTimes, statusCode,
} from './build-span.js';
import type { ScopeContext } from './build-span.js';
import { OtlpPayloadError } from './errors.js';

type Obj = Record<string, unknown>;

const HEX = /^[0-9a-fA-F]+$/;
/** Standard or URL-safe base64; 44 chars is far more than a 16-byte id needs. */
const BASE64 = /^[A-Za-z0-9+/_-]{1,44}={0,2}$/;
const UINT64 = /^\d{1,20}$/;

const KIND_NAMES: Readonly<Record<string, number>> = {
  SPAN_KIND_UNSPECIFIED: 0, SPAN_KIND_INTERNAL: 1, SPAN_KIND_SERVER: 2, SPAN_KIND_CLIENT: 3, SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_NAMES: Readonly<Record<string, number>> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };

/** Decodes an already-parsed JSON body. Throws {@link OtlpPayloadError} when it is not an export request. */
export function decodeOtlpJson(body: unknown, ctx: DecodeContext): DecodedBatch {
  if (!isObject(body)) throw new OtlpPayloadError('expected a JSON object with resourceSpans');
  const spans: Span[] = [];
  const rejected: SpanRejection[] = [];
  const packer = ctx.packer();
  let index = 0;
  const resourceSpans = list(field(body, 'resourceSpans', 'resource_spans'), 'resourceSpans');
  for (let r = 0; r < resourceSpans.length; r++) {
    const rs = object(resourceSpans[r], `resourceSpans[${r}]`);
    const res = field(rs, 'resource');
    const resource = resourceInfo(ctx, isObject(res) ? field(res, 'attributes') : undefined);
    const scopes = list(
      field(rs, 'scopeSpans', 'scope_spans') ?? field(rs, 'instrumentationLibrarySpans', 'instrumentation_library_spans'),
      `resourceSpans[${r}].scopeSpans`,
    );
    for (let s = 0; s < scopes.length; s++) {
      const ssPath = `resourceSpans[${r}].scopeSpans[${s}]`;
      const ss = object(scopes[s], ssPath);
      const scope = scopeContext(ctx, packer, resource, field(ss, 'scope') ?? field(ss, 'instrumentationLibrary', 'instrumentation_library'));
      const items = list(field(ss, 'spans'), `${ssPath}.spans`);
      for (let k = 0; k < items.length; k++) {
        const at: SpanPlace = { index: index++, path: `${ssPath}.spans[${k}]`, scope };
        const raw = items[k];
        const result = isObject(raw) ? decodeSpan(raw, at, ctx, packer) : rejection(at.index, 'invalid-span', at.path, 'not an object');
        if ('reason' in result) rejected.push(result);
        else spans.push(result);
      }
    }
  }
  return { spans, rejected };
}

/** A list field (absent or null means empty, as in proto3 JSON); anything else refuses the body. */
function list(value: unknown, path: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new OtlpPayloadError(`${path}: expected an array`);
  return value;
}

function object(value: unknown, path: string): Obj {
  if (!isObject(value)) throw new OtlpPayloadError(`${path}: expected an object`);
  return value;
}

interface SpanPlace { index: number; path: string; scope: ScopeContext }

/** Id bytes from hex (the OTLP/JSON spec) or base64 (protobuf canonical JSON). */
function idBytes(value: unknown, hexLengths: readonly number[]): string | Uint8Array | undefined {
  if (typeof value !== 'string') return undefined;
  if (hexLengths.includes(value.length) && HEX.test(value)) return value;
  return BASE64.test(value) ? Buffer.from(value, 'base64') : undefined;
}

function traceId(value: unknown): TraceIdParts | undefined {
  const id = idBytes(value, [32, 16]);
  return typeof id === 'string' ? parseHexTraceId(id) : id && traceIdFromBytes(id);
}

function spanId(value: unknown): string | undefined {
  const id = idBytes(value, [16]);
  if (typeof id === 'string') return id === '0000000000000000' ? undefined : id.toLowerCase();
  return id && spanIdFromBytes(id);
}

/**
 * A uint64 of nanoseconds, exactly: strings go through BigInt. A JSON number above 2^53 was
 * already rounded by JSON.parse; it is taken as the sender's best.
 */
function nanos(value: unknown): bigint | undefined {
  if (value === undefined) return 0n;
  if (typeof value === 'string') return UINT64.test(value) ? BigInt(value) : undefined;
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? BigInt(value) : undefined;
  return undefined;
}

/** An enum as its number, from a number, a numeric string or its proto name. */
function enumNumber(value: unknown, names: Readonly<Record<string, number>>): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  if (Object.hasOwn(names, value)) return names[value];
  return /^\d{1,3}$/.test(value) ? Number(value) : undefined;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function decodeSpan(s: Obj, at: SpanPlace, ctx: DecodeContext, packer: TagPacker): Span | SpanRejection {
  const trace = traceId(field(s, 'traceId', 'trace_id'));
  if (trace === undefined) return rejection(at.index, 'invalid-trace-id', at.path + '.traceId', 'not 32 hex chars or base64 of 16 bytes, or all zeros');
  const id = spanId(field(s, 'spanId', 'span_id'));
  if (id === undefined) return rejection(at.index, 'invalid-span-id', at.path + '.spanId', 'not 16 hex chars or base64 of 8 bytes, or all zeros');
  const rawParent = field(s, 'parentSpanId', 'parent_span_id');
  const parentId = rawParent === undefined || rawParent === '' ? undefined : spanId(rawParent);
  if (parentId === undefined && rawParent !== undefined && rawParent !== '') {
    return rejection(at.index, 'invalid-parent-id', at.path + '.parentSpanId', 'not 16 hex chars or base64 of 8 bytes, or all zeros');
  }
  const times = spanTimes(nanos(field(s, 'startTimeUnixNano', 'start_time_unix_nano')), nanos(field(s, 'endTimeUnixNano', 'end_time_unix_nano')));
  if ('reason' in times) return rejection(at.index, times.reason, `${at.path}.${times.field}`, times.detail);
  packer.begin(at.scope.base);
  addAttributes(ctx, packer, field(s, 'attributes'));
  const status = field(s, 'status');
  const code = isObject(status) ? enumNumber(field(status, 'code'), STATUS_NAMES) : undefined;
  const name = field(s, 'name');
  return buildOtlpSpan(packer, at.scope, {
    trace, id, parentId, times,
    kind: OTLP_KINDS[enumNumber(field(s, 'kind'), KIND_NAMES) ?? 0],
    name: typeof name === 'string' ? ctx.interner.string(name) : '',
    traceState: optionalString(field(s, 'traceState', 'trace_state')),
    statusCode: statusCode(code),
    statusMessage: isObject(status) ? optionalString(field(status, 'message')) : undefined,
    annotations: annotations(field(s, 'events'), ctx),
    links: links(field(s, 'links'), ctx),
    source: 'otlp-json',
  });
}

function annotations(events: unknown, ctx: DecodeContext): Annotation[] | undefined {
  if (!Array.isArray(events) || events.length === 0) return undefined;
  const out: Annotation[] = [];
  for (const e of events as unknown[]) {
    if (out.length >= ctx.limits.maxEventsPerSpan) break;
    if (!isObject(e)) continue;
    // Event attributes have no place in a Zipkin-style annotation and are dropped.
    const a = eventAnnotation(ctx, nanos(field(e, 'timeUnixNano', 'time_unix_nano')), field(e, 'name'));
    if (a !== undefined) out.push(a);
  }
  return out.length > 0 ? out : undefined;
}

function links(raw: unknown, ctx: DecodeContext): SpanLink[] | undefined {
  if (!Array.isArray(raw) || raw.length === 0) return undefined;
  const out: SpanLink[] = [];
  for (const l of raw as unknown[]) {
    if (out.length >= ctx.limits.maxEventsPerSpan) break;
    if (!isObject(l)) continue;
    const trace = traceId(field(l, 'traceId', 'trace_id'));
    const id = spanId(field(l, 'spanId', 'span_id'));
    // A link to an invalid id cannot be followed; drop it rather than the span.
    if (trace === undefined || id === undefined) continue;
    const traceState = optionalString(field(l, 'traceState', 'trace_state'));
    out.push({ traceId: trace.traceId, spanId: id, traceState, attributes: flatAttributes(ctx, field(l, 'attributes')) });
  }
  return out.length > 0 ? out : undefined;
}
