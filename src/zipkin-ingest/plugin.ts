/**
 * `POST /api/v2/spans`: Zipkin v2 JSON or proto3, optionally gzip-compressed. Answers 202, which
 * is the only status Envoy counts as success (ENVOY-ISTIO.md §1.4).
 */
import type { Logger } from 'pino';
import {
  contentEncoding, decodeContentEncoding, ingest, isProtobuf, parseJsonBody, refusalAnswer, rejectionSummary,
} from '../ingest/index.js';
import type { DecodeContext, IngestDeps, RawRoute } from '../ingest/index.js';
import { ZipkinPayloadError, decodeZipkinJson } from './decode-json.js';
import { decodeZipkinProto } from './decode-proto.js';

export interface ZipkinIngestOptions {
  readonly deps: IngestDeps;
  readonly ctx: DecodeContext;
  readonly logger: Logger;
}

const isZipkinPayloadError = (err: unknown): err is Error => err instanceof ZipkinPayloadError;

export function zipkinSpansRoute(opts: ZipkinIngestOptions): RawRoute {
  const { deps, ctx, logger } = opts;
  return {
    path: '/api/v2/spans',
    handle: (raw, headers) => {
      const proto = isProtobuf(headers['content-type']);
      const encoding = contentEncoding(headers['content-encoding']);
      const outcome = ingest(deps, proto ? 'zipkin-proto' : 'zipkin-json', raw.length, () => {
        const body = decodeContentEncoding(raw, encoding, deps.limits.maxBodyBytes);
        return proto ? decodeZipkinProto(body, ctx) : decodeZipkinJson(parseJsonBody(body), ctx);
      }, isZipkinPayloadError);
      if (!outcome.ok) {
        logger.warn({ reason: outcome.reason, detail: outcome.message }, 'zipkin batch refused');
        return refusalAnswer(outcome);
      }
      const { batch } = outcome;
      if (batch.rejected.length === 0) return { status: 202 };
      const message = rejectionSummary(batch);
      logger.warn({ detail: message }, 'zipkin spans rejected');
      // Nothing usable at all is a client error; otherwise keep what was good and say what was not.
      return {
        status: batch.spans.length === 0 ? 400 : 202,
        contentType: 'application/json',
        body: JSON.stringify({ accepted: batch.spans.length, rejected: batch.rejected.length, message }),
      };
    },
  };
}
