/**
 * Simulated spans in every ingest format meshtrace accepts: Zipkin v2 JSON (what Istio's Zipkin
 * provider posts), Zipkin proto3, and OTLP protobuf (what Istio's OpenTelemetry provider sends)
 * and OTLP/JSON.
 */
import type protobuf from 'protobufjs';
import { hexToBytes } from '../model/index.js';
import { ExportTraceServiceRequest } from '../otlp-ingest/otlp-proto.js';
import { ListOfSpans } from '../zipkin-ingest/index.js';
import type { SimSpan } from './types.js';

const KIND_ZIPKIN = { CLIENT: 1, SERVER: 2 } as const;
const KIND_OTLP = { CLIENT: 3, SERVER: 2 } as const;

export function zipkinJson(spans: SimSpan[]): Buffer {
  return Buffer.from(JSON.stringify(spans));
}

function reversed(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes).reverse();
}

/** Zipkin proto3; `envoyByteOrder` writes span and parent ids little-endian as Envoy's HTTP_PROTO does. */
export function zipkinProto(spans: SimSpan[], envoyByteOrder = false): Buffer {
  const id = (hex: string): Uint8Array => (envoyByteOrder ? reversed(hexToBytes(hex)) : hexToBytes(hex));
  const message = spans.map((s) => ({
    traceId: hexToBytes(s.traceId),
    parentId: s.parentId !== undefined ? id(s.parentId) : undefined,
    id: id(s.id),
    kind: KIND_ZIPKIN[s.kind],
    name: s.name,
    timestamp: s.timestamp,
    duration: s.duration,
    localEndpoint: { serviceName: s.localEndpoint.serviceName, ipv4: Uint8Array.from(s.localEndpoint.ipv4.split('.').map(Number)) },
    tags: s.tags,
  }));
  return Buffer.from(ListOfSpans.encode(ListOfSpans.create({ spans: message })).finish());
}

function attributes(tags: Record<string, string>): { key: string; value: { stringValue: string } }[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value: { stringValue: value } }));
}

/** Groups spans by reporting service, one ResourceSpans each, as Envoy's OTLP exporter does per proxy. */
function byService(spans: SimSpan[]): Map<string, SimSpan[]> {
  const groups = new Map<string, SimSpan[]>();
  for (const s of spans) {
    const list = groups.get(s.localEndpoint.serviceName);
    if (list === undefined) groups.set(s.localEndpoint.serviceName, [s]);
    else list.push(s);
  }
  return groups;
}

const nanos = (us: number): bigint => BigInt(us) * 1000n;

/**
 * A fixed64 as protobufjs's writer takes it without the `long` package: epoch nanoseconds pass
 * 2^53, so a plain number would lose the low digits.
 */
function fixed64(value: bigint): { low: number; high: number; unsigned: boolean } {
  return { low: Number(value & 0xffffffffn), high: Number(value >> 32n), unsigned: true };
}

export function otlpRequestObject(spans: SimSpan[]): protobuf.Message {
  const resourceSpans = [...byService(spans)].map(([service, list]) => ({
    resource: { attributes: attributes({ 'service.name': service, 'telemetry.sdk.name': 'envoy', 'telemetry.sdk.language': 'cpp' }) },
    // Envoy sends one ScopeSpans with an empty scope (ENVOY-ISTIO.md §3).
    scopeSpans: [{
      scope: {},
      spans: list.map((s) => ({
        traceId: hexToBytes(s.traceId),
        spanId: hexToBytes(s.id),
        parentSpanId: s.parentId !== undefined ? hexToBytes(s.parentId) : undefined,
        name: s.name,
        kind: KIND_OTLP[s.kind],
        startTimeUnixNano: fixed64(nanos(s.timestamp)),
        endTimeUnixNano: fixed64(nanos(s.timestamp + s.duration)),
        attributes: attributes(s.tags),
      })),
    }],
  }));
  return ExportTraceServiceRequest.create({ resourceSpans });
}

export function otlpProto(spans: SimSpan[]): Buffer {
  return Buffer.from(ExportTraceServiceRequest.encode(otlpRequestObject(spans)).finish());
}

/** OTLP/JSON as the spec encodes it: hex ids, numeric enums, nanoseconds as strings. */
export function otlpJson(spans: SimSpan[]): Buffer {
  const resourceSpans = [...byService(spans)].map(([service, list]) => ({
    resource: { attributes: attributes({ 'service.name': service }) },
    scopeSpans: [{
      scope: {},
      spans: list.map((s) => ({
        traceId: s.traceId, spanId: s.id, ...(s.parentId !== undefined ? { parentSpanId: s.parentId } : {}),
        name: s.name, kind: KIND_OTLP[s.kind],
        startTimeUnixNano: nanos(s.timestamp).toString(), endTimeUnixNano: nanos(s.timestamp + s.duration).toString(),
        attributes: attributes(s.tags),
      })),
    }],
  }));
  return Buffer.from(JSON.stringify({ resourceSpans }));
}
