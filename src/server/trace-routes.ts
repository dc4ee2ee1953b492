/**
 * `GET /api/traces/:traceId`: one trace with its stitching: spans (Zipkin shape), tree, hops
 * with client/server times, clock-skew offsets for display, and warnings.
 * `?stitched=true` adds back the fragments the propagation audit grafted onto it (or, asked for a
 * fragment, shows the family it belongs to), each grafted root marked with method and confidence.
 */
import type { FastifyInstance } from 'fastify';
import type { Span } from '../model/index.js';
import { parseHexTraceId } from '../model/index.js';
import { stitchTrace } from '../propagation-audit/index.js';
import type { Graft, LiveAudit } from '../propagation-audit/index.js';
import { settleTrace, viewTrace } from '../traces/index.js';
import type { StoredTrace, TraceReader } from '../traces/index.js';
import { toZipkinSpan } from '../zipkin-api/index.js';

export interface TraceRouteOptions {
  readonly reader: TraceReader;
  readonly audit?: LiveAudit;
}

function render(trace: StoredTrace, extra?: { originalTraceIds: string[]; grafts: (Graft | undefined)[]; fragments: string[] }): unknown {
  const view = viewTrace(trace);
  return {
    traceId: trace.traceId,
    startUs: trace.startUs,
    durationUs: trace.endUs - trace.startUs,
    spans: trace.spans.map((s: Span, i) => ({
      ...toZipkinSpan(s),
      parentIndex: view.tree.parent[i],
      skewOffsetUs: view.skewOffsets[i],
      workload: s.mesh?.workload,
      namespace: s.mesh?.namespace,
      proxyRole: s.mesh?.role,
      ...(extra === undefined ? {} : { originalTraceId: extra.originalTraceIds[i], graft: extra.grafts[i] }),
    })),
    roots: view.tree.roots,
    orphans: view.tree.orphans,
    hops: view.hops,
    unpairedClients: view.unpairedClients,
    warnings: view.warnings,
    ...(extra === undefined ? {} : { stitched: true, fragments: extra.fragments }),
  };
}

export function traceRoutes(app: FastifyInstance, opts: TraceRouteOptions): Promise<void> {
  app.get<{ Params: { traceId: string }; Querystring: { stitched?: string } }>('/api/traces/:traceId', async (request, reply) => {
    const parsed = parseHexTraceId(request.params.traceId);
    if (parsed === undefined) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'traceId must be 16 or 32 hex characters' });
    const stitchedParam = request.query.stitched;
    if (stitchedParam !== undefined && stitchedParam !== 'true' && stitchedParam !== 'false') {
      return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'stitched must be true or false' });
    }
    const trace = opts.reader.get(parsed.traceId);
    if (trace === undefined) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `trace ${parsed.traceId} not found` });
    if (stitchedParam !== 'true' || opts.audit === undefined) return render(trace);
    const stitched = stitchTrace(trace.traceId, (id) => opts.reader.get(id)?.spans, opts.audit.grafts());
    if (stitched === undefined) return render(trace);
    return render(settleTrace(stitched.traceId, stitched.spans, trace.settledAtMs), stitched);
  });
  return Promise.resolve();
}
