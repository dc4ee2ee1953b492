/** What the HTTP ingest routes share: content negotiation, inflation, limits, refusals. */
import type { Logger } from 'pino';
import type { DecodedBatch } from '../model/index.js';
import { decodeContentEncoding, parseJsonBody } from './body.js';
import { ingest } from './pipeline.js';
import type { IngestDeps, IngestOutcome, IsPayloadError } from './pipeline.js';
import { jsonAnswer } from './raw-http.js';
import type { IngestAnswer, RawRoute } from './raw-http.js';
import type { IngestProtocol } from './stats.js';

/** A refusal with its status, a JSON reason and, for 429, a Retry-After hint. */
export function refusalAnswer(outcome: Extract<IngestOutcome, { ok: false }>): IngestAnswer {
  const headers = outcome.retryAfterSeconds !== undefined ? { 'retry-after': String(outcome.retryAfterSeconds) } : undefined;
  return jsonAnswer(outcome.status, outcome.reason, outcome.message, headers);
}

/** True when a Content-Type names protobuf (media types are case-insensitive, RFC 9110). */
export function isProtobuf(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.toLowerCase().includes('protobuf');
}

/** The Content-Encoding header value, lowercased (codings are case-insensitive, RFC 9110). */
export function contentEncoding(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v?.trim().toLowerCase();
}

export interface HttpIngestRouteOptions {
  readonly path: string;
  readonly deps: IngestDeps;
  readonly logger: Logger;
  /** Stats protocol for protobuf and for JSON bodies. */
  readonly protocols: { readonly proto: IngestProtocol; readonly json: IngestProtocol };
  readonly decodeProto: (body: Buffer) => DecodedBatch;
  readonly decodeJson: (body: unknown) => DecodedBatch;
  /**
   * Decodes a JSON body straight from its bytes, or returns undefined to have it parsed and given
   * to `decodeJson` (for bodies the fast reader does not handle, including malformed ones).
   */
  readonly decodeJsonBytes?: (body: Buffer) => DecodedBatch | undefined;
  readonly isPayloadError: IsPayloadError;
  /** The answer once the batch was taken (rejected spans may be in it). */
  readonly accepted: (batch: DecodedBatch, proto: boolean) => IngestAnswer;
}

/** An ingest endpoint taking protobuf or JSON, optionally compressed, under the ingest limits. */
export function httpIngestRoute(opts: HttpIngestRouteOptions): RawRoute {
  const { deps, logger } = opts;
  return {
    path: opts.path,
    handle: (raw, headers) => {
      const proto = isProtobuf(headers['content-type']);
      const encoding = contentEncoding(headers['content-encoding']);
      const outcome = ingest(deps, proto ? opts.protocols.proto : opts.protocols.json, raw.length, () => {
        const body = decodeContentEncoding(raw, encoding, deps.limits.maxBodyBytes);
        if (proto) return opts.decodeProto(body);
        return opts.decodeJsonBytes?.(body) ?? opts.decodeJson(parseJsonBody(body));
      }, opts.isPayloadError);
      if (!outcome.ok) {
        logger.warn({ path: opts.path, reason: outcome.reason, detail: outcome.message }, 'ingest request refused');
        return refusalAnswer(outcome);
      }
      return opts.accepted(outcome.batch, proto);
    },
  };
}
