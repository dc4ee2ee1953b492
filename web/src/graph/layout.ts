/**
 * A deterministic layered layout for the service graph: callers left, callees right, each
 * workload in the column of its longest call chain from an entry point. Cycles are cut at the
 * edges a depth-first walk finds going back, and those edges are drawn as arcs below the nodes.
 * Pure: same input, same picture, no randomness, no DOM.
 */

export const NODE_W = 168;
export const NODE_H = 44;
const GAP_X = 140;
const GAP_Y = 28;
const PAD = 24;

export interface LayoutEdgeInput { readonly from: string; readonly to: string }

export interface PlacedNode { readonly key: string; readonly x: number; readonly y: number; readonly layer: number }

export interface PlacedEdge {
  readonly from: string;
  readonly to: string;
  /** SVG path of the edge; `bent` is the same edge bowed aside, for a second line along it. */
  readonly path: string;
  readonly bent: string;
  /** Where a label sits: the middle of the curve. */
  readonly labelX: number;
  readonly labelY: number;
}

export interface GraphLayout {
  readonly nodes: PlacedNode[];
  readonly edges: PlacedEdge[];
  readonly width: number;
  readonly height: number;
}

/** Edges a depth-first walk (sources first, in name order) finds pointing back up its path. */
function backEdges(keys: readonly string[], out: ReadonlyMap<string, string[]>, indegree: ReadonlyMap<string, number>): Set<string> {
  const state = new Map<string, 1 | 2>(); // 1: on the current path, 2: done
  const back = new Set<string>();
  const starts = [...keys.filter((k) => indegree.get(k) === 0), ...keys];
  for (const start of starts) {
    if (state.has(start)) continue;
    // Iterative, so a long call chain cannot overflow the stack.
    const stack: { key: string; next: number }[] = [{ key: start, next: 0 }];
    state.set(start, 1);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const targets = out.get(top.key) ?? [];
      if (top.next >= targets.length) {
        state.set(top.key, 2);
        stack.pop();
        continue;
      }
      const to = targets[top.next++]!;
      const s = state.get(to);
      if (s === 1) back.add(`${top.key}\u0000${to}`);
      else if (s === undefined) {
        state.set(to, 1);
        stack.push({ key: to, next: 0 });
      }
    }
  }
  return back;
}

/** Longest-path layer of each node over the acyclic edges (Kahn's order). */
function layersOf(keys: readonly string[], dag: readonly LayoutEdgeInput[]): Map<string, number> {
  const layer = new Map(keys.map((k) => [k, 0]));
  const indeg = new Map(keys.map((k) => [k, 0]));
  const out = new Map<string, string[]>();
  for (const e of dag) {
    indeg.set(e.to, (indeg.get(e.to) ?? 0) + 1);
    out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  }
  const queue = keys.filter((k) => indeg.get(k) === 0);
  for (let i = 0; i < queue.length; i++) {
    const k = queue[i]!;
    for (const to of out.get(k) ?? []) {
      layer.set(to, Math.max(layer.get(to)!, layer.get(k)! + 1));
      indeg.set(to, indeg.get(to)! - 1);
      if (indeg.get(to) === 0) queue.push(to);
    }
  }
  return layer;
}

/** Orders each column by the mean row of the node's callers, so edges cross less. */
function orderColumns(keys: readonly string[], layer: ReadonlyMap<string, number>, dag: readonly LayoutEdgeInput[]): string[][] {
  const columns: string[][] = [];
  for (const k of keys) (columns[layer.get(k)!] ??= []).push(k);
  const row = new Map<string, number>();
  const callers = new Map<string, string[]>();
  for (const e of dag) callers.set(e.to, [...(callers.get(e.to) ?? []), e.from]);
  for (const column of columns) {
    if (column === undefined) continue;
    const weight = (k: string): number => {
      const rows = (callers.get(k) ?? []).map((c) => row.get(c)).filter((r): r is number => r !== undefined);
      return rows.length === 0 ? Number.MAX_SAFE_INTEGER : rows.reduce((a, b) => a + b, 0) / rows.length;
    };
    column.sort((a, b) => weight(a) - weight(b) || a.localeCompare(b));
    column.forEach((k, i) => row.set(k, i));
  }
  return columns.filter((c) => c !== undefined);
}

interface Curve { readonly path: string; readonly mx: number; readonly my: number; readonly maxY: number }

function curve(a: PlacedNode, b: PlacedNode, bend: number): Curve {
  if (b.layer > a.layer) {
    const x1 = a.x + NODE_W;
    const y1 = a.y + NODE_H / 2;
    const x2 = b.x;
    const y2 = b.y + NODE_H / 2;
    const dx = (x2 - x1) / 2;
    return { path: `M${x1},${y1} C${x1 + dx},${y1 + bend} ${x2 - dx},${y2 + bend} ${x2},${y2}`, mx: (x1 + x2) / 2, my: (y1 + y2) / 2 + bend * 0.75, maxY: Math.max(y1, y2) + bend };
  }
  // Backwards, same column or a self call: an arc under the nodes.
  const x1 = a.x + NODE_W / 2 + (a === b ? -20 : 0);
  const x2 = b.x + NODE_W / 2 + (a === b ? 20 : 0);
  const y1 = a.y + NODE_H;
  const y2 = b.y + NODE_H;
  const drop = 36 + Math.abs(x2 - x1) / 6 + bend;
  const low = Math.max(y1, y2) + drop;
  // A cubic with both control points at `low` peaks three quarters of the way down to them.
  return { path: `M${x1},${y1} C${x1},${low} ${x2},${low} ${x2},${y2}`, mx: (x1 + x2) / 2, my: low - drop / 4, maxY: low };
}

export function layoutGraph(nodeKeys: Iterable<string>, edges: readonly LayoutEdgeInput[]): GraphLayout {
  const keySet = new Set(nodeKeys);
  for (const e of edges) keySet.add(e.from).add(e.to);
  const keys = [...keySet].sort();
  const out = new Map<string, string[]>();
  const indegree = new Map(keys.map((k) => [k, 0]));
  for (const e of [...edges].sort((x, y) => x.from.localeCompare(y.from) || x.to.localeCompare(y.to))) {
    out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
    if (e.from !== e.to) indegree.set(e.to, indegree.get(e.to)! + 1);
  }
  const back = backEdges(keys, out, indegree);
  const dag = edges.filter((e) => e.from !== e.to && !back.has(`${e.from}\u0000${e.to}`));
  const layer = layersOf(keys, dag);
  const columns = orderColumns(keys, layer, dag);
  const tallest = Math.max(1, ...columns.map((c) => c.length));
  const placed = new Map<string, PlacedNode>();
  columns.forEach((column, l) => {
    const offset = ((tallest - column.length) * (NODE_H + GAP_Y)) / 2;
    column.forEach((key, i) => placed.set(key, { key, layer: l, x: PAD + l * (NODE_W + GAP_X), y: PAD + offset + i * (NODE_H + GAP_Y) }));
  });
  let bottom = PAD + tallest * NODE_H + (tallest - 1) * GAP_Y;
  const placedEdges = edges.map((e) => {
    const a = placed.get(e.from)!;
    const b = placed.get(e.to)!;
    const main = curve(a, b, 0);
    const bent = curve(a, b, 18);
    bottom = Math.max(bottom, main.maxY, bent.maxY);
    return { from: e.from, to: e.to, path: main.path, bent: bent.path, labelX: main.mx, labelY: main.my };
  });
  return {
    nodes: [...placed.values()],
    edges: placedEdges,
    width: PAD * 2 + columns.length * NODE_W + Math.max(0, columns.length - 1) * GAP_X,
    height: Math.ceil(bottom) + PAD,
  };
}
