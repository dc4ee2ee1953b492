/**
 * Memory: equal strings a trace's spans each hold a copy of are swapped for one shared instance
 * as spans join their trace. A million buffered spans hold millions of such strings, so each
 * copy saved is tens of megabytes. Values never change, so the spans' immutability holds.
 */
import type { Span } from '../model/index.js';

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Makes a span share its trace's id string instead of holding an equal copy (48 bytes a span).
 * `traceId` is equal by value: it is the map key that found the trace.
 */
export function shareTraceId(span: Span, traceId: string): void {
  (span as Writable<Span>).traceId = traceId;
}

/**
 * Spans of one trace usually carry the same `guid:x-request-id` (apps forward it): let them share
 * the first span's instance of it (`id`, kept with the pending trace so the first span need not
 * be read) instead of each holding an equal copy (56 bytes a span).
 */
export function shareRequestId(span: Span, id: string | undefined): void {
  if (id === undefined || span.requestId !== id) return;
  (span as Writable<Span>).requestId = id;
  const own = span.ownTags as string[];
  for (let i = 0; i < own.length; i += 2) {
    if (own[i] === 'guid:x-request-id') { own[i + 1] = id; return; }
  }
}

/** A digest that stands for no id (a root's parent): any value will do, a false match is only checked. */
const NO_ID = 0x7fff;

/** 15 bits of a span id (its last four characters, hashed): equal ids have equal digests. */
function idDigest(id: string | undefined): number {
  if (id === undefined) return NO_ID;
  const n = id.length;
  // charCodeAt past either end is NaN, which the mask turns into 0: still a function of the id.
  return (((id.charCodeAt(n - 1) * 31 + id.charCodeAt(n - 2)) * 31 + id.charCodeAt(n - 3)) * 31 + id.charCodeAt(n - 4)) & 0x7fff;
}

/**
 * A span's id and parent id digests in one small integer, kept beside it in its trace's buffer so
 * that {@link shareSpanIds} skips the spans whose ids cannot match without reading them.
 */
export function spanIdDigests(span: Span): number {
  return (idDigest(span.id) << 15) | idDigest(span.parentId);
}

/**
 * A span's parent id is another span's id: nearly every span of a trace holds a copy of an id the
 * trace already has (32 bytes each). Shares them both ways with the spans already in the trace:
 * the new span's parent id (or, for Zipkin's shared client/server halves, its id) takes the
 * earlier span's instance, and earlier spans whose parent is the new span take its id.
 *
 * `digests` holds {@link spanIdDigests} of each span of `trace`, and `mine` the new span's. The
 * trace's spans arrived in other batches and sit all over the heap; reading each one's ids to
 * compare them was most of the cost of adding a span to its trace. Only spans whose digests match
 * are read.
 */
export function shareSpanIds(span: Span, mine: number, trace: readonly Span[], digests: readonly number[]): void {
  const s = span as Writable<Span>;
  const myId = mine >> 15;
  const myParent = mine & 0x7fff;
  for (let i = 0; i < trace.length; i++) {
    const d = digests[i]!;
    const otherId = d >> 15;
    if (otherId !== myParent && otherId !== myId && (d & 0x7fff) !== myId) continue;
    const other = trace[i]! as Writable<Span>;
    if (s.parentId !== undefined && other.id === s.parentId) s.parentId = other.id;
    if (other.id === s.id) s.id = other.id;
    if (other.parentId !== undefined && other.parentId === s.id) other.parentId = s.id;
  }
}
