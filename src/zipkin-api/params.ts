/**
 * Query parameters of the Zipkin v2 read API, parsed and validated. Every failure is a
 * {@link ParamError} whose message names the parameter, sent back as the 400 body.
 *
 * Semantics follow Zipkin's `QueryRequest`: names are lowercased, empty strings mean "absent",
 * `spanName=all` means no filter, times are epoch milliseconds, durations microseconds.
 * @see https://zipkin.io/zipkin-api/#/default/get_traces
 */
import { parseHexTraceId } from '../model/index.js';
import type { TraceIdParts } from '../model/index.js';
import type { TraceQuery } from '../traces/index.js';

/** Zipkin's `QUERY_LOOKBACK` default: one day, in ms. */
export const DEFAULT_LOOKBACK_MS = 86_400_000;
export const DEFAULT_LIMIT = 10;

/** A bad request parameter; its message is the 400 response body. */
export class ParamError extends Error {
  override readonly name = 'ParamError';
}

/** The parsed query string, as fastify hands it over (values are strings, or arrays when repeated). */
type Query = Readonly<Record<string, unknown>>;

function asQuery(raw: unknown): Query {
  return typeof raw === 'object' && raw !== null ? (raw as Query) : {};
}

/** One string value, or undefined when absent or empty (Zipkin treats `?serviceName=` as absent). */
function single(q: Query, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ParamError(`${name} must be given once`);
  const trimmed = v.trim();
  return trimmed === '' ? undefined : trimmed;
}

/** A required string parameter. */
export function requiredParam(raw: unknown, name: string): string {
  const v = single(asQuery(raw), name);
  if (v === undefined) throw new ParamError(`${name} is required`);
  return v;
}

function lower(q: Query, name: string): string | undefined {
  return single(q, name)?.toLowerCase();
}

/** A decimal integer ≥ `min`; rejects signs, fractions and exponents, which `Number()` would accept. */
function integer(q: Query, name: string, min: 0 | 1): number | undefined {
  const v = single(q, name);
  if (v === undefined) return undefined;
  const n = /^[0-9]+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw new ParamError(`${name} must be a ${min === 1 ? 'positive' : 'non-negative'} integer, got "${v}"`);
  }
  return n;
}

/** The `endTs`/`lookback` window of `/traces` and `/dependencies`. */
export interface TimeWindow {
  readonly endTsMs: number;
  readonly lookbackMs: number;
}

function window(q: Query, nowMs: number, endTsRequired: boolean): TimeWindow {
  const endTs = integer(q, 'endTs', 1);
  if (endTs === undefined && endTsRequired) throw new ParamError('endTs is required (epoch milliseconds)');
  return { endTsMs: endTs ?? nowMs, lookbackMs: integer(q, 'lookback', 1) ?? DEFAULT_LOOKBACK_MS };
}

/** `GET /api/v2/traces` parameters as a store query. */
export function parseTraceQuery(raw: unknown, nowMs: number): TraceQuery {
  const q = asQuery(raw);
  const spanName = lower(q, 'spanName');
  // Zero is accepted although Zipkin refuses it: "at least 0 µs" is a harmless no-op filter.
  const minDurationUs = integer(q, 'minDuration', 0);
  const maxDurationUs = integer(q, 'maxDuration', 0);
  if (minDurationUs !== undefined && maxDurationUs !== undefined && maxDurationUs < minDurationUs) {
    throw new ParamError(`maxDuration (${maxDurationUs}) must not be less than minDuration (${minDurationUs})`);
  }
  return {
    serviceName: lower(q, 'serviceName'),
    remoteServiceName: lower(q, 'remoteServiceName'),
    // The old Zipkin UI sends `all` for "any span name".
    spanName: spanName === 'all' ? undefined : spanName,
    annotationQuery: single(q, 'annotationQuery'),
    minDurationUs,
    maxDurationUs,
    ...window(q, nowMs, false),
    limit: integer(q, 'limit', 1) ?? DEFAULT_LIMIT,
  };
}

/** `GET /api/v2/dependencies` parameters; Zipkin requires `endTs` here. */
export function parseDependencyQuery(raw: unknown, nowMs: number): TimeWindow {
  return window(asQuery(raw), nowMs, true);
}

/**
 * A trace id from a path or list: 1–32 hex chars as Zipkin's `normalizeTraceId` accepts
 * (shorter ones left-padded), all zeros refused. The normalized id is the 32-hex store key.
 */
export function parseTraceIdParam(value: string, what = 'traceId'): TraceIdParts {
  const parts = parseHexTraceId(value.trim());
  if (parts === undefined) {
    throw new ParamError(`${what} "${value}" is not a trace id: expected 16 or 32 hex characters, not all zeros`);
  }
  return parts;
}

/** Cap on ids per `traceMany` call, as Zipkin splits at most 1000. */
const MAX_TRACE_IDS = 1000;

/** `traceIds` of `GET /api/v2/traceMany`: normalized 32-hex ids, duplicates dropped, order kept. */
export function parseTraceIds(raw: unknown): string[] {
  const list = single(asQuery(raw), 'traceIds');
  if (list === undefined) throw new ParamError('traceIds is required: a comma-separated list of trace ids');
  const ids = list.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length === 0) throw new ParamError('traceIds is empty: expected a comma-separated list of trace ids');
  if (ids.length > MAX_TRACE_IDS) throw new ParamError(`traceIds has ${ids.length} ids; at most ${MAX_TRACE_IDS} are allowed`);
  const out = new Set<string>();
  for (const id of ids) out.add(parseTraceIdParam(id, 'traceIds entry').traceId);
  return [...out];
}
