/**
 * Hops: each CLIENT span paired with the SERVER span it caused, caller workload → callee
 * workload, with both sides' durations and the difference (network, queueing and proxy time).
 */
import type { Span } from '../model/index.js';
import type { SpanTree } from './tree.js';

export interface Hop {
  readonly clientIndex: number;
  readonly serverIndex: number;
  /** Caller's workload (mesh identity) or service name. */
  readonly caller: string;
  readonly callee: string;
  readonly callerNamespace: string | undefined;
  readonly calleeNamespace: string | undefined;
  readonly clientDurationUs: number;
  readonly serverDurationUs: number;
  /** Client time minus server time: what the network and the proxies took. */
  readonly gapUs: number;
}

/** The workload a span belongs to: its mesh workload, else its service name, else `unknown`. */
export function workloadOf(span: Span): string {
  return span.mesh?.workload ?? span.localEndpoint?.serviceName ?? 'unknown';
}

export function findHops(spans: readonly Span[], tree: SpanTree): { hops: Hop[]; unpairedClients: number } {
  const hops: Hop[] = [];
  let unpairedClients = 0;
  for (let i = 0; i < spans.length; i++) {
    const client = spans[i]!;
    if (client.kind !== 'CLIENT') continue;
    const serverIndex = tree.children[i]!.find((c) => spans[c]!.kind === 'SERVER');
    if (serverIndex === undefined) {
      unpairedClients++;
      continue;
    }
    const server = spans[serverIndex]!;
    hops.push({
      clientIndex: i,
      serverIndex,
      caller: workloadOf(client),
      callee: workloadOf(server),
      callerNamespace: client.mesh?.namespace,
      calleeNamespace: server.mesh?.namespace,
      clientDurationUs: client.durationUs,
      serverDurationUs: server.durationUs,
      gapUs: client.durationUs - server.durationUs,
    });
  }
  return { hops, unpairedClients };
}
