/**
 * OTLP/gRPC `opentelemetry.proto.collector.trace.v1.TraceService/Export`. Requests are taken as
 * raw bytes and decoded in the handler, so a malformed message becomes INVALID_ARGUMENT with a
 * reason rather than grpc-js's generic INTERNAL. grpc-js itself inflates gzip-compressed messages
 * and refuses ones over the size limit with RESOURCE_EXHAUSTED.
 */
import * as grpc from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { ingest } from '../ingest/index.js';
import type { DecodeContext, IngestDeps, IngestOutcome } from '../ingest/index.js';
import { decodeOtlpProto } from './decode-proto.js';
import { encodedResponse, isOtlpPayloadError } from './traces-route.js';

export const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

export interface OtlpGrpcOptions {
  readonly deps: IngestDeps;
  readonly ctx: DecodeContext;
  readonly host: string;
  readonly port: number;
  readonly logger: Logger;
}

export interface OtlpGrpcServer {
  readonly port: number;
  /** Stops accepting calls and waits for in-flight ones. */
  close(): Promise<void>;
}

const passthrough = (b: Buffer): Buffer => b;

function statusOf(outcome: Extract<IngestOutcome, { ok: false }>): grpc.status {
  switch (outcome.status) {
    case 400: case 415: return grpc.status.INVALID_ARGUMENT;
    default: return grpc.status.RESOURCE_EXHAUSTED;
  }
}

function handler(opts: OtlpGrpcOptions) {
  return (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>): void => {
    const body = call.request;
    const outcome = ingest(opts.deps, 'otlp-grpc', body.length, () => decodeOtlpProto(body, opts.ctx, 'otlp-grpc'), isOtlpPayloadError);
    if (!outcome.ok) {
      opts.logger.warn({ reason: outcome.reason, detail: outcome.message }, 'otlp export refused');
      const metadata = new grpc.Metadata();
      // The gRPC retry pushback header tells well-behaved clients when to come back.
      if (outcome.retryAfterSeconds !== undefined) metadata.set('grpc-retry-pushback-ms', String(outcome.retryAfterSeconds * 1000));
      callback({ code: statusOf(outcome), details: outcome.message, metadata });
      return;
    }
    callback(null, encodedResponse(outcome.batch));
  };
}

export function startOtlpGrpcServer(opts: OtlpGrpcOptions): Promise<OtlpGrpcServer> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': opts.deps.limits.maxBodyBytes });
  server.addService({
    Export: {
      path: EXPORT_PATH, requestStream: false, responseStream: false,
      requestSerialize: passthrough, requestDeserialize: passthrough,
      responseSerialize: passthrough, responseDeserialize: passthrough,
    },
  }, { Export: handler(opts) });
  const address = opts.host.includes(':') ? `[${opts.host}]:${opts.port}` : `${opts.host}:${opts.port}`;
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => {
      if (err) { reject(err); return; }
      resolve({
        port,
        close: () => new Promise<void>((done) => { server.tryShutdown(() => done()); }),
      });
    });
  });
}
