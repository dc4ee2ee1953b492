/** The propagation report as a terminal table: the breaking workloads first, then edges. */
import type { PropagationReport, WorkloadReport } from '../propagation-audit/index.js';

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function verdictCell(w: WorkloadReport): string {
  if (w.role !== 'service') return `${w.verdict} (${w.role})`;
  return w.verdict;
}

export function formatReport(report: PropagationReport): string {
  const out: string[] = [];
  out.push(`propagation score ${pct(report.mesh.propagationScore)} · ${report.mesh.breaking} of ${report.mesh.workloads} workloads break propagation · window ${report.window.from} .. ${report.window.to}`);
  for (const h of report.mesh.hints) out.push(`hint: ${h}`);
  if (report.workloads.length === 0) {
    out.push('', 'No sidecar spans yet. Point Istio at meshtrace (see the README) or run `meshtrace serve --demo`.');
    return out.join('\n') + '\n';
  }
  out.push('', table(
    ['WORKLOAD', 'VERDICT', 'GAP RATIO', 'CONFIRMED', 'INFERRED', 'DEAD ENDS', 'REQUESTS', 'CALLS'],
    report.workloads.map((w) => [
      `${w.namespace}/${w.workload}`, verdictCell(w), pct(w.gapRatio), String(w.gaps.confirmed), String(w.gaps.inferred),
      String(w.gaps.deadEnds), String(w.requests), String(w.calls),
    ]),
  ));
  const broken = report.edges.filter((e) => e.gaps > 0);
  if (broken.length > 0) {
    out.push('', table(['FROM', 'TO', 'CALLS', 'GAPS', 'GAP RATIO'], broken.map((e) => [e.from, e.to, String(e.calls), String(e.gaps), pct(e.gapRatio)])));
  }
  for (const w of report.workloads.filter((x) => x.verdict === 'breaks-propagation')) {
    out.push('', `${w.namespace}/${w.workload}: ${w.reason}`);
    for (const h of w.hints) out.push(`  fix: ${h}`);
    for (const e of w.evidence.slice(0, 3)) {
      const parent = e.parent === undefined ? '' : ` <- parent ${e.parent.traceId}/${e.parent.spanId} (${pct(e.confidence)})`;
      out.push(`  evidence: ${e.kind} trace ${e.traceId} span ${e.spanId}${e.requestId === undefined ? '' : ` x-request-id ${e.requestId}`}${parent}`);
    }
  }
  return out.join('\n') + '\n';
}
