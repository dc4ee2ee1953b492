/**
 * `POST /api/v2/spans`: Zipkin v2 JSON or proto3, optionally gzip-compressed. Answers 202, which
 * is the only status Envoy counts as success (ENVOY-ISTIO.md §1.4).
 */
import type { Logger } from 'pino';
import { httpIngestRoute, rejectionSummary } from '../ingest/index.js';
import type { DecodeContext, IngestDeps, RawRoute } from '../ingest/index.js';
import { ZipkinPayloadError, decodeZipkinJson } from './decode-json.js';
import { decodeZipkinProto } from './decode-proto.js';
import { scanZipkinJson } from './json-scan.js';

export interface ZipkinIngestOptions {
  readonly deps: IngestDeps;
  readonly ctx: DecodeContext;
  readonly logger: Logger;
}

export function zipkinSpansRoute(opts: ZipkinIngestOptions): RawRoute {
  const { ctx, logger } = opts;
  return httpIngestRoute({
    path: '/api/v2/spans',
    deps: opts.deps,
    logger,
    protocols: { proto: 'zipkin-proto', json: 'zipkin-json' },
    decodeProto: (body) => decodeZipkinProto(body, ctx),
    decodeJson: (body) => decodeZipkinJson(body, ctx),
    decodeJsonBytes: (body) => scanZipkinJson(body, ctx),
    isPayloadError: (err): err is Error => err instanceof ZipkinPayloadError,
    accepted: (batch) => {
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
  });
}
