/**
 * One ingest request, transport-agnostic: admission, size and batch limits, decoding, handing
 * spans to the sink, counting. HTTP routes and the gRPC service only translate its outcome.
 */
import type { DecodedBatch, SpanSink } from '../model/index.js';
import { BodyError } from './body.js';
import type { IngestProtocol, IngestStats, RefusalReason } from './stats.js';

export interface IngestLimits {
  /** Largest request body, before and after decompression, bytes. Default 5 MiB. */
  readonly maxBodyBytes: number;
  /** Most spans in one request; larger batches are refused whole. Default 10,000. */
  readonly maxSpansPerBatch: number;
}

export type IngestOutcome =
  | { readonly ok: true; readonly batch: DecodedBatch }
  | { readonly ok: false; readonly status: 400 | 413 | 415 | 429; readonly reason: RefusalReason; readonly message: string; readonly retryAfterSeconds?: number };

export interface IngestDeps {
  readonly sink: SpanSink;
  readonly stats: IngestStats;
  readonly limits: IngestLimits;
}

/** Identifies decoders' "whole payload is malformed" errors. */
export type IsPayloadError = (err: unknown) => err is Error;

const BODY_ERROR_REASON: Record<BodyError['statusCode'], RefusalReason> = { 400: 'malformed', 413: 'too-large', 415: 'unsupported' };

function refusal(status: 400 | 413 | 415 | 429, reason: RefusalReason, message: string): Extract<IngestOutcome, { ok: false }> {
  return { ok: false, status, reason, message };
}

/**
 * Runs `decode` under the limits and delivers its spans. Never throws for bad input: every
 * refusal comes back as an outcome with the right status and a reason.
 */
export function ingest(deps: IngestDeps, protocol: IngestProtocol, payloadBytes: number, decode: () => DecodedBatch, isPayloadError: IsPayloadError): IngestOutcome {
  const started = performance.now();
  const outcome = ingestTimed(deps, protocol, payloadBytes, decode, isPayloadError);
  deps.stats.observeLatency(protocol, (performance.now() - started) / 1000);
  return outcome;
}

function ingestTimed(deps: IngestDeps, protocol: IngestProtocol, payloadBytes: number, decode: () => DecodedBatch, isPayloadError: IsPayloadError): IngestOutcome {
  const admission = deps.sink.admit();
  if (!admission.ok) {
    deps.stats.recordRefusal(protocol, payloadBytes, 'buffer-full');
    return { ok: false, status: 429, reason: 'buffer-full', message: admission.message, retryAfterSeconds: admission.retryAfterSeconds };
  }
  let batch: DecodedBatch;
  try {
    batch = decode();
  } catch (err) {
    const outcome = err instanceof BodyError ? refusal(err.statusCode, BODY_ERROR_REASON[err.statusCode], err.message)
      : isPayloadError(err) ? refusal(400, 'malformed', err.message) : undefined;
    if (outcome === undefined) throw err;
    deps.stats.recordRefusal(protocol, payloadBytes, outcome.reason);
    return outcome;
  }
  const total = batch.spans.length + batch.rejected.length;
  if (total > deps.limits.maxSpansPerBatch) {
    deps.stats.recordRefusal(protocol, payloadBytes, 'too-many-spans');
    return refusal(413, 'too-many-spans', `batch has ${total} spans; the limit is ${deps.limits.maxSpansPerBatch} per request`);
  }
  deps.stats.recordBatch(protocol, payloadBytes, batch);
  if (batch.spans.length > 0) deps.sink.accept(batch.spans);
  return { ok: true, batch };
}

/** A short summary of rejected spans for responses and logs (first few messages). */
export function rejectionSummary(batch: DecodedBatch, max = 5): string {
  const shown = batch.rejected.slice(0, max).map((r) => r.message).join('; ');
  const more = batch.rejected.length > max ? ` (and ${batch.rejected.length - max} more)` : '';
  return `${batch.rejected.length} of ${batch.rejected.length + batch.spans.length} spans rejected: ${shown}${more}`;
}
