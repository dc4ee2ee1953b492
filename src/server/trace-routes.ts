/**
 * `GET /api/traces/:traceId`: one trace with its stitching: spans (Zipkin shape), tree, hops
 * with client/server times, clock-skew offsets for display, and warnings.
 */
import type { FastifyInstance } from 'fastify';
import { parseHexTraceId } from '../model/index.js';
import { viewTrace } from '../traces/index.js';
import type { TraceReader } from '../traces/index.js';
import { toZipkinSpan } from '../zipkin-api/index.js';

export function traceRoutes(app: FastifyInstance, opts: { reader: TraceReader }): Promise<void> {
  app.get<{ Params: { traceId: string } }>('/api/traces/:traceId', async (request, reply) => {
    const parsed = parseHexTraceId(request.params.traceId);
    if (parsed === undefined) return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message: 'traceId must be 16 or 32 hex characters' });
    const trace = opts.reader.get(parsed.traceId);
    if (trace === undefined) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `trace ${parsed.traceId} not found` });
    const view = viewTrace(trace);
    return {
      traceId: trace.traceId,
      startUs: trace.startUs,
      durationUs: trace.endUs - trace.startUs,
      spans: trace.spans.map((s, i) => ({
        ...toZipkinSpan(s),
        parentIndex: view.tree.parent[i],
        skewOffsetUs: view.skewOffsets[i],
        workload: s.mesh?.workload,
        namespace: s.mesh?.namespace,
        proxyRole: s.mesh?.role,
      })),
      roots: view.tree.roots,
      orphans: view.tree.orphans,
      hops: view.hops,
      unpairedClients: view.unpairedClients,
      warnings: view.warnings,
    };
  });
  return Promise.resolve();
}
