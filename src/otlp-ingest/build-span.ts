/**
 * The part of OTLP span normalization shared by the protobuf and JSON decoders: once ids and
 * nanosecond times are parsed, both build the same model span from the same fields.
 *
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/trace/v1/trace.proto
 */
import { StatusCode, deriveMeshIdentity, internEndpoint, packedSpan, rareSpanFields, smallInt, spanFlags, spanNanos } from '../model/index.js';
import type {
  Annotation, Endpoint, RejectReason, SourceFormat, Span, SpanKind, SpanLink, SpanRejection, TagGroup, TagPacker,
  TraceIdParts,
} from '../model/index.js';
import type { DecodeContext } from '../ingest/context.js';
import { field, isObject, renderAnyValue } from './any-value.js';

/** OTLP `SpanKind` numbers → model kinds; UNSPECIFIED (0) and unknown numbers → undefined. */
export const OTLP_KINDS: readonly (SpanKind | undefined)[] = [undefined, 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];

/** What every span of one ScopeSpans shares: resource attributes + scope tags, and the service. */
export interface ScopeContext {
  readonly base: TagGroup;
  readonly localEndpoint: Endpoint | undefined;
}

/** A span's decoded fields; strings the model shares (the name) already interned by the decoder. */
export interface OtlpSpanFields {
  trace: TraceIdParts;
  id: string;
  parentId: string | undefined;
  kind: SpanKind | undefined;
  name: string;
  times: SpanTimes;
  traceState: string | undefined;
  statusCode: StatusCode;
  statusMessage: string | undefined;
  annotations: Annotation[] | undefined;
  links: SpanLink[] | undefined;
  source: SourceFormat;
}

/** Microsecond times plus the nanosecond remainders that make them exact. */
export interface SpanTimes {
  timestampUs: number;
  durationUs: number;
  startNanosRemainder: number;
  endNanosRemainder: number;
}

/** Why a span's times were refused: which field, and the reject reason. */
export interface TimeProblem {
  reason: RejectReason;
  field: 'startTimeUnixNano' | 'endTimeUnixNano';
  detail: string;
}

/** Nanoseconds whose microseconds still fit a double exactly (year ~2255). */
const MAX_NS = BigInt(Number.MAX_SAFE_INTEGER) * 1000n;

/** The time when it was sent and is usable; undefined `ns` means the value was not an integer. */
function checkTime(ns: bigint | undefined, name: TimeProblem['field'], reason: RejectReason): bigint | TimeProblem {
  if (ns === undefined) return { reason, field: name, detail: 'not an unsigned 64-bit integer of epoch nanoseconds' };
  if (ns === 0n) return { reason, field: name, detail: 'missing (0)' };
  if (ns < 0n || ns > MAX_NS) return { reason, field: name, detail: 'out of range' };
  return ns;
}

/**
 * Splits nanosecond start/end into the model's microseconds, so that
 * `start = timestampUs * 1000 + startNanosRemainder` and
 * `end = (timestampUs + durationUs) * 1000 + endNanosRemainder` hold exactly: the duration is the
 * difference of the floored microseconds, not the floored difference.
 */
export function spanTimes(startNs: bigint | undefined, endNs: bigint | undefined): SpanTimes | TimeProblem {
  const start = checkTime(startNs, 'startTimeUnixNano', 'invalid-timestamp');
  if (typeof start !== 'bigint') return start;
  const end = checkTime(endNs, 'endTimeUnixNano', 'invalid-duration');
  if (typeof end !== 'bigint') return end;
  if (end < start) return { reason: 'invalid-duration', field: 'endTimeUnixNano', detail: 'before startTimeUnixNano' };
  const startUs = start / 1000n;
  return {
    timestampUs: Number(startUs),
    durationUs: Number(end / 1000n - startUs),
    startNanosRemainder: Number(start % 1000n),
    endNanosRemainder: Number(end % 1000n),
  };
}

/**
 * {@link spanTimes} for fixed64 times read off the wire as unsigned 32-bit halves, without BigInt
 * (on the protobuf path BigInt arithmetic cost more than reading the span). Same checks, same
 * messages. The times are written into `into` (a decoder's scratch) when given.
 */
export function spanTimesFromParts(startLo: number, startHi: number, endLo: number, endHi: number, into?: SpanTimes): SpanTimes | TimeProblem {
  if (startLo === 0 && startHi === 0) return { reason: 'invalid-timestamp', field: 'startTimeUnixNano', detail: 'missing (0)' };
  const startUs = microsOf(startLo, startHi);
  if (startUs === -1) return { reason: 'invalid-timestamp', field: 'startTimeUnixNano', detail: 'out of range' };
  if (endLo === 0 && endHi === 0) return { reason: 'invalid-duration', field: 'endTimeUnixNano', detail: 'missing (0)' };
  const endUs = microsOf(endLo, endHi);
  if (endUs === -1) return { reason: 'invalid-duration', field: 'endTimeUnixNano', detail: 'out of range' };
  const startRem = nanosBelowMicros(startLo, startHi);
  const endRem = nanosBelowMicros(endLo, endHi);
  if (endUs < startUs || (endUs === startUs && endRem < startRem)) {
    return { reason: 'invalid-duration', field: 'endTimeUnixNano', detail: 'before startTimeUnixNano' };
  }
  if (into === undefined) return { timestampUs: startUs, durationUs: endUs - startUs, startNanosRemainder: startRem, endNanosRemainder: endRem };
  into.timestampUs = startUs;
  into.durationUs = endUs - startUs;
  into.startNanosRemainder = startRem;
  into.endNanosRemainder = endRem;
  return into;
}

/*
 * Nanoseconds `hi * 2^32 + lo` split without BigInt: since 2^32 = 4294967 * 1000 + 296,
 * ns / 1000 = hi * 4294967 + (hi * 296 + lo) / 1000, and `hi * 296 + lo` stays far below 2^53.
 */

/** Whole microseconds of the unsigned 64-bit nanosecond count `hi * 2^32 + lo`, or -1 beyond {@link MAX_NS}. */
export function microsOf(lo: number, hi: number): number {
  const low = hi * 296 + lo;
  const us = hi * 4294967 + Math.floor(low / 1000);
  // Beyond 2^53 the sum may be rounded, but never below 2^53, so the range test still holds.
  if (us > Number.MAX_SAFE_INTEGER || (us === Number.MAX_SAFE_INTEGER && low % 1000 > 0)) return -1;
  return us;
}

/** The nanoseconds below the whole microseconds of `hi * 2^32 + lo`. */
export function nanosBelowMicros(lo: number, hi: number): number {
  return (hi * 296 + lo) % 1000;
}

/** An OTLP status code number → model status; codes this version does not know are UNSET. */
export function statusCode(code: number | undefined): StatusCode {
  return code === StatusCode.OK || code === StatusCode.ERROR ? code : StatusCode.UNSET;
}

/** A rejection whose message starts with the span's path in the request. */
export function rejection(index: number, reason: RejectReason, path: string, detail: string): SpanRejection {
  return { index, reason, message: `${path}: ${detail}` };
}

/**
 * KeyValue list → flat `[key, value, ...]` under the span limits (for resource, scope and link
 * attributes, which do not go through the packer).
 */
export function flatAttributes(ctx: DecodeContext, list: unknown): string[] {
  const out: string[] = [];
  if (!Array.isArray(list)) return out;
  const { maxTagsPerSpan, maxTagValueLength } = ctx.limits;
  for (const kv of list as unknown[]) {
    if (!isObject(kv)) continue;
    const key = field(kv, 'key');
    if (typeof key !== 'string') continue;
    if (out.length >= maxTagsPerSpan * 2) {
      ctx.tagsLimited++;
      break;
    }
    let value = renderAnyValue(field(kv, 'value'));
    if (value.length > maxTagValueLength) {
      ctx.tagsLimited++;
      value = value.slice(0, maxTagValueLength);
    }
    out.push(key, value);
  }
  return out;
}

/** Adds span attributes through the packer and the context's tag budget. */
export function addAttributes(ctx: DecodeContext, packer: TagPacker, list: unknown): void {
  if (!Array.isArray(list)) return;
  let count = 0;
  for (const kv of list as unknown[]) {
    if (!isObject(kv)) continue;
    const key = field(kv, 'key');
    if (typeof key !== 'string') continue;
    if (!ctx.addTag(packer, count, key, renderAnyValue(field(kv, 'value')))) break;
    count++;
  }
}

/** The flat resource attributes and the `service.name` among them. */
export interface ResourceInfo {
  readonly flat: readonly string[];
  readonly serviceName: string | undefined;
}

export function resourceInfo(ctx: DecodeContext, attributes: unknown): ResourceInfo {
  return resourceInfoOf(flatAttributes(ctx, attributes));
}

/** {@link resourceInfo} from the resource attributes already flattened. */
export function resourceInfoOf(flat: readonly string[]): ResourceInfo {
  let serviceName: string | undefined;
  for (let i = 0; i < flat.length; i += 2) if (flat[i] === 'service.name') serviceName = flat[i + 1] || undefined;
  return { flat, serviceName };
}

/**
 * The base tag group of one ScopeSpans: resource attributes, then the scope as
 * `otel.scope.name`/`otel.scope.version` tags (as the OTel Zipkin exporter writes them). They are
 * the same for every span of the scope, so they go in the interned group, not per span.
 */
export function scopeContext(ctx: DecodeContext, packer: TagPacker, resource: ResourceInfo, scope: unknown): ScopeContext {
  if (!isObject(scope)) return scopeContextOf(ctx, packer, resource, undefined, undefined);
  const name = field(scope, 'name');
  const version = field(scope, 'version');
  return scopeContextOf(ctx, packer, resource, typeof name === 'string' ? name : undefined, typeof version === 'string' ? version : undefined);
}

/** {@link scopeContext} from the scope's name and version (undefined when not sent). */
export function scopeContextOf(
  ctx: DecodeContext, packer: TagPacker, resource: ResourceInfo, name: string | undefined, version: string | undefined,
): ScopeContext {
  let flat = resource.flat;
  const extra: string[] = [];
  if (name !== undefined && name !== '') extra.push('otel.scope.name', name);
  if (version !== undefined && version !== '') extra.push('otel.scope.version', version);
  if (extra.length > 0) flat = flat.concat(extra);
  return {
    base: packer.group(flat),
    localEndpoint: internEndpoint(ctx.interner, resource.serviceName, undefined, undefined, undefined),
  };
}

/** An event as a Zipkin-style annotation; undefined when its time is missing or unusable. */
export function eventAnnotation(ctx: DecodeContext, timeNs: bigint | undefined, name: unknown): Annotation | undefined {
  if (timeNs === undefined || timeNs <= 0n || timeNs > MAX_NS) return undefined;
  return { timestampUs: Number(timeNs / 1000n), value: typeof name === 'string' ? ctx.interner.string(name) : '' };
}

/** Builds the model span once the packer holds the span's own attributes. */
export function buildOtlpSpan(packer: TagPacker, scope: ScopeContext, f: OtlpSpanFields): Span {
  const packed = packer.finish();
  const local = scope.localEndpoint;
  // Status is kept as sent, for faithful re-export; Envoy never sets it and reports errors only
  // as the `error` attribute, which the error flag takes into account too.
  const error = f.statusCode === StatusCode.ERROR || packed.error;
  return packedSpan(f.trace.traceId, f.id, f.parentId, f.name, f.times.timestampUs, smallInt(f.times.durationUs), local,
    packed.group, packed.own, deriveMeshIdentity(packed.group, f.kind, local?.serviceName), packed.requestId,
    spanFlags(f.kind, f.source, f.statusCode, f.trace.bits, false, false, error, packed.httpStatus),
    spanNanos(f.times.startNanosRemainder, f.times.endNanosRemainder),
    rareSpanFields(undefined, f.annotations, f.statusMessage, f.links, f.traceState, packed.responseFlags));
}
