/**
 * OTLP/HTTP `POST /v1/traces` with protobuf (what Envoy sends) or JSON bodies, gzip optional.
 * Answers 200 with an ExportTraceServiceResponse in the request's encoding; rejected spans are
 * reported in `partial_success` as the OTLP spec asks.
 * @see https://opentelemetry.io/docs/specs/otlp/#otlphttp
 */
import type { Logger } from 'pino';
import {
  contentEncoding, decodeContentEncoding, ingest, isProtobuf, parseJsonBody, refusalAnswer, rejectionSummary,
} from '../ingest/index.js';
import type { DecodeContext, IngestDeps, RawRoute } from '../ingest/index.js';
import type { DecodedBatch } from '../model/index.js';
import { decodeOtlpJson } from './decode-json.js';
import { decodeOtlpProto } from './decode-proto.js';
import { OtlpPayloadError } from './errors.js';
import { ExportTraceServiceResponse } from './otlp-proto.js';

export interface OtlpIngestOptions {
  readonly deps: IngestDeps;
  readonly ctx: DecodeContext;
  readonly logger: Logger;
}

export const isOtlpPayloadError = (err: unknown): err is Error => err instanceof OtlpPayloadError;

/** The response message: empty on full success, `partial_success` when spans were rejected. */
export function exportResponse(batch: DecodedBatch): { partialSuccess?: { rejectedSpans: number; errorMessage: string } } {
  if (batch.rejected.length === 0) return {};
  return { partialSuccess: { rejectedSpans: batch.rejected.length, errorMessage: rejectionSummary(batch) } };
}

export function otlpTracesRoute(opts: OtlpIngestOptions): RawRoute {
  const { deps, ctx, logger } = opts;
  return {
    path: '/v1/traces',
    handle: (raw, headers) => {
      const proto = isProtobuf(headers['content-type']);
      const encoding = contentEncoding(headers['content-encoding']);
      const outcome = ingest(deps, proto ? 'otlp-proto' : 'otlp-json', raw.length, () => {
        const body = decodeContentEncoding(raw, encoding, deps.limits.maxBodyBytes);
        return proto ? decodeOtlpProto(body, ctx, 'otlp-proto') : decodeOtlpJson(parseJsonBody(body), ctx);
      }, isOtlpPayloadError);
      if (!outcome.ok) {
        logger.warn({ reason: outcome.reason, detail: outcome.message }, 'otlp request refused');
        return refusalAnswer(outcome);
      }
      const response = exportResponse(outcome.batch);
      if (response.partialSuccess !== undefined) logger.warn({ detail: response.partialSuccess.errorMessage }, 'otlp spans rejected');
      if (!proto) return { status: 200, contentType: 'application/json', body: JSON.stringify(response) };
      const bytes = ExportTraceServiceResponse.encode(ExportTraceServiceResponse.create(response)).finish();
      return { status: 200, contentType: 'application/x-protobuf', body: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
    },
  };
}
