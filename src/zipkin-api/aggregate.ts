/**
 * The aggregations behind the Zipkin v2 name, dependency and autocomplete endpoints, as pure
 * functions over traces so any store backend (or a test) can feed them.
 *
 * Names are lowercased because Zipkin lowercases service and span names on ingest, and its UI
 * sends them back lowercase as filters. Lists are sorted by UTF-16 code unit, as Zipkin's
 * `Collections.sort` does.
 */
import { tagValue } from '../model/index.js';
import type { Span } from '../model/index.js';
import { buildTree, findHops, remoteServiceOf, traceMatcher, workloadOf } from '../traces/index.js';
import type { StoredTrace } from '../traces/index.js';
import type { TimeWindow } from './params.js';

/** Most values `/autocompleteValues` returns; high-cardinality tags would otherwise list every request. */
export const MAX_AUTOCOMPLETE_VALUES = 1000;

/** A Zipkin `DependencyLink`: calls from one service to another in a time window. */
export interface DependencyLink {
  readonly parent: string;
  readonly child: string;
  readonly callCount: number;
  readonly errorCount: number;
}

function localService(s: Span): string | undefined {
  const name = s.localEndpoint?.serviceName;
  return name ? name.toLowerCase() : undefined;
}

function sortedUnique(values: Set<string>): string[] {
  return [...values].sort();
}

/** Every local service name (`GET /api/v2/services`). */
export function serviceNames(traces: Iterable<StoredTrace>): string[] {
  const out = new Set<string>();
  for (const t of traces) {
    for (const s of t.spans) {
      const name = localService(s);
      if (name !== undefined) out.add(name);
    }
  }
  return sortedUnique(out);
}

/** Calls `visit` for each span whose local service is `serviceName` (case-insensitive). */
function forServiceSpans(traces: Iterable<StoredTrace>, serviceName: string, visit: (s: Span) => void): void {
  const wanted = serviceName.toLowerCase();
  for (const t of traces) {
    for (const s of t.spans) if (localService(s) === wanted) visit(s);
  }
}

/** Span names of one service (`GET /api/v2/spans`). */
export function spanNames(traces: Iterable<StoredTrace>, serviceName: string): string[] {
  const out = new Set<string>();
  forServiceSpans(traces, serviceName, (s) => {
    if (s.name !== '') out.add(s.name.toLowerCase());
  });
  return sortedUnique(out);
}

/**
 * Remote services one service talks to (`GET /api/v2/remoteServices`). Uses the same
 * {@link remoteServiceOf} as the `remoteServiceName` filter, so every name listed finds traces.
 */
export function remoteServiceNames(traces: Iterable<StoredTrace>, serviceName: string): string[] {
  const out = new Set<string>();
  forServiceSpans(traces, serviceName, (s) => {
    const remote = remoteServiceOf(s);
    if (remote) out.add(remote);
  });
  return sortedUnique(out);
}

/** The service a dependency link names for a span: its local service, else its mesh workload. */
function linkName(s: Span): string {
  return localService(s) ?? workloadOf(s).toLowerCase();
}

/**
 * Service dependency links (`GET /api/v2/dependencies`) from the CLIENT→SERVER hops of the traces
 * that started in the window. A hop is one call; it is an error when either side reports one,
 * since Envoy marks a failed upstream call on the client span and an app failure on the server.
 */
export function dependencyLinks(traces: Iterable<StoredTrace>, window: TimeWindow): DependencyLink[] {
  // The window test is the store's own, so /dependencies and /traces agree on what is "in range".
  const inWindow = traceMatcher({ ...window, limit: Number.MAX_SAFE_INTEGER });
  const links = new Map<string, { parent: string; child: string; callCount: number; errorCount: number }>();
  for (const t of traces) {
    if (!inWindow(t)) continue;
    // findHops on a bare tree: viewTrace would also compute clock-skew offsets we do not need.
    const { hops } = findHops(t.spans, buildTree(t.spans));
    for (const hop of hops) {
      const client = t.spans[hop.clientIndex]!;
      const server = t.spans[hop.serverIndex]!;
      const parent = linkName(client);
      const child = linkName(server);
      const key = `${parent}\u0000${child}`;
      let link = links.get(key);
      if (link === undefined) {
        link = { parent, child, callCount: 0, errorCount: 0 };
        links.set(key, link);
      }
      link.callCount++;
      if (client.error || server.error) link.errorCount++;
    }
  }
  return [...links.values()].sort((a, b) => compare(a.parent, b.parent) || compare(a.child, b.child));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Distinct values of one tag across all spans (`GET /api/v2/autocompleteValues`), sorted.
 * Collection stops at `max` distinct values, so a high-cardinality key costs bounded memory;
 * which values make the cut then depends on trace order (oldest settled first).
 */
export function autocompleteValues(traces: Iterable<StoredTrace>, key: string, max = MAX_AUTOCOMPLETE_VALUES): string[] {
  const out = new Set<string>();
  for (const t of traces) {
    for (const s of t.spans) {
      const v = tagValue(s, key);
      if (v === undefined || v === '') continue;
      out.add(v);
      if (out.size >= max) return sortedUnique(out);
    }
  }
  return sortedUnique(out);
}
