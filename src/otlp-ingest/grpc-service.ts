/**
 * OTLP/gRPC `opentelemetry.proto.collector.trace.v1.TraceService/Export`, served straight from
 * Node's HTTP/2 server. Export is one unary method, so the gRPC protocol it needs is small:
 * a POST, one length-prefixed message (gzip or deflate optional), a response message and a
 * `grpc-status` trailer. A general gRPC server costs more CPU per call than decoding a
 * 100-span request; this costs a fraction of it, and gets windows sized for OTLP's large
 * messages instead of stalling on a 64 KiB default.
 *
 * Bad input never throws: a malformed message is INVALID_ARGUMENT with the decoder's reason, an
 * oversized one RESOURCE_EXHAUSTED before its bytes are buffered, a full buffer
 * RESOURCE_EXHAUSTED with `grpc-retry-pushback-ms`.
 */
import http2 from 'node:http2';
import type { IncomingHttpHeaders, ServerHttp2Session, ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { BodyScratch, decodeContentEncoding, ingest } from '../ingest/index.js';
import type { DecodeContext, IngestDeps, IngestOutcome } from '../ingest/index.js';
import { decodeOtlpProto } from './decode-proto.js';
import { ACCEPTED_ENCODINGS, FRAME_HEADER_BYTES, GrpcStatus, declaredLength, encodeGrpcMessage, framed, isAcceptedEncoding, isGrpcContentType, unaryMessage } from './grpc-wire.js';
import { encodedResponse, isOtlpPayloadError } from './traces-route.js';

export const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

export interface OtlpGrpcOptions {
  readonly deps: IngestDeps;
  readonly ctx: DecodeContext;
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
  /** A call whose request stalls (no bytes) this long is ended with DEADLINE_EXCEEDED. Default 60 s. */
  readonly requestIdleMs?: number;
}

export interface OtlpGrpcServer {
  readonly port: number;
  /** Stops accepting calls and waits for in-flight ones. */
  close(): Promise<void>;
}

/** Per-stream receive window: a 5 MiB request arrives without waiting for window updates. */
const STREAM_WINDOW_BYTES = 8 * 1024 * 1024;
/** Per-connection receive window, shared by its streams. */
const SESSION_WINDOW_BYTES = 32 * 1024 * 1024;
/** Calls one connection may have open at once; exporters send one or a few at a time. */
const MAX_CONCURRENT_STREAMS = 64;
const DEFAULT_REQUEST_IDLE_MS = 60_000;
/** Idle connections are closed after this long. */
const IDLE_SESSION_MS = 5 * 60_000;
/** How long close() lets in-flight calls finish before dropping connections. */
const CLOSE_GRACE_MS = 10_000;

const { NGHTTP2_NO_ERROR } = http2.constants;

function statusOf(outcome: Extract<IngestOutcome, { ok: false }>): GrpcStatus {
  return outcome.status === 400 || outcome.status === 415 ? GrpcStatus.INVALID_ARGUMENT : GrpcStatus.RESOURCE_EXHAUSTED;
}

/** Ends a call with only trailers (status, reason, extra metadata) and stops reading its request. */
function endWithStatus(stream: ServerHttp2Stream, status: GrpcStatus, message: string, extra: Record<string, string> = {}): void {
  if (stream.destroyed || stream.closed) return;
  if (!stream.headersSent) {
    stream.respond({
      ':status': 200, 'content-type': 'application/grpc', 'grpc-accept-encoding': ACCEPTED_ENCODINGS,
      'grpc-status': String(status), 'grpc-message': encodeGrpcMessage(message), ...extra,
    }, { endStream: true });
  }
  // The answer is final: whatever the client still sends is not wanted.
  stream.close(NGHTTP2_NO_ERROR);
}

function answerOk(stream: ServerHttp2Stream, response: Buffer): void {
  if (stream.destroyed || stream.closed) return;
  stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-accept-encoding': ACCEPTED_ENCODINGS }, { waitForTrailers: true });
  stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  stream.end(framed(response));
}

class ExportService {
  readonly #opts: OtlpGrpcOptions;
  readonly #scratch = new BodyScratch();

  constructor(opts: OtlpGrpcOptions) {
    this.#opts = opts;
  }

  /** Checks the call's headers, then collects its one message under the size limit. */
  onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.on('error', () => { /* the client reset or went away; nothing to answer */ });
    if (headers[':method'] !== 'POST') {
      stream.respond({ ':status': 405, allow: 'POST' }, { endStream: true });
      stream.close(NGHTTP2_NO_ERROR);
      return;
    }
    if (!isGrpcContentType(headers['content-type'])) {
      stream.respond({ ':status': 415, 'content-type': 'text/plain' }, { endStream: false });
      stream.end(`content-type must be application/grpc, got ${headers['content-type'] ?? 'none'}`);
      stream.close(NGHTTP2_NO_ERROR);
      return;
    }
    if (headers[':path'] !== EXPORT_PATH) {
      endWithStatus(stream, GrpcStatus.UNIMPLEMENTED, `unknown method ${headers[':path'] ?? ''}; this server serves ${EXPORT_PATH}`);
      return;
    }
    const encoding = headers['grpc-encoding'] as string | undefined;
    if (!isAcceptedEncoding(encoding)) {
      endWithStatus(stream, GrpcStatus.UNIMPLEMENTED, `unsupported grpc-encoding ${encoding}; use ${ACCEPTED_ENCODINGS}`);
      return;
    }
    this.#collect(stream, encoding);
  }

  #collect(stream: ServerHttp2Stream, encoding: string | undefined): void {
    const maxBytes = this.#opts.deps.limits.maxBodyBytes;
    const chunks: Buffer[] = [];
    let size = 0;
    /** The first message's declared length, once its prefix has arrived. */
    let declared = -1;
    let done = false;
    const idleMs = this.#opts.requestIdleMs ?? DEFAULT_REQUEST_IDLE_MS;
    stream.setTimeout(idleMs, () => {
      if (done) return;
      done = true;
      endWithStatus(stream, GrpcStatus.DEADLINE_EXCEEDED, `the request message stalled: no bytes for ${idleMs} ms`);
    });
    stream.on('data', (chunk: Buffer) => {
      if (done) return;
      chunks.push(chunk);
      size += chunk.length;
      if (declared < 0 && size >= FRAME_HEADER_BYTES) declared = declaredLength(chunks.length === 1 ? chunk : Buffer.concat(chunks));
      // Refuse as soon as the prefix declares (or the bytes exceed) more than the limit.
      if (declared > maxBytes || size > maxBytes + FRAME_HEADER_BYTES) {
        done = true;
        this.#opts.deps.stats.recordRefusal('otlp-grpc', Math.max(declared, size), 'too-large');
        endWithStatus(stream, GrpcStatus.RESOURCE_EXHAUSTED, `request message of ${Math.max(declared, size - FRAME_HEADER_BYTES)} bytes exceeds the limit of ${maxBytes} bytes`);
      }
    });
    stream.on('end', () => {
      if (done) return;
      done = true;
      this.#handle(stream, this.#scratch.assemble(chunks, size), encoding);
    });
  }

  /** Decodes and ingests the message; `body` is valid only during this call (reused memory). */
  #handle(stream: ServerHttp2Stream, body: Buffer, encoding: string | undefined): void {
    const { deps, ctx, logger } = this.#opts;
    const read = unaryMessage(body);
    if (!read.ok) {
      deps.stats.recordRefusal('otlp-grpc', body.length, 'malformed');
      endWithStatus(stream, read.status, read.reason);
      return;
    }
    const { message, compressed } = read;
    if (compressed && (encoding === undefined || encoding === 'identity')) {
      deps.stats.recordRefusal('otlp-grpc', body.length, 'malformed');
      endWithStatus(stream, GrpcStatus.INTERNAL, 'the message is flagged compressed but the call declared no grpc-encoding');
      return;
    }
    let outcome: IngestOutcome;
    try {
      outcome = ingest(deps, 'otlp-grpc', message.length, () => {
        const bytes = compressed ? decodeContentEncoding(message, encoding, deps.limits.maxBodyBytes) : message;
        return decodeOtlpProto(bytes, ctx, 'otlp-grpc');
      }, isOtlpPayloadError);
    } catch (err) {
      logger.error({ err }, 'otlp export failed');
      endWithStatus(stream, GrpcStatus.INTERNAL, 'internal error while ingesting; the request was not processed');
      return;
    }
    if (!outcome.ok) {
      logger.warn({ reason: outcome.reason, detail: outcome.message }, 'otlp export refused');
      // The gRPC retry pushback header tells well-behaved clients when to come back.
      const extra: Record<string, string> = outcome.retryAfterSeconds === undefined ? {} : { 'grpc-retry-pushback-ms': String(outcome.retryAfterSeconds * 1000) };
      endWithStatus(stream, statusOf(outcome), outcome.message, extra);
      return;
    }
    answerOk(stream, encodedResponse(outcome.batch));
  }
}

export function startOtlpGrpcServer(opts: OtlpGrpcOptions): Promise<OtlpGrpcServer> {
  const service = new ExportService(opts);
  const sessions = new Set<ServerHttp2Session>();
  const server = http2.createServer({
    settings: { initialWindowSize: STREAM_WINDOW_BYTES, maxConcurrentStreams: MAX_CONCURRENT_STREAMS },
    // Room for several full windows of buffered request data before new streams are refused.
    maxSessionMemory: 256,
  });
  server.on('session', (session: ServerHttp2Session) => {
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    session.on('error', (err) => opts.logger.debug({ err }, 'otlp grpc connection error'));
    session.setLocalWindowSize(SESSION_WINDOW_BYTES);
    // An idle connection gets a GOAWAY rather than a reset, so a call racing the close is retried, not failed.
    session.setTimeout(IDLE_SESSION_MS, () => session.close());
  });
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => service.onStream(stream, headers));
  server.on('sessionError', (err) => opts.logger.debug({ err }, 'otlp grpc session error'));

  const close = async (): Promise<void> => {
    const closed = new Promise<void>((done) => server.close(() => done()));
    // GOAWAY: clients open no new calls here, the ones in flight finish.
    for (const s of sessions) s.close();
    const grace = setTimeout(() => { for (const s of sessions) s.destroy(); }, CLOSE_GRACE_MS);
    await closed;
    clearTimeout(grace);
  };
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve({ port: (server.address() as AddressInfo).port, close });
    });
  });
}
