/**
 * What the read APIs see: settled traces from the store plus traces still in the buffer,
 * so a trace can be looked up the moment its spans arrive.
 */
import type { TraceAssembler } from './assembler.js';
import { traceMatcher } from './query.js';
import type { TraceQuery } from './query.js';
import type { TraceStore } from './store.js';
import type { StoredTrace } from './trace.js';

export interface TraceReader {
  /** One trace by normalized (32 hex) id, settled or not. */
  get(traceId: string): StoredTrace | undefined;
  /** Traces matching a query, newest first, settled and unsettled. */
  query(q: TraceQuery): StoredTrace[];
  /** Every trace, settled first, then unsettled. */
  all(): Iterable<StoredTrace>;
}

export class BufferedStoreReader implements TraceReader {
  readonly #store: TraceStore;
  readonly #assembler: TraceAssembler;

  constructor(store: TraceStore, assembler: TraceAssembler) {
    this.#store = store;
    this.#assembler = assembler;
  }

  get(traceId: string): StoredTrace | undefined {
    return this.#store.get(traceId) ?? this.#assembler.peek(traceId);
  }

  query(q: TraceQuery): StoredTrace[] {
    const settled = this.#store.query(q);
    const matches = traceMatcher(q);
    const pending = [...this.#assembler.pendingTraces()].filter(matches);
    if (pending.length === 0) return settled;
    return [...settled, ...pending].sort((a, b) => b.startUs - a.startUs).slice(0, q.limit);
  }

  *all(): Iterable<StoredTrace> {
    yield* this.#store.traces();
    yield* this.#assembler.pendingTraces();
  }
}
