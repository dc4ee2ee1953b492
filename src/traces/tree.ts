/**
 * Builds the span tree of one trace. Orphans (parent never received), several roots, cycles in
 * parent links and shared client/server halves are data, reported as warnings, never errors.
 */
import type { Span } from '../model/index.js';

export type TraceWarningCode = 'orphan' | 'multiple-roots' | 'cycle' | 'clock-skew' | 'duplicates-merged' | 'late-spans';

export interface TraceWarning {
  readonly code: TraceWarningCode;
  readonly spanId: string | undefined;
  readonly message: string;
}

export interface SpanTree {
  /** Parent index of each span (by position in `spans`), -1 for roots and orphans. */
  readonly parent: Int32Array;
  /** Children indexes of each span, in start-time order. */
  readonly children: readonly number[][];
  /** Spans without a parent in the trace: true roots first, then orphans. */
  readonly roots: readonly number[];
  readonly orphans: readonly number[];
  readonly warnings: TraceWarning[];
}

/** The span a child points at: for an id shared by a client and a server half, the server half. */
function resolveParent(spans: readonly Span[], candidates: number[] | undefined, self: number): number {
  if (candidates === undefined) return -1;
  let best = -1;
  for (const c of candidates) {
    if (c === self) continue;
    if (best === -1 || (spans[c]!.kind === 'SERVER' && spans[best]!.kind !== 'SERVER')) best = c;
  }
  return best;
}

function parentOf(spans: readonly Span[], byId: Map<string, number[]>, i: number): number {
  const s = spans[i]!;
  // A shared SERVER half (Zipkin shared_span_context) hangs under the CLIENT half with its id.
  if (s.kind === 'SERVER') {
    const sameId = byId.get(s.id);
    if (sameId !== undefined && sameId.length > 1) {
      const client = sameId.find((c) => c !== i && spans[c]!.kind === 'CLIENT');
      if (client !== undefined) return client;
    }
  }
  return s.parentId === undefined ? -1 : resolveParent(spans, byId.get(s.parentId), i);
}

/** Breaks parent-link cycles (hostile or corrupt data) so every walk terminates. */
function breakCycles(parent: Int32Array, warnings: TraceWarning[], spans: readonly Span[]): void {
  const state = new Uint8Array(parent.length); // 0 unvisited, 1 on current path, 2 done
  for (let start = 0; start < parent.length; start++) {
    const path: number[] = [];
    let i = start;
    while (i !== -1 && state[i] === 0) {
      state[i] = 1;
      path.push(i);
      i = parent[i]!;
    }
    if (i !== -1 && state[i] === 1) {
      warnings.push({ code: 'cycle', spanId: spans[i]!.id, message: `parent links form a cycle at span ${spans[i]!.id}; cut there` });
      parent[i] = -1;
    }
    for (const p of path) state[p] = 2;
  }
}

export function buildTree(spans: readonly Span[]): SpanTree {
  const byId = new Map<string, number[]>();
  spans.forEach((s, i) => {
    const list = byId.get(s.id);
    if (list === undefined) byId.set(s.id, [i]);
    else list.push(i);
  });
  const parent = new Int32Array(spans.length);
  for (let i = 0; i < spans.length; i++) parent[i] = parentOf(spans, byId, i);
  const warnings: TraceWarning[] = [];
  breakCycles(parent, warnings, spans);
  const children: number[][] = spans.map(() => []);
  const roots: number[] = [];
  const orphans: number[] = [];
  for (let i = 0; i < spans.length; i++) {
    const p = parent[i]!;
    if (p !== -1) children[p]!.push(i);
    else if (spans[i]!.parentId !== undefined) orphans.push(i);
    else roots.push(i);
  }
  const byStart = (a: number, b: number): number => spans[a]!.timestampUs - spans[b]!.timestampUs;
  for (const c of children) if (c.length > 1) c.sort(byStart);
  roots.sort(byStart);
  orphans.sort(byStart);
  for (const o of orphans) {
    warnings.push({ code: 'orphan', spanId: spans[o]!.id, message: `parent ${spans[o]!.parentId!} of span ${spans[o]!.id} was not received` });
  }
  if (roots.length > 1) {
    warnings.push({ code: 'multiple-roots', spanId: undefined, message: `${roots.length} spans have no parent` });
  }
  return { parent, children, roots, orphans, warnings };
}
