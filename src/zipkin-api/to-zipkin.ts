/**
 * Model span → Zipkin v2 JSON, the shape `GET /api/v2/trace/{id}` returns. Spans that arrived over
 * OTLP are served in the same shape, with their status mapped to tags the way the OpenTelemetry
 * Zipkin exporter maps it, so Zipkin's UI and Grafana show OTLP errors like Zipkin ones.
 *
 * @see https://github.com/openzipkin/zipkin-api/blob/master/zipkin2-api.yaml
 * @see https://opentelemetry.io/docs/specs/otel/trace/sdk_exporters/zipkin/#status
 */
import { StatusCode, tagsToObject, traceIdAsSent } from '../model/index.js';
import type { Endpoint, Span } from '../model/index.js';

export interface ZipkinEndpointJson {
  serviceName?: string;
  ipv4?: string;
  ipv6?: string;
  port?: number;
}

export interface ZipkinAnnotationJson {
  /** Epoch microseconds. */
  timestamp: number;
  value: string;
}

/** Zipkin has no INTERNAL kind: such spans are sent without one. */
export type ZipkinKind = 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';

/** A Zipkin v2 span as JSON. Absent fields are left out rather than sent as null, as Zipkin does. */
export interface ZipkinSpanJson {
  traceId: string;
  parentId?: string;
  id: string;
  kind?: ZipkinKind;
  name?: string;
  timestamp?: number;
  duration?: number;
  localEndpoint?: ZipkinEndpointJson;
  remoteEndpoint?: ZipkinEndpointJson;
  annotations?: ZipkinAnnotationJson[];
  tags?: Record<string, string>;
  debug?: true;
  shared?: true;
}

/** Zipkin's endpoint; undefined when every field is empty (Zipkin drops empty endpoints too). */
function toZipkinEndpoint(e: Endpoint | undefined): ZipkinEndpointJson | undefined {
  if (e === undefined) return undefined;
  const out: ZipkinEndpointJson = {};
  // Zipkin lowercases service names on the way in, so its clients expect them lowercase.
  if (e.serviceName) out.serviceName = e.serviceName.toLowerCase();
  if (e.ipv4 !== undefined) out.ipv4 = e.ipv4;
  if (e.ipv6 !== undefined) out.ipv6 = e.ipv6;
  if (e.port !== undefined && e.port > 0) out.port = e.port;
  return Object.keys(out).length === 0 ? undefined : out;
}

/** Tags, plus the OTLP status as the OTel Zipkin exporter writes it. */
function zipkinTags(span: Span): Record<string, string> {
  const tags = tagsToObject(span);
  if (!span.source.startsWith('otlp')) return tags;
  if (span.statusCode === StatusCode.ERROR) {
    tags['otel.status_code'] = 'ERROR';
    // Zipkin marks failed spans by the presence of an `error` tag; its value is the description.
    if (tags['error'] === undefined) tags['error'] = span.statusMessage ?? '';
  } else if (span.statusCode === StatusCode.OK) {
    tags['otel.status_code'] = 'OK';
  }
  return tags;
}

export function toZipkinSpan(span: Span): ZipkinSpanJson {
  const out: ZipkinSpanJson = { traceId: traceIdAsSent(span.traceId, span.traceIdBits), id: span.id };
  if (span.parentId !== undefined) out.parentId = span.parentId;
  if (span.kind !== undefined && span.kind !== 'INTERNAL') out.kind = span.kind;
  // Zipkin lowercases span names too; the UI's span-name filter relies on it.
  if (span.name !== '') out.name = span.name.toLowerCase();
  if (span.timestampUs !== 0) out.timestamp = span.timestampUs;
  if (span.durationUs !== 0) out.duration = span.durationUs;
  const local = toZipkinEndpoint(span.localEndpoint);
  if (local !== undefined) out.localEndpoint = local;
  const remote = toZipkinEndpoint(span.remoteEndpoint);
  if (remote !== undefined) out.remoteEndpoint = remote;
  if (span.annotations !== undefined && span.annotations.length > 0) {
    out.annotations = span.annotations.map((a) => ({ timestamp: a.timestampUs, value: a.value }));
  }
  const tags = zipkinTags(span);
  if (Object.keys(tags).length > 0) out.tags = tags;
  if (span.debug) out.debug = true;
  if (span.shared) out.shared = true;
  return out;
}
