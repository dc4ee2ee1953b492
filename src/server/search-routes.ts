/**
 * Trace search for the dashboard, on the meshtrace HTTP port (the page never talks to another
 * origin):
 *   GET /api/search?traceId=&service=&operation=&minDuration=&maxDuration=&error=true&window=1h&limit=20
 *   GET /api/services
 * Durations are microseconds, as in Zipkin's API. Results are summaries, newest first; the
 * trace itself comes from `/api/traces/:traceId`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { parseDuration } from '../config/index.js';
import type { Span } from '../model/index.js';
import type { StoredTrace, TraceQuery, TraceReader } from '../traces/index.js';
import { serviceNames } from '../zipkin-api/aggregate.js';
import { ParamError, parseTraceIdParam } from '../zipkin-api/params.js';

export interface SearchRouteOptions {
  readonly reader: TraceReader;
  readonly now: () => number;
}

export interface TraceSummary {
  readonly traceId: string;
  readonly rootService: string | undefined;
  readonly rootName: string;
  readonly startUs: number;
  readonly durationUs: number;
  readonly spanCount: number;
  readonly errorCount: number;
  readonly services: string[];
}

const MAX_LIMIT = 1000;
const MAX_WINDOW_MS = 7 * 24 * 3_600_000;
const KNOWN = new Set(['traceId', 'service', 'operation', 'minDuration', 'maxDuration', 'error', 'window', 'limit']);

type Query = Readonly<Record<string, unknown>>;

function text(q: Query, name: string, maxLength = 256): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ParamError(`${name} must be given once`);
  const trimmed = v.trim();
  if (trimmed.length > maxLength) throw new ParamError(`${name} is longer than ${maxLength} characters`);
  return trimmed === '' ? undefined : trimmed;
}

function integer(q: Query, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = text(q, name);
  if (v === undefined) return undefined;
  const n = /^[0-9]+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new ParamError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v)}`);
  return n;
}

/** `window`, ms: a duration up to a week, an hour by default. */
function windowOf(q: Query): number {
  const raw = text(q, 'window');
  const ms = raw === undefined ? 3_600_000 : parseDuration(raw);
  if (ms === undefined || ms <= 0 || ms > MAX_WINDOW_MS) throw new ParamError(`window must be a duration such as 15m or 1h (at most 7d), got ${JSON.stringify(raw)}`);
  return ms;
}

function durations(q: Query): { minDurationUs: number | undefined; maxDurationUs: number | undefined } {
  const minDurationUs = integer(q, 'minDuration', 0);
  const maxDurationUs = integer(q, 'maxDuration', 0);
  if (minDurationUs !== undefined && maxDurationUs !== undefined && maxDurationUs < minDurationUs) throw new ParamError('maxDuration must not be less than minDuration');
  return { minDurationUs, maxDurationUs };
}

/** The search parameters as a store query; every problem is a ParamError naming the parameter. */
export function parseSearch(raw: unknown, nowMs: number): { traceId?: string; query: TraceQuery } {
  const q: Query = typeof raw === 'object' && raw !== null ? (raw as Query) : {};
  const unknown = Object.keys(q).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) throw new ParamError(`unknown parameter ${unknown[0]}; expected one of ${[...KNOWN].join(', ')}`);
  const error = text(q, 'error');
  if (error !== undefined && error !== 'true' && error !== 'false') throw new ParamError('error must be true or false');
  const { minDurationUs, maxDurationUs } = durations(q);
  const traceIdText = text(q, 'traceId', 64);
  return {
    ...(traceIdText === undefined ? {} : { traceId: parseTraceIdParam(traceIdText).traceId }),
    query: {
      serviceName: text(q, 'service')?.toLowerCase(),
      spanName: text(q, 'operation')?.toLowerCase(),
      minDurationUs, maxDurationUs,
      errorOnly: error === 'true',
      endTsMs: nowMs, lookbackMs: windowOf(q),
      limit: integer(q, 'limit', 1, MAX_LIMIT) ?? 20,
    },
  };
}

/** The trace's root: a span without a parent, else one whose parent never arrived, else the first. */
function rootOf(t: StoredTrace): Span | undefined {
  const ids = new Set(t.spans.map((s) => s.id));
  return t.spans.find((s) => s.parentId === undefined) ?? t.spans.find((s) => !ids.has(s.parentId!)) ?? t.spans[0];
}

const serviceOf = (s: Span | undefined): string | undefined => s?.mesh?.workload ?? s?.localEndpoint?.serviceName;

export function summarize(t: StoredTrace): TraceSummary {
  const root = rootOf(t);
  const services = new Set<string>();
  for (const s of t.spans) {
    const name = serviceOf(s);
    if (name !== undefined) services.add(name);
  }
  return {
    traceId: t.traceId,
    rootService: serviceOf(root),
    rootName: root?.name ?? '',
    startUs: t.startUs,
    durationUs: t.endUs - t.startUs,
    spanCount: t.spans.length,
    errorCount: t.spans.filter((s) => s.error).length,
    services: [...services].sort(),
  };
}

function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message });
}

export function searchRoutes(app: FastifyInstance, opts: SearchRouteOptions): Promise<void> {
  app.get('/api/search', async (request, reply) => {
    let parsed: ReturnType<typeof parseSearch>;
    try {
      parsed = parseSearch(request.query, opts.now());
    } catch (err) {
      if (err instanceof ParamError) return badRequest(reply, err.message);
      throw err;
    }
    if (parsed.traceId !== undefined) {
      const trace = opts.reader.get(parsed.traceId);
      return { traces: trace === undefined ? [] : [summarize(trace)] };
    }
    return { traces: opts.reader.query(parsed.query).map(summarize) };
  });
  app.get('/api/services', async () => ({ services: serviceNames(opts.reader.all()) }));
  return Promise.resolve();
}
