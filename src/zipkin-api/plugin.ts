/**
 * The Zipkin v2 read API as a fastify plugin, so Zipkin's UI (Lens) and Grafana's Zipkin data
 * source can browse meshtrace. Handlers only parse, delegate and serialize: the searching lives in
 * the TraceReader, the aggregations in ./aggregate.ts.
 *
 * Errors are plain text, as Zipkin sends them (its clients show the body as the message).
 * Register with `app.register(zipkinReadApi, { reader })` so the routes stay encapsulated.
 *
 * @see https://zipkin.io/zipkin-api/
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { traceIdAsSent } from '../model/index.js';
import type { StoredTrace, TraceReader } from '../traces/index.js';
import { autocompleteValues, dependencyLinks, remoteServiceNames, serviceNames, spanNames } from './aggregate.js';
import { ParamError, parseDependencyQuery, parseTraceIdParam, parseTraceIds, parseTraceQuery, requiredParam } from './params.js';
import { toZipkinSpan } from './to-zipkin.js';
import type { ZipkinSpanJson } from './to-zipkin.js';

/** Tag keys offered for autocompletion: the ones worth filtering mesh traces by. */
export const DEFAULT_AUTOCOMPLETE_KEYS: readonly string[] = [
  'http.method', 'http.status_code', 'response_flags', 'upstream_cluster', 'istio.canonical_service', 'istio.namespace', 'error',
];

export interface ZipkinReadApiOptions {
  readonly reader: TraceReader;
  /** Clock in epoch ms, for the default `endTs`; injected so tests control the window. */
  readonly now?: () => number;
  /** Keys listed by `/api/v2/autocompleteKeys` (Zipkin's `AUTOCOMPLETE_KEYS`). */
  readonly autocompleteKeys?: readonly string[];
}

type Handler = (request: FastifyRequest) => unknown;

/** Zipkin's 404 for an unknown trace; the message is its exact body. */
class TraceNotFoundError extends Error {
  override readonly name = 'TraceNotFoundError';
}

const TEXT = 'text/plain; charset=utf-8';

/** Wraps a handler: its result is the JSON body; parameter errors become 400s, unknown traces 404s. */
function route(handler: Handler): (request: FastifyRequest, reply: FastifyReply) => FastifyReply {
  return (request, reply) => {
    let body: unknown;
    try {
      body = handler(request);
    } catch (err) {
      const status = err instanceof ParamError ? 400 : err instanceof TraceNotFoundError ? 404 : 0;
      if (status === 0) throw err;
      return reply.code(status).type(TEXT).send((err as Error).message);
    }
    return reply.send(body);
  };
}

function traceJson(t: StoredTrace): ZipkinSpanJson[] {
  return t.spans.map(toZipkinSpan);
}

function pathTraceId(request: FastifyRequest): string {
  const params = request.params as Readonly<Record<string, string | undefined>>;
  return params['traceId'] ?? '';
}

/** Registers the routes. Returns a promise so fastify treats it as an async plugin. */
export function zipkinReadApi(app: FastifyInstance, opts: ZipkinReadApiOptions): Promise<void> {
  const { reader } = opts;
  const now = opts.now ?? Date.now;
  const autocompleteKeys = [...(opts.autocompleteKeys ?? DEFAULT_AUTOCOMPLETE_KEYS)];

  app.get('/api/v2/services', route(() => serviceNames(reader.all())));

  app.get('/api/v2/spans', route((req) => spanNames(reader.all(), requiredParam(req.query, 'serviceName'))));

  app.get('/api/v2/remoteServices', route((req) => remoteServiceNames(reader.all(), requiredParam(req.query, 'serviceName'))));

  app.get('/api/v2/traces', route((req) => reader.query(parseTraceQuery(req.query, now())).map(traceJson)));

  app.get('/api/v2/trace/:traceId', route((req) => {
    const id = parseTraceIdParam(pathTraceId(req));
    const trace = reader.get(id.traceId);
    // Zipkin's exact 404 body: the normalized id as requested, then "not found".
    if (trace === undefined || trace.spans.length === 0) throw new TraceNotFoundError(`${traceIdAsSent(id.traceId, id.bits)} not found`);
    return traceJson(trace);
  }));

  app.get('/api/v2/traceMany', route((req) => {
    const found: ZipkinSpanJson[][] = [];
    for (const id of parseTraceIds(req.query)) {
      const trace = reader.get(id);
      if (trace !== undefined && trace.spans.length > 0) found.push(traceJson(trace));
    }
    return found;
  }));

  app.get('/api/v2/dependencies', route((req) => dependencyLinks(reader.all(), parseDependencyQuery(req.query, now()))));

  app.get('/api/v2/autocompleteKeys', route(() => autocompleteKeys));

  app.get('/api/v2/autocompleteValues', route((req) => autocompleteValues(reader.all(), requiredParam(req.query, 'key'))));

  return Promise.resolve();
}
