/**
 * The one span model every wire format normalizes into.
 *
 * Field meanings follow Zipkin v2 (`zipkin2-api.yaml`) where the formats agree, with OTLP's
 * extras (`trace.proto`) kept where they exist: nanosecond remainders, status, links, trace state.
 * Spans are immutable once built; the stitcher and the audit derive views, never rewrite spans.
 * The decoders build them as `CompactSpan` (compact-span.ts), which packs the small and rarely set
 * fields; copy a span with `spanFields`, not an object spread.
 *
 * @see https://github.com/openzipkin/zipkin-api/blob/master/zipkin2-api.yaml
 * @see https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/trace/v1/trace.proto
 */
import type { TagGroup } from './tags.js';
import type { MeshIdentity } from './mesh.js';

/** Zipkin's span kinds plus OTLP's INTERNAL; `undefined` when the sender gave none. */
export type SpanKind = 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER' | 'INTERNAL';

/** Where a span came from on the wire. */
export type SourceFormat = 'zipkin-json' | 'zipkin-proto' | 'otlp-grpc' | 'otlp-proto' | 'otlp-json';

/** A network endpoint as Zipkin models it. Instances are interned: compare by reference is fine. */
export interface Endpoint {
  readonly serviceName: string | undefined;
  readonly ipv4: string | undefined;
  readonly ipv6: string | undefined;
  /** 0 or absent means unknown. */
  readonly port: number | undefined;
}

/** A timestamped event (Zipkin annotation, OTLP event). */
export interface Annotation {
  /** Epoch microseconds. */
  readonly timestampUs: number;
  readonly value: string;
}

/** A link to another span (OTLP links; also how re-stitching exports its inferred parent). */
export interface SpanLink {
  readonly traceId: string;
  readonly spanId: string;
  readonly traceState: string | undefined;
  /** Flat `[key, value, key, value, ...]`. */
  readonly attributes: readonly string[];
}

/** OTLP status codes; Zipkin spans map `error` tags to ERROR. */
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];

export interface Span {
  /** 32 lowercase hex chars; 64-bit ids are left-padded with zeros. */
  readonly traceId: string;
  /** Width of the trace id as it arrived, so it can be re-exported unchanged. */
  readonly traceIdBits: 64 | 128;
  /** 16 lowercase hex chars. */
  readonly id: string;
  /** 16 lowercase hex chars, or undefined for a root. */
  readonly parentId: string | undefined;
  readonly kind: SpanKind | undefined;
  /** Empty string when the sender gave no name. */
  readonly name: string;
  /** Epoch microseconds of the start (Zipkin `timestamp`); 0 when unknown. */
  readonly timestampUs: number;
  /** Microseconds; 0 when unknown. */
  readonly durationUs: number;
  /**
   * Nanoseconds below `timestampUs` (0–999) when the source had nanosecond precision (OTLP),
   * so `start_time_unix_nano = timestampUs * 1000 + startNanosRemainder` exactly. -1 otherwise.
   */
  readonly startNanosRemainder: number;
  /** Same as `startNanosRemainder` for the end time. -1 when not from a nanosecond source. */
  readonly endNanosRemainder: number;
  readonly localEndpoint: Endpoint | undefined;
  readonly remoteEndpoint: Endpoint | undefined;
  /** Low-cardinality tags shared by many spans (resource attributes, sidecar identity tags). */
  readonly sharedTags: TagGroup;
  /** Span-specific tags as a flat `[key, value, ...]` array; they win over `sharedTags`. */
  readonly ownTags: readonly string[];
  readonly annotations: readonly Annotation[] | undefined;
  /** Zipkin `shared`: this SERVER span reuses its client's span id. */
  readonly shared: boolean;
  /** Zipkin `debug`. */
  readonly debug: boolean;
  readonly statusCode: StatusCode;
  readonly statusMessage: string | undefined;
  /** True when the span reports an error (Zipkin `error` tag or OTLP status ERROR). */
  readonly error: boolean;
  readonly links: readonly SpanLink[] | undefined;
  /** W3C `tracestate` carried by OTLP spans. */
  readonly traceState: string | undefined;
  readonly source: SourceFormat;
  /** Mesh facts derived from Envoy/Istio tags; undefined for spans from application SDKs. */
  readonly mesh: MeshIdentity | undefined;
  /** Envoy's `guid:x-request-id` tag. */
  readonly requestId: string | undefined;
  /** `http.status_code` (or `http.response.status_code`) as a number. */
  readonly httpStatus: number | undefined;
  /** Envoy's `response_flags` tag when it is not `-`. */
  readonly responseFlags: string | undefined;
}
