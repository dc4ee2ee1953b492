/** Per-minute history of one workload: sampled requests, calls, and calls that lost their context. */
import type { PropagationAuditor } from './auditor.js';
import { MINUTE } from './counts.js';
import type { ReportQuery } from './report.js';

export interface TrendPoint {
  readonly minute: string;
  readonly requests: number;
  readonly calls: number;
  readonly gaps: number;
  readonly gapRatio: number;
}

export function workloadTrend(auditor: PropagationAuditor, key: string, q: ReportQuery): TrendPoint[] {
  const facts = auditor.workloads.get(key);
  if (facts === undefined) return [];
  const requests = facts.inbound.series(q.fromUs, q.toUs);
  const calls = new Array<number>(requests.length).fill(0);
  for (const counts of facts.parentedCalls.values()) counts.series(q.fromUs, q.toUs).forEach((n, i) => { calls[i]! += n; });
  const gaps = new Array<number>(requests.length).fill(0);
  const firstMinute = Math.floor(q.fromUs / MINUTE);
  // Roots of an originator are not gaps; the report decides the role, the trend follows it.
  const judged = requests.some((n) => n > 0);
  for (const podKey of facts.pods) {
    for (const r of auditor.pods.get(podKey)?.rootsBetween(q.fromUs, q.toUs) ?? []) {
      if (r.workload !== key) continue;
      const i = Math.floor(r.startUs / MINUTE) - firstMinute;
      if (i < 0 || i >= calls.length) continue;
      calls[i]!++;
      if (judged && !facts.gateway) gaps[i]!++;
    }
  }
  return requests.map((n, i) => ({
    minute: new Date((firstMinute + i) * (MINUTE / 1000)).toISOString(),
    requests: n, calls: calls[i]!, gaps: gaps[i]!, gapRatio: calls[i] === 0 ? 0 : gaps[i]! / calls[i]!,
  }));
}
