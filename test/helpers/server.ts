/**
 * A real meshtrace on 127.0.0.1 with every listener on port 0, for integration tests: start it,
 * talk to it over real sockets, poll instead of sleeping, close it.
 */
import * as grpc from '@grpc/grpc-js';
import { request } from 'node:http';
import { pino } from 'pino';
import { loadServeConfig } from '../../src/config/index.js';
import { startMeshtrace } from '../../src/server/meshtrace.js';
import type { RunningMeshtrace } from '../../src/server/meshtrace.js';

export const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** Flags every test server gets; extra flags come after, so they win (parseArgs keeps the last). */
export const BASE_ARGS = [
  '--host', '127.0.0.1', '--zipkin-port', '0', '--otlp-grpc-port', '0', '--otlp-http-port', '0', '--http-port', '0',
  '--settle-period', '1s', '--log-level', 'silent',
];

export interface TestServer {
  readonly running: RunningMeshtrace;
  /** `http://127.0.0.1:<zipkin port>` (ingest and read API). */
  readonly zipkin: string;
  /** `http://127.0.0.1:<otlp http port>`. */
  readonly otlpHttp: string;
  /** `127.0.0.1:<otlp grpc port>`, a gRPC target. */
  readonly grpcTarget: string;
  /** `http://127.0.0.1:<api port>` (/readyz, /api/traces/:id). */
  readonly api: string;
  close(): Promise<void>;
}

export async function startTestServer(extraArgs: readonly string[] = []): Promise<TestServer> {
  const config = loadServeConfig([...BASE_ARGS, ...extraArgs], {});
  const running = await startMeshtrace(config, pino({ level: 'silent' }));
  const base = 'http://127.0.0.1:';
  return {
    running,
    zipkin: base + running.ports.zipkin,
    otlpHttp: base + running.ports.otlpHttp,
    grpcTarget: `127.0.0.1:${running.ports.otlpGrpc}`,
    api: base + running.ports.http,
    close: () => running.close(),
  };
}

/** Retries `fn` until it stops throwing (or returns non-undefined), for at most `timeoutMs`. */
export async function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 5000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

async function answer(res: Response): Promise<HttpAnswer> {
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

export async function post(url: string, body: Uint8Array | string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return answer(await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } }));
}

export async function get(url: string): Promise<HttpAnswer> {
  return answer(await fetch(url));
}

/** GET that must answer 200; returns the JSON body. */
export async function getJson<T = unknown>(url: string): Promise<T> {
  const res = await get(url);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${res.text}`);
  return res.json as T;
}

/** A span as the Zipkin read API returns it. */
export interface ZipkinSpanOut {
  traceId: string;
  id: string;
  parentId?: string;
  kind?: string;
  name?: string;
  timestamp?: number;
  duration?: number;
  localEndpoint?: { serviceName?: string; ipv4?: string; port?: number };
  remoteEndpoint?: { serviceName?: string; ipv4?: string; port?: number };
  annotations?: { timestamp: number; value: string }[];
  tags?: Record<string, string>;
  shared?: true;
}

/** Polls `GET /api/v2/trace/{id}` until it holds at least `minSpans` spans. */
export function zipkinTrace(server: TestServer, traceId: string, minSpans = 1, timeoutMs = 5000): Promise<ZipkinSpanOut[]> {
  return eventually(async () => {
    const spans = await getJson<ZipkinSpanOut[]>(`${server.zipkin}/api/v2/trace/${traceId}`);
    if (spans.length < minSpans) throw new Error(`trace ${traceId}: ${spans.length} of ${minSpans} spans`);
    return spans;
  }, timeoutMs);
}

export interface GrpcAnswer {
  readonly error: grpc.ServiceError | undefined;
  readonly response: Buffer | undefined;
}

/** One raw unary call to TraceService/Export: bytes in, bytes out, errors as values. */
export function grpcExport(client: grpc.Client, request: Uint8Array, deadlineMs = 5000): Promise<GrpcAnswer> {
  return new Promise((resolve) => {
    client.makeUnaryRequest<Buffer, Buffer>(
      EXPORT_PATH, (b) => b, (b) => b, Buffer.from(request), new grpc.Metadata(), { deadline: Date.now() + deadlineMs },
      (error, response) => resolve({ error: error ?? undefined, response }),
    );
  });
}

export function grpcClient(server: TestServer): grpc.Client {
  return new grpc.Client(server.grpcTarget, grpc.credentials.createInsecure());
}

/** `GET /api/traces/:id` (the stitched view) as the tests read it. */
export interface TraceViewOut {
  traceId: string;
  spans: (ZipkinSpanOut & { parentIndex: number; workload?: string; namespace?: string; proxyRole?: string })[];
  roots: number[];
  orphans: number[];
  hops: { clientIndex: number; serverIndex: number; caller: string; callee: string; callerNamespace?: string; calleeNamespace?: string; gapUs: number }[];
  unpairedClients: number;
  warnings: { code: string; spanId?: string; message: string }[];
}

/** Polls the stitched view of a trace until it holds at least `minSpans` spans. */
export function stitchedTrace(server: TestServer, traceId: string, minSpans = 1, timeoutMs = 5000): Promise<TraceViewOut> {
  return eventually(async () => {
    const view = await getJson<TraceViewOut>(`${server.api}/api/traces/${traceId}`);
    if (view.spans.length < minSpans) throw new Error(`trace ${traceId}: ${view.spans.length} of ${minSpans} spans`);
    return view;
  }, timeoutMs);
}

/** POSTs `total` bytes of `fill` in 16 KiB chunks without a Content-Length (chunked encoding); resolves with the status. */
export function postChunked(url: string, total: number, fill = 0x20): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(16 * 1024, fill);
    let sent = 0;
    const write = (): void => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) { req.once('drain', write); return; }
      }
      req.end();
    };
    write();
  });
}
