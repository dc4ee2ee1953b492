/**
 * Duplicate-span merging, as Zipkin's `Trace.merge` does: the same span reported twice (a retry,
 * or a sender that reports start and finish separately) becomes one span. Client and server halves
 * that share an id (Zipkin `shared`) are different kinds and are kept apart.
 */
import { compactSpan, spanFields } from '../model/index.js';
import type { Span } from '../model/index.js';

function mergeKey(s: Span): string {
  return `${s.id}|${s.kind ?? ''}|${s.localEndpoint?.serviceName ?? ''}`;
}

/** Whether two spans are reports of the same span (the pairwise form of {@link mergeKey}). */
function sameSpan(a: Span, b: Span): boolean {
  return a.id === b.id && a.kind === b.kind && a.localEndpoint?.serviceName === b.localEndpoint?.serviceName;
}

function mergeOwnTags(a: readonly string[], b: readonly string[]): readonly string[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out = a.slice();
  for (let i = 0; i < b.length; i += 2) {
    let found = false;
    for (let j = 0; j < a.length; j += 2) if (a[j] === b[i]) { found = true; break; }
    if (!found) out.push(b[i]!, b[i + 1]!);
  }
  return out;
}

function mergeTwo(a: Span, b: Span): Span {
  const annotations = a.annotations === undefined ? b.annotations
    : b.annotations === undefined ? a.annotations
    : [...a.annotations, ...b.annotations.filter((x) => !a.annotations!.some((y) => y.timestampUs === x.timestampUs && y.value === x.value))];
  return compactSpan({
    ...spanFields(a),
    parentId: a.parentId ?? b.parentId,
    name: a.name !== '' ? a.name : b.name,
    timestampUs: a.timestampUs !== 0 ? Math.min(a.timestampUs, b.timestampUs || a.timestampUs) : b.timestampUs,
    durationUs: Math.max(a.durationUs, b.durationUs),
    localEndpoint: a.localEndpoint ?? b.localEndpoint,
    remoteEndpoint: a.remoteEndpoint ?? b.remoteEndpoint,
    ownTags: mergeOwnTags(a.ownTags, b.ownTags),
    annotations,
    shared: a.shared || b.shared,
    debug: a.debug || b.debug,
    error: a.error || b.error,
    statusCode: Math.max(a.statusCode, b.statusCode) as Span['statusCode'],
    requestId: a.requestId ?? b.requestId,
    httpStatus: a.httpStatus ?? b.httpStatus,
    responseFlags: a.responseFlags ?? b.responseFlags,
  });
}

/**
 * Whether any span was reported twice. Small traces (the common case) are checked pairwise, which
 * is cheaper than building a keyed map for every settled trace; client and server halves sharing
 * an id (every Envoy hop with the Zipkin provider) are not duplicates and must not force the map.
 */
function hasDuplicates(spans: readonly Span[]): boolean {
  if (spans.length > 32) return new Set(spans.map(mergeKey)).size !== spans.length;
  for (let i = 1; i < spans.length; i++) {
    const s = spans[i]!;
    for (let j = 0; j < i; j++) if (sameSpan(spans[j]!, s)) return true;
  }
  return false;
}

/** Spans with duplicates merged, in first-seen order; `merged` counts the spans folded away. */
export function mergeDuplicates(spans: readonly Span[]): { spans: Span[]; merged: number } {
  if (!hasDuplicates(spans)) return { spans: spans as Span[], merged: 0 };
  const byKey = new Map<string, number>();
  const out: Span[] = [];
  for (const s of spans) {
    const key = mergeKey(s);
    const at = byKey.get(key);
    if (at === undefined) {
      byKey.set(key, out.length);
      out.push(s);
    } else {
      out[at] = mergeTwo(out[at]!, s);
    }
  }
  return { spans: out, merged: spans.length - out.length };
}
