/**
 * Fastify glue shared by the HTTP ingest routes: raw-body content-type parsers bounded by the
 * body limit, and one way to answer an ingest outcome.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { IngestOutcome } from './pipeline.js';

/**
 * Replaces the instance's body parsers with one that hands the raw bytes to the route, so the
 * route can inflate, bound and decode them itself (JSON and protobuf alike).
 */
export function rawBodyParsers(app: FastifyInstance, maxBodyBytes: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) => {
    done(null, body);
  });
}

/** Sends a refusal with its status, a JSON reason and, for 429, a Retry-After hint. */
export function sendRefusal(reply: FastifyReply, outcome: Extract<IngestOutcome, { ok: false }>): FastifyReply {
  if (outcome.retryAfterSeconds !== undefined) void reply.header('retry-after', String(outcome.retryAfterSeconds));
  return reply.code(outcome.status).send({ statusCode: outcome.status, error: outcome.reason, message: outcome.message });
}

/** True when a Content-Type names protobuf. */
export function isProtobuf(contentType: string | undefined): boolean {
  return contentType !== undefined && contentType.includes('protobuf');
}
