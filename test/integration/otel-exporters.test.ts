/**
 * Real OpenTelemetry JS exporters (OTLP gRPC, OTLP/HTTP JSON, OTLP/HTTP protobuf, Zipkin) send a
 * small trace to a running meshtrace; the Zipkin read API must give it back with the same ids,
 * parents and (lowercased) names, attributes, the event and the error status.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as GrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as HttpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { IngestProtocol } from '../../src/ingest/index.js';
import { getJson, startTestServer, zipkinTrace } from '../helpers/server.js';
import type { TestServer, ZipkinSpanOut } from '../helpers/server.js';

type ExportResult = Parameters<Parameters<SpanExporter['export']>[1]>[0];
type GrpcCompression = NonNullable<NonNullable<ConstructorParameters<typeof GrpcExporter>[0]>['compression']>;
type HttpCompression = NonNullable<NonNullable<ConstructorParameters<typeof HttpJsonExporter>[0]>['compression']>;
// The exporters' own CompressionAlgorithm.GZIP, without importing the transitive package that defines it.
const GZIP_GRPC = 'gzip' as GrpcCompression;
const GZIP_HTTP = 'gzip' as HttpCompression;

/** Passes spans through to a real exporter and remembers every export's result. */
class RecordingExporter implements SpanExporter {
  readonly results: ExportResult[] = [];
  constructor(private readonly inner: SpanExporter) {}
  export(spans: Parameters<SpanExporter['export']>[0], done: (r: ExportResult) => void): void {
    this.inner.export(spans, (r) => { this.results.push(r); done(r); });
  }
  shutdown(): Promise<void> { return this.inner.shutdown(); }
  forceFlush(): Promise<void> { return this.inner.forceFlush?.() ?? Promise.resolve(); }
}

interface SentTrace {
  traceId: string;
  root: string;
  client: string;
  internal: string;
}

/** SERVER root → CLIENT child (ERROR status) → INTERNAL grandchild with an event. */
async function sendTrace(exporter: SpanExporter, serviceName: string): Promise<SentTrace> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('meshtrace-itest', '1.0.0');
  const root = tracer.startSpan('GET /Checkout', { kind: SpanKind.SERVER, attributes: { 'http.method': 'GET', 'http.route': '/checkout' } });
  const rootCtx = trace.setSpan(context.active(), root);
  const client = tracer.startSpan('POST Payments', { kind: SpanKind.CLIENT, attributes: { 'peer.service': 'payments', 'http.status_code': 503 } }, rootCtx);
  const internal = tracer.startSpan('Compute Total', { kind: SpanKind.INTERNAL, attributes: { items: 3, cached: false } }, trace.setSpan(rootCtx, client));
  internal.addEvent('cache miss');
  internal.end();
  client.setStatus({ code: SpanStatusCode.ERROR, message: 'payment declined' });
  client.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return {
    traceId: root.spanContext().traceId,
    root: root.spanContext().spanId,
    client: client.spanContext().spanId,
    internal: internal.spanContext().spanId,
  };
}

interface Case {
  readonly name: string;
  readonly service: string;
  /** The ingest counter the spans must land in (proves JSON vs protobuf). */
  readonly protocol: IngestProtocol;
  readonly make: (s: TestServer) => SpanExporter;
}

const CASES: Case[] = [
  { name: 'OTLP gRPC', service: 'otel-grpc', protocol: 'otlp-grpc', make: (s) => new GrpcExporter({ url: `http://${s.grpcTarget}` }) },
  { name: 'OTLP gRPC, gzip', service: 'otel-grpc-gzip', protocol: 'otlp-grpc', make: (s) => new GrpcExporter({ url: `http://${s.grpcTarget}`, compression: GZIP_GRPC }) },
  { name: 'OTLP/HTTP JSON', service: 'otel-http-json', protocol: 'otlp-json', make: (s) => new HttpJsonExporter({ url: `${s.otlpHttp}/v1/traces` }) },
  { name: 'OTLP/HTTP JSON, gzip', service: 'otel-http-json-gzip', protocol: 'otlp-json', make: (s) => new HttpJsonExporter({ url: `${s.otlpHttp}/v1/traces`, compression: GZIP_HTTP }) },
  { name: 'OTLP/HTTP protobuf', service: 'otel-http-proto', protocol: 'otlp-proto', make: (s) => new HttpProtoExporter({ url: `${s.otlpHttp}/v1/traces` }) },
  { name: 'Zipkin', service: 'otel-zipkin', protocol: 'zipkin-json', make: (s) => new ZipkinExporter({ url: `${s.zipkin}/api/v2/spans` }) },
];

function byId(spans: ZipkinSpanOut[], id: string): ZipkinSpanOut {
  const span = spans.find((s) => s.id === id);
  if (span === undefined) throw new Error(`span ${id} missing from ${JSON.stringify(spans.map((s) => s.id))}`);
  return span;
}

describe('OpenTelemetry JS exporters → meshtrace → Zipkin read API', () => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(); });
  afterAll(async () => { await server.close(); });

  for (const c of CASES) {
    it(`${c.name}: ids, parents, names, tags, event and error status survive`, async () => {
      const accepted = (): number => server.running.stats.byProtocol.get(c.protocol)?.spansAccepted ?? 0;
      const before = accepted();
      const exporter = new RecordingExporter(c.make(server));
      const sent = await sendTrace(exporter, c.service);

      expect(exporter.results.length).toBeGreaterThan(0);
      for (const r of exporter.results) expect(r.code, String(r.error)).toBe(0);
      expect(accepted() - before).toBe(3);

      const spans = await zipkinTrace(server, sent.traceId, 3);
      expect(spans).toHaveLength(3);
      for (const s of spans) {
        expect(s.traceId).toBe(sent.traceId);
        expect(s.localEndpoint?.serviceName).toBe(c.service);
      }
      const root = byId(spans, sent.root);
      const client = byId(spans, sent.client);
      const internal = byId(spans, sent.internal);
      expect(root).toMatchObject({ kind: 'SERVER', name: 'get /checkout' });
      expect(root.parentId).toBeUndefined();
      expect(client).toMatchObject({ kind: 'CLIENT', name: 'post payments', parentId: sent.root });
      expect(internal).toMatchObject({ name: 'compute total', parentId: sent.client });
      expect(internal.kind).toBeUndefined();

      expect(root.tags).toMatchObject({ 'http.method': 'GET', 'http.route': '/checkout' });
      expect(client.tags).toMatchObject({ 'peer.service': 'payments', 'http.status_code': '503', 'otel.status_code': 'ERROR', error: 'payment declined' });
      expect(internal.tags).toMatchObject({ items: '3', cached: 'false' });
      expect(internal.tags?.['error']).toBeUndefined();
      expect(internal.annotations?.map((a) => a.value)).toEqual(['cache miss']);
      expect(root.timestamp).toBeGreaterThan(0);
      expect(internal.timestamp).toBeGreaterThanOrEqual(root.timestamp!);

      const services = await getJson<string[]>(`${server.zipkin}/api/v2/services`);
      expect(services).toContain(c.service);
      const traces = await getJson<ZipkinSpanOut[][]>(`${server.zipkin}/api/v2/traces?serviceName=${c.service}`);
      expect(traces).toHaveLength(1);
      expect(traces[0]!.map((s) => s.id).sort()).toEqual([sent.root, sent.client, sent.internal].sort());
    });
  }
});
