/** Small hand-made ingest payloads for integration tests: Zipkin JSON and OTLP (JSON and protobuf). */
import { randomBytes } from 'node:crypto';
import { ExportTraceServiceRequest } from '../../src/otlp-ingest/index.js';

/** `chars` random lowercase hex characters (never all zeros in practice). */
export function hexId(chars: 16 | 32): string {
  return randomBytes(chars / 2).toString('hex');
}

export interface MiniZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  kind?: 'CLIENT' | 'SERVER';
  name: string;
  timestamp: number;
  duration: number;
  localEndpoint: { serviceName: string };
  tags?: Record<string, string>;
}

/** A minimal valid Zipkin v2 span, timestamped now. */
export function zipkinSpan(overrides: Partial<MiniZipkinSpan> = {}): MiniZipkinSpan {
  return {
    traceId: hexId(32), id: hexId(16), name: 'get /items', timestamp: Date.now() * 1000, duration: 1500,
    localEndpoint: { serviceName: 'itest' }, ...overrides,
  };
}

/** `count` minimal spans of one trace. */
export function zipkinSpans(count: number, traceId = hexId(32)): MiniZipkinSpan[] {
  return Array.from({ length: count }, () => zipkinSpan({ traceId }));
}

export interface MiniOtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}

/** A minimal valid OTLP span (hex ids, as OTLP/JSON has them), started now. */
export function otlpSpan(overrides: Partial<MiniOtlpSpan> = {}): MiniOtlpSpan {
  const start = BigInt(Date.now()) * 1_000_000n;
  return {
    traceId: hexId(32), spanId: hexId(16), name: 'GET /items', kind: 2,
    startTimeUnixNano: start.toString(), endTimeUnixNano: (start + 2_000_000n).toString(), ...overrides,
  };
}

function request(spans: MiniOtlpSpan[], service: string, ids: (hex: string) => string | Buffer): object {
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{
        scope: { name: 'itest' },
        spans: spans.map((s) => ({
          ...s, traceId: ids(s.traceId), spanId: ids(s.spanId),
          ...(s.parentSpanId !== undefined ? { parentSpanId: ids(s.parentSpanId) } : {}),
        })),
      }],
    }],
  };
}

/** OTLP/JSON body. Ids are passed through as given, so invalid ones stay invalid. */
export function otlpJsonBody(spans: MiniOtlpSpan[], service = 'itest'): Buffer {
  return Buffer.from(JSON.stringify(request(spans, service, (h) => h)));
}

/** OTLP protobuf body; ids are the bytes of the hex given (an odd or short id gives short bytes). */
export function otlpProtoBody(spans: MiniOtlpSpan[], service = 'itest'): Buffer {
  const message = ExportTraceServiceRequest.fromObject(request(spans, service, (h) => Buffer.from(h, 'hex')));
  return Buffer.from(ExportTraceServiceRequest.encode(message).finish());
}
