/**
 * The trace buffer: spans are grouped by trace id until the trace has been quiet for the settle
 * period (Envoy flushes every few seconds, so a trace's spans trickle in), then the trace is
 * settled into the store. Spans that arrive after that are merged into the stored trace.
 * The buffer is bounded: beyond `maxBufferedSpans` the sink refuses new batches (429) instead of
 * growing without limit.
 */
import type { Admission, Span, SpanSink } from '../model/index.js';
import type { TraceStore } from './store.js';
import { shareRequestId, shareSpanIds, shareTraceId, spanIdDigests } from './share.js';
import { settleTrace } from './trace.js';
import type { StoredTrace } from './trace.js';

export interface AssemblerOptions {
  /** Quiet time after a trace's last span before it settles, ms. Default 10,000. */
  readonly settleMs: number;
  /** Spans held unsettled at most; beyond it batches are refused. Default 200,000. */
  readonly maxBufferedSpans: number;
  /** A trace is settled regardless of activity once it has buffered this long, ms. Default 60,000. */
  readonly maxTraceAgeMs: number;
  readonly store: TraceStore;
  /** Clock in ms; injected so tests need no sleeps. */
  readonly now: () => number;
  /** Called with every trace as it settles (the propagation audit observes them here). */
  readonly onSettled?: (trace: StoredTrace) => void;
}

interface PendingTrace {
  readonly traceId: string;
  /** The first span's request id: see `shareRequestId`. */
  readonly requestId: string | undefined;
  spans: Span[];
  /** `spanIdDigests` of each span, in the same order: see `shareSpanIds`. */
  digests: number[];
  /** Times in deciseconds since the assembler started: small integers V8 stores unboxed. */
  readonly firstSeen: number;
  deadline: number;
}

/** Below this many spans a trace's array is grown to exact size: V8's push would reserve ~17 slots. */
const EXACT_GROWTH_LIMIT = 16;

function appended<T>(list: T[], item: T): T[] {
  if (list.length >= EXACT_GROWTH_LIMIT) {
    list.push(item);
    return list;
  }
  const grown = new Array<T>(list.length + 1);
  for (let i = 0; i < list.length; i++) grown[i] = list[i]!;
  grown[list.length] = item;
  return grown;
}

function appendSpan(p: PendingTrace, span: Span, digest: number): void {
  p.spans = appended(p.spans, span);
  p.digests = appended(p.digests, digest);
}

export interface AssemblerStats {
  readonly bufferedTraces: number;
  readonly bufferedSpans: number;
  readonly settledTraces: number;
  readonly lateSpans: number;
  readonly refusedBatches: number;
}

export class TraceAssembler implements SpanSink {
  readonly #options: AssemblerOptions;
  readonly #pending = new Map<string, PendingTrace>();
  #bufferedSpans = 0;
  #settledTraces = 0;
  #lateSpans = 0;
  #refusedBatches = 0;

  readonly #epochMs: number;

  constructor(options: AssemblerOptions) {
    this.#options = options;
    this.#epochMs = options.now();
  }

  admit(): Admission {
    if (this.#bufferedSpans < this.#options.maxBufferedSpans) return { ok: true };
    this.#refusedBatches++;
    return {
      ok: false,
      message: `trace buffer full (${this.#bufferedSpans} spans unsettled, limit ${this.#options.maxBufferedSpans})`,
      retryAfterSeconds: Math.max(1, Math.ceil(this.#options.settleMs / 1000)),
    };
  }

  accept(spans: readonly Span[]): void {
    const now = this.#tick();
    const deadline = now + Math.ceil(this.#options.settleMs / 100);
    let late: Map<string, Span[]> | undefined;
    // A sidecar's spans of one request (inbound SERVER, the outbound CLIENTs it caused) tend to
    // sit next to each other in its batch: those skip the lookup in the (large) pending map.
    let previous: PendingTrace | undefined;
    for (const span of spans) {
      const pending = previous !== undefined && previous.traceId === span.traceId ? previous : this.#pending.get(span.traceId);
      if (pending !== undefined) {
        const digest = spanIdDigests(span);
        shareTraceId(span, pending.traceId);
        shareRequestId(span, pending.requestId);
        shareSpanIds(span, digest, pending.spans, pending.digests);
        appendSpan(pending, span, digest);
        pending.deadline = deadline;
        previous = pending;
      } else if (this.#options.store.get(span.traceId) !== undefined) {
        late ??= new Map();
        const list = late.get(span.traceId);
        if (list === undefined) late.set(span.traceId, [span]);
        else list.push(span);
        continue;
      } else {
        previous = { traceId: span.traceId, requestId: span.requestId, spans: [span], digests: [spanIdDigests(span)], firstSeen: now, deadline };
        this.#pending.set(span.traceId, previous);
      }
      this.#bufferedSpans++;
    }
    if (late !== undefined) this.#mergeLate(late);
  }

  /** Deciseconds since this assembler was created. */
  #tick(): number {
    return Math.floor((this.#options.now() - this.#epochMs) / 100);
  }

  #mergeLate(late: Map<string, Span[]>): void {
    for (const [traceId, list] of late) {
      this.#options.store.appendLate(traceId, list);
      this.#lateSpans += list.length;
    }
  }

  /**
   * Settles every trace whose quiet period (or maximum age) has passed. A full scan of the
   * pending map: at most `maxBufferedSpans` entries once a second, a few milliseconds, and far
   * simpler than keeping a deadline-ordered index up to date on every span.
   */
  settleDue(): number {
    const now = this.#tick();
    const maxAge = Math.ceil(this.#options.maxTraceAgeMs / 100);
    const nowMs = this.#options.now();
    let settled = 0;
    for (const p of this.#pending.values()) {
      if (p.deadline <= now || now - p.firstSeen >= maxAge) {
        this.#settle(p, nowMs);
        settled++;
      }
    }
    return settled;
  }

  /** Settles everything now (graceful shutdown). */
  settleAll(): number {
    const now = this.#options.now();
    let settled = 0;
    for (const p of [...this.#pending.values()]) {
      this.#settle(p, now);
      settled++;
    }
    return settled;
  }

  /** An unsettled trace assembled on demand (the read API shows traces before they settle). */
  peek(traceId: string): StoredTrace | undefined {
    const p = this.#pending.get(traceId);
    return p === undefined ? undefined : settleTrace(traceId, p.spans, this.#options.now());
  }

  /** Every unsettled trace, assembled on demand. */
  *pendingTraces(): Iterable<StoredTrace> {
    const now = this.#options.now();
    for (const p of this.#pending.values()) yield settleTrace(p.traceId, p.spans, now);
  }

  stats(): AssemblerStats {
    return {
      bufferedTraces: this.#pending.size,
      bufferedSpans: this.#bufferedSpans,
      settledTraces: this.#settledTraces,
      lateSpans: this.#lateSpans,
      refusedBatches: this.#refusedBatches,
    };
  }

  #settle(p: PendingTrace, now: number): void {
    this.#pending.delete(p.traceId);
    this.#bufferedSpans -= p.spans.length;
    this.#settledTraces++;
    const trace = settleTrace(p.traceId, p.spans, now);
    this.#options.store.put(trace);
    this.#options.onSettled?.(trace);
  }
}
