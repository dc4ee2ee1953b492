/** Helpers shared by the HTTP ingest routes. */
import type { IngestOutcome } from './pipeline.js';
import { jsonAnswer } from './raw-http.js';
import type { IngestAnswer } from './raw-http.js';

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
