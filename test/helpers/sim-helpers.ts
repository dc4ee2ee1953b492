/** Shared by the simulator's tests: a run's spans indexed the ways the tests look them up. */
import type { SimBatch, SimSpan } from '../../src/simulator/types.js';

export const START_US = 1_700_000_000_000_000;

export interface Indexed {
  readonly spans: SimSpan[];
  readonly byId: Map<string, SimSpan>;
  readonly byTrace: Map<string, SimSpan[]>;
}

export function indexSpans(batches: readonly SimBatch[]): Indexed {
  const spans = batches.flatMap((b) => b.spans);
  const byId = new Map<string, SimSpan>();
  const byTrace = new Map<string, SimSpan[]>();
  for (const s of spans) {
    byId.set(`${s.traceId}/${s.id}`, s);
    const list = byTrace.get(s.traceId);
    if (list === undefined) byTrace.set(s.traceId, [s]);
    else list.push(s);
  }
  return { spans, byId, byTrace };
}

export const isGateway = (s: SimSpan): boolean => s.tags['node_id']!.startsWith('router~');
export const workloadOf = (s: SimSpan): string => s.tags['istio.canonical_service']!;
