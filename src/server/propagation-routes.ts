/**
 * The propagation report API on the meshtrace HTTP port:
 *   GET /api/propagation/report?window=15m&namespace=ns
 *   GET /api/propagation/workloads/:namespace/:workload?window=15m
 *   GET /api/propagation/grafts?window=1h&format=json|otlp
 * Every parameter is validated; a bad one is a 400 that says what was expected.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { parseDuration } from '../config/index.js';
import { graftsAsOtlpLinks, workloadKey, workloadTrend } from '../propagation-audit/index.js';
import type { LiveAudit } from '../propagation-audit/index.js';

export interface PropagationRouteOptions {
  readonly audit: LiveAudit;
  /** False when meshtrace runs with `--audit false`: every route then says so (404). */
  readonly enabled: boolean;
  /** Default report window, ms. */
  readonly defaultWindowMs: number;
}

interface WindowQuery { window?: string; namespace?: string; format?: string }

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
/** Longest window a report may cover: a week. */
const MAX_WINDOW_MS = 7 * 24 * 3_600_000;

function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message });
}

/** The window in µs, or a message saying what is wrong with it. */
function windowOf(q: WindowQuery, defaultMs: number): number | string {
  if (q.window === undefined) return defaultMs * 1000;
  const ms = parseDuration(q.window);
  if (ms === undefined || ms <= 0 || ms > MAX_WINDOW_MS) return `window must be a duration such as 15m, 1h or 2d (at most 7d), got ${JSON.stringify(q.window)}`;
  return ms * 1000;
}

export function propagationRoutes(app: FastifyInstance, opts: PropagationRouteOptions): Promise<void> {
  const { audit } = opts;
  if (!opts.enabled) {
    // An empty report would read as "no gaps": say plainly that nothing is being audited.
    const off = { statusCode: 404, error: 'Not Found', message: 'the propagation audit is off: this meshtrace runs with --audit false (MESHTRACE_AUDIT=false)' };
    // One route for the whole prefix, so a route added below is covered without being listed twice.
    app.get('/api/propagation/*', async (_request, reply) => reply.code(404).send(off));
    return Promise.resolve();
  }

  app.get<{ Querystring: WindowQuery }>('/api/propagation/report', async (request, reply) => {
    const window = windowOf(request.query, opts.defaultWindowMs);
    if (typeof window === 'string') return badRequest(reply, window);
    const ns = request.query.namespace;
    if (ns !== undefined && !NAME.test(ns)) return badRequest(reply, `namespace must be a Kubernetes name, got ${JSON.stringify(ns)}`);
    return audit.analysis(window, ns).report;
  });

  app.get<{ Params: { namespace: string; workload: string }; Querystring: WindowQuery }>('/api/propagation/workloads/:namespace/:workload', async (request, reply) => {
    const { namespace, workload } = request.params;
    if (!NAME.test(namespace) || !NAME.test(workload)) return badRequest(reply, 'namespace and workload must be Kubernetes names');
    const window = windowOf(request.query, opts.defaultWindowMs);
    if (typeof window === 'string') return badRequest(reply, window);
    const { report, grafts } = audit.analysis(window, namespace);
    const found = report.workloads.find((w) => w.workload === workload);
    if (found === undefined) return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: `no spans from workload ${namespace}/${workload} in the last ${request.query.window ?? 'window'}` });
    const key = workloadKey(namespace, workload);
    const now = audit.nowUs();
    return {
      ...found,
      edges: report.edges.filter((e) => e.from === key || e.to === key),
      trend: workloadTrend(audit.auditor, key, { fromUs: now - window, toUs: now }),
      grafts: grafts.filter((g) => g.workload === key).slice(0, 50),
    };
  });

  app.get<{ Querystring: WindowQuery }>('/api/propagation/grafts', async (request, reply) => {
    const window = windowOf({ window: request.query.window ?? '1h' }, opts.defaultWindowMs);
    if (typeof window === 'string') return badRequest(reply, window);
    const format = request.query.format ?? 'json';
    if (format !== 'json' && format !== 'otlp') return badRequest(reply, `format must be json or otlp, got ${JSON.stringify(format)}`);
    const { grafts } = audit.analysis(window);
    return format === 'otlp' ? graftsAsOtlpLinks(grafts) : { grafts };
  });

  return Promise.resolve();
}
