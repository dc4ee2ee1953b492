/**
 * Trace-start rates per workload from meshtrace's propagation report
 * (`GET /api/propagation/report?window=5m`). A gateway starts a trace per sampled inbound request;
 * an originator (no inbound requests: cron jobs, consumers) per sampled outbound call; a service
 * starts none, except the calls where it drops the trace headers.
 */
import type { PropagationReport } from '../propagation-audit/index.js';
import type { WorkloadRate } from './reconcile-types.js';

/** namespace → workload → rate. */
export type MeshRates = ReadonlyMap<string, ReadonlyMap<string, WorkloadRate>>;

export function ratesFromReport(report: PropagationReport): MeshRates {
  const seconds = Math.max(1, (Date.parse(report.window.to) - Date.parse(report.window.from)) / 1000);
  const out = new Map<string, Map<string, WorkloadRate>>();
  for (const w of report.workloads) {
    const rootCalls = w.gaps.confirmed + w.gaps.inferred + w.gaps.unattributed;
    const started = w.role === 'gateway' ? w.requests : w.role === 'originator' ? w.calls : rootCalls;
    let ns = out.get(w.namespace);
    if (ns === undefined) out.set(w.namespace, ns = new Map<string, WorkloadRate>());
    ns.set(w.workload, { role: w.role, tracesPerSecond: started / seconds, rootCalls });
  }
  return out;
}

export async function fetchRates(baseUrl: string, window: string, headers: Record<string, string> = {}): Promise<MeshRates> {
  const url = new URL('/api/propagation/report', baseUrl);
  url.searchParams.set('window', window);
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${url.toString()} answered ${res.status}`);
  return ratesFromReport(await res.json() as PropagationReport);
}
