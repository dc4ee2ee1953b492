/**
 * OTLP/HTTP `POST /v1/traces` with protobuf (what Envoy sends) or JSON bodies, gzip optional.
 * Answers 200 with an ExportTraceServiceResponse in the request's encoding; rejected spans are
 * reported in `partial_success` as the OTLP spec asks.
 * @see https://opentelemetry.io/docs/specs/otlp/#otlphttp
 */
import type { FastifyInstance } from 'fastify';
import {
  decodeContentEncoding, ingest, isProtobuf, parseJsonBody, rawBodyParsers, rejectionSummary, sendRefusal,
} from '../ingest/index.js';
import type { DecodeContext, IngestDeps } from '../ingest/index.js';
import type { DecodedBatch } from '../model/index.js';
import { decodeOtlpJson } from './decode-json.js';
import { decodeOtlpProto } from './decode-proto.js';
import { OtlpPayloadError } from './errors.js';
import { ExportTraceServiceResponse } from './otlp-proto.js';

export interface OtlpIngestOptions {
  readonly deps: IngestDeps;
  readonly ctx: DecodeContext;
}

export const isOtlpPayloadError = (err: unknown): err is Error => err instanceof OtlpPayloadError;

/** The response message: empty on full success, `partial_success` when spans were rejected. */
export function exportResponse(batch: DecodedBatch): { partialSuccess?: { rejectedSpans: number; errorMessage: string } } {
  if (batch.rejected.length === 0) return {};
  return { partialSuccess: { rejectedSpans: batch.rejected.length, errorMessage: rejectionSummary(batch) } };
}

export function otlpHttpIngest(app: FastifyInstance, opts: OtlpIngestOptions): Promise<void> {
  const { deps, ctx } = opts;
  rawBodyParsers(app, deps.limits.maxBodyBytes);
  app.post('/v1/traces', async (request, reply) => {
    const raw = request.body as Buffer | undefined ?? Buffer.alloc(0);
    const proto = isProtobuf(request.headers['content-type']);
    const encoding = request.headers['content-encoding'];
    const outcome = ingest(deps, proto ? 'otlp-proto' : 'otlp-json', raw.length, () => {
      const body = decodeContentEncoding(raw, encoding, deps.limits.maxBodyBytes);
      return proto ? decodeOtlpProto(body, ctx, 'otlp-proto') : decodeOtlpJson(parseJsonBody(body), ctx);
    }, isOtlpPayloadError);
    if (!outcome.ok) {
      request.log.warn({ reason: outcome.reason, detail: outcome.message }, 'otlp request refused');
      return sendRefusal(reply, outcome);
    }
    const response = exportResponse(outcome.batch);
    if (response.partialSuccess !== undefined) request.log.warn({ detail: response.partialSuccess.errorMessage }, 'otlp spans rejected');
    if (!proto) return reply.code(200).type('application/json').send(response);
    const bytes = ExportTraceServiceResponse.encode(ExportTraceServiceResponse.create(response)).finish();
    return reply.code(200).type('application/x-protobuf').send(Buffer.from(bytes));
  });
  return Promise.resolve();
}
