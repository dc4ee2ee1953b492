/**
 * OTLP/HTTP `POST /v1/traces` with protobuf (what Envoy sends) or JSON bodies, gzip optional.
 * Answers 200 with an ExportTraceServiceResponse in the request's encoding; rejected spans are
 * reported in `partial_success` as the OTLP spec asks.
 * @see https://opentelemetry.io/docs/specs/otlp/#otlphttp
 */
import type { Logger } from 'pino';
import { httpIngestRoute, rejectionSummary } from '../ingest/index.js';
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

/** The full-success response, encoded once: nearly every request gets it. */
const EMPTY_RESPONSE = Buffer.from(ExportTraceServiceResponse.encode(ExportTraceServiceResponse.create({})).finish());

/** The response message as protobuf bytes. */
export function encodedResponse(batch: DecodedBatch): Buffer {
  if (batch.rejected.length === 0) return EMPTY_RESPONSE;
  const bytes = ExportTraceServiceResponse.encode(ExportTraceServiceResponse.create(exportResponse(batch))).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function otlpTracesRoute(opts: OtlpIngestOptions): RawRoute {
  const { ctx, logger } = opts;
  return httpIngestRoute({
    path: '/v1/traces',
    deps: opts.deps,
    logger,
    protocols: { proto: 'otlp-proto', json: 'otlp-json' },
    decodeProto: (body) => decodeOtlpProto(body, ctx, 'otlp-proto'),
    decodeJson: (body) => decodeOtlpJson(body, ctx),
    isPayloadError: isOtlpPayloadError,
    accepted: (batch, proto) => {
      const response = exportResponse(batch);
      if (response.partialSuccess !== undefined) logger.warn({ detail: response.partialSuccess.errorMessage }, 'otlp spans rejected');
      if (!proto) return { status: 200, contentType: 'application/json', body: JSON.stringify(response) };
      return { status: 200, contentType: 'application/x-protobuf', body: encodedResponse(batch) };
    },
  });
}
