/**
 * One trace as the waterfall shows it: spans in tree order (depth first, children by start),
 * each with its clock-skew-corrected start, the hop it ends, and what marks it as a break in
 * propagation. Pure and linear in the number of spans, so a 10,000-span trace lays out at once.
 */
import type { Graft, Hop, TraceSpan, TraceView } from '../api/types.js';

export type BreakKind =
  /** Stitched view: a fragment's root hung back under the request it came from. */
  | 'graft'
  /** A span whose parent never arrived. */
  | 'orphan'
  /** The trace itself starts at a sidecar's outbound call: the app dropped the trace context. */
  | 'split-root';

export interface Row {
  /** Index into `view.spans`. */
  readonly index: number;
  readonly depth: number;
  /** Epoch µs, corrected for clock skew. */
  readonly startUs: number;
  readonly durationUs: number;
  readonly hasChildren: boolean;
  /** Index of the parent row in `rows`, -1 at the top. */
  readonly parentRow: number;
  /** Position among its siblings (1-based) and their number, for assistive technology. */
  readonly position: number;
  readonly siblings: number;
  readonly mark: BreakKind | undefined;
  /** Stitched view: the span came from a fragment, not from the trace at the top. */
  readonly fromFragment: boolean;
  /** The hop this span is the server side of: `gapUs` is the network time before it. */
  readonly hop: Hop | undefined;
}

export interface BreakPoint {
  readonly kind: BreakKind;
  readonly row: number;
  readonly graft: Graft | undefined;
}

export interface TraceModel {
  readonly rows: Row[];
  readonly startUs: number;
  readonly endUs: number;
  readonly breaks: BreakPoint[];
  readonly services: number;
}

function childrenOf(spans: readonly TraceSpan[]): number[][] {
  const children: number[][] = spans.map(() => []);
  spans.forEach((s, i) => {
    if (s.parentIndex >= 0 && s.parentIndex < spans.length && s.parentIndex !== i) children[s.parentIndex]!.push(i);
  });
  return children;
}

/** Display starts: own timestamp plus skew offset; a span without one starts with its parent. */
function displayStarts(spans: readonly TraceSpan[], order: readonly number[], fallbackUs: number): Float64Array {
  const starts = new Float64Array(spans.length);
  for (const i of order) {
    const s = spans[i]!;
    const parent = s.parentIndex >= 0 ? starts[s.parentIndex] : undefined;
    starts[i] = s.timestamp !== undefined && s.timestamp > 0 ? s.timestamp + (s.skewOffsetUs || 0) : parent ?? fallbackUs;
  }
  return starts;
}

function markOf(s: TraceSpan, isRoot: boolean, isOrphan: boolean): BreakKind | undefined {
  if (s.graft !== undefined) return 'graft';
  if (isOrphan) return 'orphan';
  if (isRoot && s.kind === 'CLIENT' && s.proxyRole === 'sidecar-outbound') return 'split-root';
  return undefined;
}

/** Tree order: true roots, then orphans, then anything a corrupt parent link left unreached. */
interface TreeOrder {
  readonly order: number[];
  readonly depth: Int32Array;
  readonly parentRow: Int32Array;
  readonly position: Int32Array;
  readonly siblings: Int32Array;
}

function treeOrder(view: TraceView, children: readonly number[][], startOf: (i: number) => number): TreeOrder {
  const n = view.spans.length;
  const t: TreeOrder = { order: [], depth: new Int32Array(n), parentRow: new Int32Array(n), position: new Int32Array(n), siblings: new Int32Array(n) };
  const rowOf = new Int32Array(n).fill(-1);
  const valid = (i: number): boolean => Number.isInteger(i) && i >= 0 && i < n;
  const tops = new Set([...view.roots, ...view.orphans].filter(valid));
  for (let i = 0; i < n; i++) if (view.spans[i]!.parentIndex < 0) tops.add(i);
  const visit = (top: number): void => {
    const stack = [top];
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (rowOf[i] !== -1) continue;
      rowOf[i] = t.order.length;
      t.order.push(i);
      const kids = [...children[i]!].sort((a, b) => startOf(a) - startOf(b));
      kids.forEach((c, k) => {
        t.depth[c] = t.depth[i]! + 1;
        t.parentRow[c] = rowOf[i]!;
        t.position[c] = k + 1;
        t.siblings[c] = kids.length;
      });
      // Pushed latest first, so the earliest child comes out (and is shown) first.
      for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]!);
    }
  };
  const visitTop = (top: number, k: number, count: number): void => {
    if (rowOf[top] !== -1) return;
    t.parentRow[top] = -1;
    t.position[top] = k + 1;
    t.siblings[top] = count;
    visit(top);
  };
  [...tops].forEach((top, k) => visitTop(top, k, tops.size));
  // Anything a corrupt parent link left unreached still gets a row.
  for (let i = 0; i < n; i++) visitTop(i, 0, 1);
  return t;
}

export function buildTraceModel(view: TraceView): TraceModel {
  const { spans } = view;
  const children = childrenOf(spans);
  // Starts need parents first: the raw timestamp order is good enough for sorting children.
  const raw = (i: number): number => (spans[i]!.timestamp ?? 0) + (spans[i]!.skewOffsetUs || 0);
  const { order, depth, parentRow, position, siblings } = treeOrder(view, children, raw);
  const starts = displayStarts(spans, order, view.startUs);
  const hopByServer = new Map(view.hops.map((h) => [h.serverIndex, h]));
  const roots = new Set(view.roots);
  const orphans = new Set(view.orphans);
  const rows: Row[] = [];
  const breaks: BreakPoint[] = [];
  const services = new Set<string>();
  let startUs = Number.POSITIVE_INFINITY;
  let endUs = Number.NEGATIVE_INFINITY;
  for (const i of order) {
    const s = spans[i]!;
    const start = starts[i]!;
    const duration = Math.max(0, s.duration ?? 0);
    startUs = Math.min(startUs, start);
    endUs = Math.max(endUs, start + duration);
    services.add(s.workload ?? s.localEndpoint?.serviceName ?? 'unknown');
    const mark = markOf(s, roots.has(i), orphans.has(i));
    if (mark !== undefined) breaks.push({ kind: mark, row: rows.length, graft: s.graft });
    rows.push({
      index: i, depth: depth[i]!, startUs: start, durationUs: duration, hasChildren: children[i]!.length > 0,
      parentRow: parentRow[i]!, position: position[i]!, siblings: siblings[i]!, mark, fromFragment: s.originalTraceId !== undefined && s.originalTraceId !== view.traceId, hop: hopByServer.get(i),
    });
  }
  if (rows.length === 0) startUs = endUs = view.startUs;
  return { rows, startUs, endUs, breaks, services: services.size };
}

/** The rows left when the subtrees under `collapsed` rows are folded away. */
export function visibleRows(rows: readonly Row[], collapsed: ReadonlySet<number>): number[] {
  const out: number[] = [];
  let hideDeeperThan = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    if (row.depth > hideDeeperThan) continue;
    hideDeeperThan = collapsed.has(r) ? row.depth : Number.POSITIVE_INFINITY;
    out.push(r);
  }
  return out;
}
