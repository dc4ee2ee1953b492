/**
 * Grafts as OTLP span links (OTLP/JSON, hex ids): for each grafted fragment root, a link from it
 * to the inbound span it was hung under, so other tools can join the trace the same way.
 */
import type { Graft } from './report.js';

export function graftsAsOtlpLinks(grafts: readonly Graft[]): unknown {
  return {
    resourceSpans: [{
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'meshtrace' } }] },
      scopeSpans: [{
        scope: { name: 'meshtrace.propagation-audit' },
        spans: grafts.map((g) => ({
          traceId: g.orphanTraceId,
          spanId: g.orphanSpanId,
          name: `graft ${g.workload} -> ${g.callee}`,
          kind: 3,
          links: [{
            traceId: g.parentTraceId,
            spanId: g.parentSpanId,
            attributes: [
              { key: 'meshtrace.graft.method', value: { stringValue: g.method } },
              { key: 'meshtrace.graft.confidence', value: { doubleValue: g.confidence } },
            ],
          }],
        })),
      }],
    }],
  };
}
