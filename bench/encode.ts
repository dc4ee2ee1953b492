/** Encodes generated Zipkin-shaped spans into every ingest format meshtrace accepts. */
import Long from 'long';
import type protobuf from 'protobufjs';
import { hexToBytes } from '../src/model/index.js';
import { ExportTraceServiceRequest } from '../src/otlp-ingest/otlp-proto.js';
import { ListOfSpans } from '../src/zipkin-ingest/index.js';
import type { ZipkinJsonSpan } from './envoy-spans.js';

const KIND_ZIPKIN = { CLIENT: 1, SERVER: 2 } as const;
const KIND_OTLP = { CLIENT: 3, SERVER: 2 } as const;

export function zipkinJson(batch: ZipkinJsonSpan[]): Buffer {
  return Buffer.from(JSON.stringify(batch));
}

function reversed(bytes: Uint8Array): Uint8Array {
  return Uint8Array.from(bytes).reverse();
}

/** Zipkin proto3; `envoyByteOrder` writes span and parent ids little-endian as Envoy's HTTP_PROTO does. */
export function zipkinProto(batch: ZipkinJsonSpan[], envoyByteOrder = false): Buffer {
  const id = (hex: string): Uint8Array => (envoyByteOrder ? reversed(hexToBytes(hex)) : hexToBytes(hex));
  const spans = batch.map((s) => ({
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
  return Buffer.from(ListOfSpans.encode(ListOfSpans.create({ spans })).finish());
}

function attributes(tags: Record<string, string>): { key: string; value: { stringValue: string } }[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value: { stringValue: value } }));
}

/** Groups spans by reporting service, one ResourceSpans each, as Envoy's OTLP exporter does per proxy. */
function byService(batch: ZipkinJsonSpan[]): Map<string, ZipkinJsonSpan[]> {
  const groups = new Map<string, ZipkinJsonSpan[]>();
  for (const s of batch) {
    const list = groups.get(s.localEndpoint.serviceName);
    if (list === undefined) groups.set(s.localEndpoint.serviceName, [s]);
    else list.push(s);
  }
  return groups;
}

const nanos = (us: number): string => (BigInt(us) * 1000n).toString();

export function otlpRequestObject(batch: ZipkinJsonSpan[]): protobuf.Message {
  const resourceSpans = [...byService(batch)].map(([service, spans]) => ({
    resource: { attributes: attributes({ 'service.name': service, 'telemetry.sdk.name': 'envoy', 'telemetry.sdk.language': 'cpp' }) },
    scopeSpans: [{
      scope: {},
      spans: spans.map((s) => ({
        traceId: hexToBytes(s.traceId),
        spanId: hexToBytes(s.id),
        parentSpanId: s.parentId !== undefined ? hexToBytes(s.parentId) : undefined,
        name: s.name,
        kind: KIND_OTLP[s.kind],
        startTimeUnixNano: Long.fromString(nanos(s.timestamp), true),
        endTimeUnixNano: Long.fromString(nanos(s.timestamp + s.duration), true),
        attributes: attributes(s.tags),
      })),
    }],
  }));
  return ExportTraceServiceRequest.create({ resourceSpans });
}

export function otlpProto(batch: ZipkinJsonSpan[]): Buffer {
  return Buffer.from(ExportTraceServiceRequest.encode(otlpRequestObject(batch)).finish());
}

/** OTLP/JSON as the spec encodes it: hex ids, numeric enums, nanoseconds as strings. */
export function otlpJson(batch: ZipkinJsonSpan[]): Buffer {
  const resourceSpans = [...byService(batch)].map(([service, spans]) => ({
    resource: { attributes: attributes({ 'service.name': service }) },
    scopeSpans: [{
      scope: {},
      spans: spans.map((s) => ({
        traceId: s.traceId, spanId: s.id, ...(s.parentId !== undefined ? { parentSpanId: s.parentId } : {}),
        name: s.name, kind: KIND_OTLP[s.kind],
        startTimeUnixNano: nanos(s.timestamp), endTimeUnixNano: nanos(s.timestamp + s.duration),
        attributes: attributes(s.tags),
      })),
    }],
  }));
  return Buffer.from(JSON.stringify({ resourceSpans }));
}
