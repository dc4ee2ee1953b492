/**
 * Which trace-context headers an application sent on an outbound call, read from the header
 * custom tags (`traceparent`, `b3`, `x-b3-traceid`) on its sidecar's outbound CLIENT span.
 *
 * Envoy reads a header custom tag when it finishes the span, after it injected its own context
 * into the request: a header of the provider's own family therefore shows what Envoy wrote, not
 * what the app sent. What Envoy never touches is a header of the other family (the Zipkin tracer
 * writes no `traceparent` unless USE_B3_WITH_W3C_PROPAGATION; the OpenTelemetry tracer writes no
 * B3). So a header is evidence only when it cannot be Envoy's: its trace id differs from the
 * span's (the app sent it and the proxy did not continue it), or it names the span's trace with
 * another span id than Envoy's (the app's context, which the proxy did continue). A header whose
 * span id is the span's own is Envoy's injection. `x-request-id` carries no trace id and is no
 * evidence of either family. Pure; ids are compared as 32 lowercase hex, 64-bit B3 trace ids
 * left-padded as the span model pads them (ENVOY-ISTIO.md §1.5, §3, §4.2).
 */
import type { Span } from '../model/index.js';

/** Tag keys read, as the Telemetry `customTags` in the README name them. */
export const HEADER_TAGS = { traceparent: 'traceparent', b3: 'b3', b3TraceId: 'x-b3-traceid' } as const;

/**
 * What one header says about the request:
 * - `ignored`: it names another trace than the span: the app sent it, the proxy did not continue it;
 * - `agreeing`: it names the span's trace but not as Envoy wrote it: the app's context is the mesh's;
 * - `injected`: it is Envoy's own injection (its span id is the span's), no evidence;
 * - `unusable`: malformed, all-zero ids, or no trace id (a sampling-only `b3`), no evidence.
 */
export type HeaderVerdict = 'ignored' | 'agreeing' | 'injected' | 'unusable';

/** The verdicts of one outbound span's headers, per family; absent when the tag was not on the span. */
export interface SpanHeaders {
  readonly traceparent: HeaderVerdict | undefined;
  readonly b3: HeaderVerdict | undefined;
  /** The span has no parent: the proxy found no context it reads and started a trace. */
  readonly root: boolean;
}

/** The ids of the span a header is compared with (32 and 16 lowercase hex, as in the model). */
export interface SpanIds {
  readonly traceId: string;
  readonly id: string;
}

const ZERO_16 = '0000000000000000';
const ZERO_32 = ZERO_16 + ZERO_16;

/** The char code of a hex digit, lowercased; -1 for anything else. */
function hexLower(c: number): number {
  if ((c >= 48 && c <= 57) || (c >= 97 && c <= 102)) return c;
  return c >= 65 && c <= 70 ? c + 32 : -1;
}

/**
 * Compares the hex id in `value[from, from + len)` with `id`'s last `len` chars (lowercase hex,
 * as the model keeps ids) without allocating: 1 equal, 0 a different valid id, -1 not hex or
 * all zeros. With `len` 16 and a 32-char `id`, the id's first half must be zeros (a 64-bit trace
 * id is left-padded in the model).
 */
function compareHex(value: string, from: number, len: number, id: string): number {
  // Headers are nearly always lowercase and, where Envoy wrote them, equal: one native compare.
  if (len === id.length && value.startsWith(id, from) && id !== ZERO_16 && id !== ZERO_32) return 1;
  const offset = id.length - len;
  let same = offset === 0 || id.startsWith(ZERO_16);
  let zero = true;
  for (let i = 0; i < len; i++) {
    const c = hexLower(value.charCodeAt(from + i));
    if (c < 0) return -1;
    if (c !== 48) zero = false;
    if (same && c !== id.charCodeAt(offset + i)) same = false;
  }
  if (zero) return -1;
  return same ? 1 : 0;
}

/** The verdict from a header's trace id at `[traceAt, traceAt + traceLen)` and, when it has one (`spanAt` ≥ 0), its span id. */
function verdict(value: string, traceAt: number, traceLen: number, spanAt: number, span: SpanIds): HeaderVerdict {
  const spanId = spanAt < 0 ? 0 : compareHex(value, spanAt, 16, span.id);
  const traceId = traceLen === 16 || traceLen === 32 ? compareHex(value, traceAt, traceLen, span.traceId) : -1;
  if (traceId < 0 || spanId < 0) return 'unusable';
  if (traceId === 0) return 'ignored';
  return spanId === 1 ? 'injected' : 'agreeing';
}

/**
 * W3C `traceparent`: `version-traceid(32)-parentid(16)-flags(2)`; version `ff` is invalid, `00`
 * is exactly 55 chars, later versions may append `-...`.
 * @see https://www.w3.org/TR/trace-context/#traceparent-header
 */
export function traceparentVerdict(value: string, span: SpanIds): HeaderVerdict {
  if (value.length < 55 || value.charCodeAt(2) !== 45 || value.charCodeAt(35) !== 45 || value.charCodeAt(52) !== 45) return 'unusable';
  const v0 = hexLower(value.charCodeAt(0));
  const v1 = hexLower(value.charCodeAt(1));
  if (v0 < 0 || v1 < 0 || (v0 === 102 && v1 === 102) || hexLower(value.charCodeAt(53)) < 0 || hexLower(value.charCodeAt(54)) < 0) return 'unusable';
  const version00 = v0 === 48 && v1 === 48;
  if (value.length > 55 && (version00 || value.charCodeAt(55) !== 45)) return 'unusable';
  return verdict(value, 3, 32, 36, span);
}

/**
 * B3 single header: `traceid-spanid[-sampled[-parentspanid]]`, or only a sampling state
 * (`0`, `1`, `d`), which carries no context.
 * @see https://github.com/openzipkin/b3-propagation#single-header
 */
export function b3SingleVerdict(value: string, span: SpanIds): HeaderVerdict {
  const dash = value.indexOf('-');
  const end = dash + 17;
  if (dash < 0 || value.length < end || (value.length > end && value.charCodeAt(end) !== 45)) return 'unusable';
  return verdict(value, 0, dash, dash + 1, span);
}

/** `x-b3-traceid` alone (16 or 32 hex): no span id, so Envoy's own injection reads as `agreeing`. */
export function b3TraceIdVerdict(value: string, span: SpanIds): HeaderVerdict {
  return verdict(value, 0, value.length, -1, span);
}

/**
 * The header verdicts of a sidecar's outbound CLIENT span, or undefined for every other span and
 * for spans without these tags. Hot path (every span at ingest): two compares rule out all but
 * outbound CLIENT spans, then one pass over the span's own tags. Header tags are never packed
 * into the shared group (their keys are not shared keys, `src/model/tag-key.ts`), so the own
 * tags are the only place to look.
 */
export function classifySpan(span: Span): SpanHeaders | undefined {
  if (span.kind !== 'CLIENT' || span.mesh?.role !== 'sidecar-outbound') return undefined;
  const own = span.ownTags;
  let traceparent: string | undefined;
  let b3: string | undefined;
  let b3TraceId: string | undefined;
  for (let i = 0; i < own.length; i += 2) {
    const key = own[i]!;
    // Tag keys come from decoders, not literals, so `===` compares contents: the length rules out most first.
    switch (key.length) {
      case 11: if (key === HEADER_TAGS.traceparent) traceparent = own[i + 1]; break;
      case 12: if (key === HEADER_TAGS.b3TraceId) b3TraceId = own[i + 1]; break;
      case 2: if (key === HEADER_TAGS.b3) b3 = own[i + 1]; break;
      default: break;
    }
  }
  if (traceparent === undefined && b3 === undefined && b3TraceId === undefined) return undefined;
  return {
    traceparent: traceparent === undefined ? undefined : traceparentVerdict(traceparent, span),
    b3: b3Family(b3, b3TraceId, span),
    root: span.parentId === undefined,
  };
}

/** Envoy reads the single `b3` header before the multi headers; one without context falls back to `x-b3-traceid`. */
function b3Family(b3: string | undefined, b3TraceId: string | undefined, span: SpanIds): HeaderVerdict | undefined {
  const single = b3 === undefined ? undefined : b3SingleVerdict(b3, span);
  if (single !== undefined && single !== 'unusable') return single;
  return b3TraceId === undefined ? single : b3TraceIdVerdict(b3TraceId, span);
}
