/**
 * Zipkin's trace search semantics as a pure predicate, shared by every store backend.
 * @see https://zipkin.io/zipkin-api/#/default/get_traces
 */
import { tagValue } from '../model/index.js';
import type { Span } from '../model/index.js';
import type { StoredTrace } from './trace.js';

export interface TraceQuery {
  /** Lowercase service name a span must have as its local endpoint. */
  readonly serviceName?: string | undefined;
  /** Lowercase remote service name (remote endpoint, or the callee for mesh CLIENT spans). */
  readonly remoteServiceName?: string | undefined;
  /** Lowercase span name. */
  readonly spanName?: string | undefined;
  /** Zipkin's `annotationQuery`: terms joined by ` and `; `key=value` matches a tag, `key` a tag key or annotation. */
  readonly annotationQuery?: string | undefined;
  readonly minDurationUs?: number | undefined;
  readonly maxDurationUs?: number | undefined;
  /** Window end, epoch ms. */
  readonly endTsMs: number;
  /** Window length, ms. */
  readonly lookbackMs: number;
  /** Most traces returned, newest first. */
  readonly limit: number;
  /** Only traces with at least one error span (Zipkin `error` tag or OTLP status ERROR). */
  readonly errorOnly?: boolean | undefined;
}

interface Term { key: string; value: string | undefined }

export function parseAnnotationQuery(q: string | undefined): Term[] {
  if (q === undefined || q.trim() === '') return [];
  return q.split(/\s+and\s+/i).map((t) => t.trim()).filter((t) => t !== '').map((t) => {
    const eq = t.indexOf('=');
    return eq === -1 ? { key: t, value: undefined } : { key: t.slice(0, eq), value: t.slice(eq + 1) };
  });
}

/** The remote service of a span: its remote endpoint, or for a mesh CLIENT span the called host's first label. */
export function remoteServiceOf(s: Span): string | undefined {
  const remote = s.remoteEndpoint?.serviceName;
  if (remote !== undefined) return remote.toLowerCase();
  const host = s.kind === 'CLIENT' ? s.mesh?.upstreamHost : undefined;
  return host?.toLowerCase();
}

function termMatches(s: Span, term: Term): boolean {
  const v = tagValue(s, term.key);
  if (term.value !== undefined) return v === term.value;
  return v !== undefined || (s.annotations?.some((a) => a.value === term.key) ?? false);
}

function spanMatches(s: Span, q: TraceQuery, terms: Term[]): boolean {
  if (q.serviceName !== undefined && s.localEndpoint?.serviceName?.toLowerCase() !== q.serviceName) return false;
  if (q.spanName !== undefined && s.name.toLowerCase() !== q.spanName) return false;
  if (q.remoteServiceName !== undefined && remoteServiceOf(s) !== q.remoteServiceName) return false;
  if (q.minDurationUs !== undefined && s.durationUs < q.minDurationUs) return false;
  if (q.maxDurationUs !== undefined && s.durationUs > q.maxDurationUs) return false;
  return terms.every((t) => termMatches(s, t));
}

/** A predicate for one query; parse once, test many traces. */
export function traceMatcher(q: TraceQuery): (t: StoredTrace) => boolean {
  const terms = parseAnnotationQuery(q.annotationQuery);
  const fromUs = (q.endTsMs - q.lookbackMs) * 1000;
  const toUs = q.endTsMs * 1000;
  const spanLevel = q.serviceName !== undefined || q.spanName !== undefined || q.remoteServiceName !== undefined
    || terms.length > 0 || q.minDurationUs !== undefined || q.maxDurationUs !== undefined;
  return (t) => {
    if (t.startUs !== 0 && (t.startUs < fromUs || t.startUs > toUs)) return false;
    if (q.errorOnly === true && !t.spans.some((s) => s.error)) return false;
    return !spanLevel || t.spans.some((s) => spanMatches(s, q, terms));
  };
}
