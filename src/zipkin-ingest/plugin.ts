/**
 * `POST /api/v2/spans`: Zipkin v2 JSON or proto3, optionally gzip-compressed. Answers 202, which
 * is the only status Envoy counts as success (ENVOY-ISTIO.md §1.4).
 */
import type { FastifyInstance } from 'fastify';
import {
  decodeContentEncoding, ingest, isProtobuf, parseJsonBody, rawBodyParsers, rejectionSummary, sendRefusal,
} from '../ingest/index.js';
import type { DecodeContext, IngestDeps } from '../ingest/index.js';
import { ZipkinPayloadError, decodeZipkinJson } from './decode-json.js';
import { decodeZipkinProto } from './decode-proto.js';

export interface ZipkinIngestOptions {
  readonly deps: IngestDeps;
  readonly ctx: DecodeContext;
}

const isZipkinPayloadError = (err: unknown): err is Error => err instanceof ZipkinPayloadError;

export function zipkinIngest(app: FastifyInstance, opts: ZipkinIngestOptions): Promise<void> {
  const { deps, ctx } = opts;
  rawBodyParsers(app, deps.limits.maxBodyBytes);
  app.post('/api/v2/spans', async (request, reply) => {
    const raw = request.body as Buffer | undefined ?? Buffer.alloc(0);
    const proto = isProtobuf(request.headers['content-type']);
    const encoding = request.headers['content-encoding'];
    const outcome = ingest(deps, proto ? 'zipkin-proto' : 'zipkin-json', raw.length, () => {
      const body = decodeContentEncoding(raw, encoding, deps.limits.maxBodyBytes);
      return proto ? decodeZipkinProto(body, ctx) : decodeZipkinJson(parseJsonBody(body), ctx);
    }, isZipkinPayloadError);
    if (!outcome.ok) {
      request.log.warn({ reason: outcome.reason, detail: outcome.message }, 'zipkin batch refused');
      return sendRefusal(reply, outcome);
    }
    const { batch } = outcome;
    if (batch.rejected.length === 0) return reply.code(202).send();
    const summary = rejectionSummary(batch);
    request.log.warn({ detail: summary }, 'zipkin spans rejected');
    // Nothing usable at all is a client error; otherwise keep what was good and say what was not.
    const status = batch.spans.length === 0 ? 400 : 202;
    return reply.code(status).send({ accepted: batch.spans.length, rejected: batch.rejected.length, message: summary });
  });
  return Promise.resolve();
}
