import { describe, expect, it } from 'vitest';
import { IngestStats } from '../ingest/index.js';
import { PropagationAuditor } from '../propagation-audit/index.js';
import type { LiveAudit, PropagationReport } from '../propagation-audit/index.js';
import { buildMetrics } from './prometheus.js';

const workload = (i: number) => ({
  namespace: 'shop', workload: `w${i}`, role: 'service', verdict: 'breaks-propagation', gapRatio: 1 / (i + 1),
  gaps: { confirmed: i, inferred: 0, deadEnds: 0, unattributed: 0 },
});
const edge = (i: number) => ({ from: `shop/w${i}`, to: `shop/x${i}`, calls: 10, gapRatio: 1 / (i + 1) });

function metrics(maxWorkloads: number, workloads: number): Promise<string> {
  const report = { mesh: { propagationScore: 0.5 }, workloads: Array.from({ length: workloads }, (_, i) => workload(i)), edges: Array.from({ length: workloads * 3 }, (_, i) => edge(i)) } as unknown as PropagationReport;
  const audit = { analysis: () => ({ report, grafts: [] }) } as unknown as LiveAudit;
  const registry = buildMetrics({
    ingest: new IngestStats(),
    buffer: () => ({ bufferedTraces: 0, bufferedSpans: 0, settledTraces: 0, lateSpans: 0, refusedBatches: 0 }),
    store: () => ({ traces: 0, spans: 0, evictedTraces: { retention: 0, capacity: 0 }, evictedSpans: { retention: 0, capacity: 0 } }),
    limits: { maxBufferedSpans: 1, maxStoredSpans: 1 }, tagsLimited: () => 0, tagsRedacted: () => 0,
    auditor: new PropagationAuditor(), audit, auditEnabled: true, auditWindowUs: 1, maxWorkloads,
  });
  return registry.metrics();
}

const series = (text: string, name: string): number => text.split('\n').filter((l) => l.startsWith(`${name}{`)).length;

describe('/metrics cardinality', () => {
  it('keeps per-workload series for the worst maxWorkloads workloads and twice as many edges', async () => {
    const text = await metrics(3, 10);
    expect(series(text, 'meshtrace_workload_gap_ratio')).toBe(3);
    expect(series(text, 'meshtrace_workload_gaps')).toBe(3 * 4);
    expect(series(text, 'meshtrace_edge_gap_ratio')).toBe(6);
    expect(series(text, 'meshtrace_edge_calls')).toBe(6);
    expect(text).toContain('meshtrace_workload_gap_ratio{namespace="shop",workload="w0",verdict="breaks-propagation"} 1');
    expect(text).not.toContain('workload="w3"');
  });

  it('shows every workload when there are fewer than the cap', async () => {
    expect(series(await metrics(200, 4), 'meshtrace_workload_gap_ratio')).toBe(4);
  });
});
