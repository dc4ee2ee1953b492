import { describe, expect, it } from 'vitest';
import { DecodeContext } from '../ingest/index.js';
import { tagsToObject } from '../model/index.js';
import type { Span } from '../model/index.js';
import { decodeOtlpJson, decodeOtlpProto } from '../otlp-ingest/index.js';
import { decodeZipkinJson, decodeZipkinProto } from '../zipkin-ingest/index.js';
import { otlpJson, otlpProto, simulate, zipkinJson, zipkinProto } from './index.js';
import type { SimSpan } from './index.js';
import { START_US } from '../../test/helpers/sim-helpers.js';

const spans = simulate({
  topology: 'online-boutique', provider: 'zipkin', samplingPercent: 100, concurrency: 5, requests: 20, clockSkewMs: 5, seed: 3, startUs: START_US,
  behaviours: { frontend: 'forward-none' },
}).batches.flatMap((b) => b.spans);

const expected = (s: SimSpan) => ({
  traceId: s.traceId, id: s.id, parentId: s.parentId, kind: s.kind, name: s.name, timestampUs: s.timestamp, durationUs: s.duration,
  service: s.localEndpoint.serviceName, tags: s.tags,
});
const decoded = (s: Span) => ({
  traceId: s.traceId, id: s.id, parentId: s.parentId, kind: s.kind, name: s.name, timestampUs: s.timestampUs, durationUs: s.durationUs,
  service: s.localEndpoint?.serviceName, tags: tagsToObject(s),
});

describe('encoders round-trip through meshtrace decoders', () => {
  it('has roots, children, gRPC tags and errors to cover', () => {
    expect(spans.some((s) => s.parentId === undefined)).toBe(true);
    expect(spans.some((s) => s.tags['grpc.path'] !== undefined)).toBe(true);
  });

  it('Zipkin JSON', () => {
    const { spans: out, rejected } = decodeZipkinJson(JSON.parse(zipkinJson(spans).toString()), new DecodeContext());
    expect(rejected).toEqual([]);
    expect(out.map(decoded)).toEqual(spans.map(expected));
    expect(out.find((s) => s.parentId === undefined && s.kind === 'CLIENT')?.mesh?.role).toBe('sidecar-outbound');
  });

  it('Zipkin proto3, spec and Envoy byte order', () => {
    for (const envoyByteOrder of [false, true]) {
      const { spans: out, rejected } = decodeZipkinProto(zipkinProto(spans, envoyByteOrder), new DecodeContext());
      expect(rejected).toEqual([]);
      expect(out.map(decoded)).toEqual(spans.map(expected));
    }
  });

  it('OTLP protobuf and OTLP/JSON', () => {
    // Grouping by service reorders spans; compare as sets keyed by id.
    const sorted = <T extends { id: string }>(list: T[]): T[] => [...list].sort((a, b) => a.id.localeCompare(b.id));
    const proto = decodeOtlpProto(otlpProto(spans), new DecodeContext(), 'otlp-proto');
    expect(proto.rejected).toEqual([]);
    const json = decodeOtlpJson(JSON.parse(otlpJson(spans).toString()), new DecodeContext());
    expect(json.rejected).toEqual([]);
    // Resource attributes come back among the tags.
    const withoutResource = (s: ReturnType<typeof decoded>) => ({
      ...s, tags: Object.fromEntries(Object.entries(s.tags).filter(([k]) => k !== 'service.name' && !k.startsWith('telemetry.'))),
    });
    for (const out of [proto.spans, json.spans]) {
      expect(sorted(out.map(decoded).map(withoutResource))).toEqual(sorted(spans.map(expected)));
    }
  });
});
