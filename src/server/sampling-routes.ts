/**
 * The sampling API on the meshtrace HTTP port:
 *   GET /api/sampling/effective?namespace=NS&workload=W&listeners=true
 *   GET /api/sampling/drift?namespace=NS&workload=W&kind=stale-proxy&findingsOnly=true
 * Effective = what each sidecar's Envoy runs (from config dumps, istiod or ADS); drift = intended
 * vs effective vs observed with findings. Intended is resolved with the SamplingPolicy
 * controller's precedence rules (via src/xds intendedResolver), never by a resolver of this
 * route's own. Every parameter is validated; a bad one is a 400.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { driftReport, intendedResolver } from '../xds/index.js';
import type { DriftKind, HeaderEvidenceResolver, IntendedInputs, ObservedResolver, ProxyTracing, WorkloadTracing, XdsState } from '../xds/index.js';

export interface SamplingRouteOptions {
  readonly state: XdsState;
  /**
   * The Telemetries, SamplingPolicies and mesh config to resolve intended sampling from, read at
   * every request so whoever watches them can keep the snapshot current. Undefined (or returning
   * undefined) while unknown: the report then carries no intended rates and no stale-proxy findings.
   */
  readonly intended?: () => IntendedInputs | undefined;
  /** The audit's per-workload sampling estimate. */
  readonly observed?: ObservedResolver;
  /** Which trace headers each workload's apps send on outbound calls (a `HeaderTally` fed from ingest); drives `provider-mismatch`. */
  readonly headers?: HeaderEvidenceResolver;
}

interface SamplingQuery { namespace?: string; workload?: string; listeners?: string; kind?: string; findingsOnly?: string }

const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const KINDS: readonly DriftKind[] = ['stale-proxy', 'overridden', 'tracing-disabled', 'provider-mismatch', 'pods-disagree'];

function badRequest(reply: FastifyReply, message: string): FastifyReply {
  return reply.code(400).send({ statusCode: 400, error: 'Bad Request', message });
}

/** The message for the first invalid parameter, or undefined. */
function invalid(q: SamplingQuery): string | undefined {
  for (const key of ['namespace', 'workload'] as const) {
    const v = q[key];
    if (v !== undefined && !NAME.test(v)) return `${key} must be a Kubernetes name, got ${JSON.stringify(v)}`;
  }
  for (const key of ['listeners', 'findingsOnly'] as const) {
    const v = q[key];
    if (v !== undefined && v !== 'true' && v !== 'false') return `${key} must be true or false, got ${JSON.stringify(v)}`;
  }
  if (q.kind !== undefined && !(KINDS as readonly string[]).includes(q.kind)) return `kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(q.kind)}`;
  return undefined;
}

function selected(state: XdsState, q: SamplingQuery): WorkloadTracing[] {
  return [...state.workloads().values()].filter((w) => (q.namespace === undefined || w.namespace === q.namespace) && (q.workload === undefined || w.workload === q.workload));
}

function proxyView(p: ProxyTracing, state: XdsState, withListeners: boolean): Record<string, unknown> {
  const { proxy, hcms, ...rest } = p;
  return {
    id: proxy.id, pod: proxy.pod, type: proxy.type, istioVersion: proxy.istioVersion, envoyVersion: proxy.envoyVersion,
    ...rest, sync: state.syncOf(proxy.id), ...(withListeners ? { hcms } : {}),
  };
}

export function samplingRoutes(app: FastifyInstance, opts: SamplingRouteOptions): Promise<void> {
  const { state } = opts;

  app.get<{ Querystring: SamplingQuery }>('/api/sampling/effective', async (request, reply) => {
    const problem = invalid(request.query);
    if (problem !== undefined) return badRequest(reply, problem);
    const withListeners = request.query.listeners === 'true';
    return {
      workloads: selected(state, request.query).map((w) => ({
        key: w.key, namespace: w.namespace, workload: w.workload, gateway: w.gateway,
        proxies: w.proxies.map((p) => proxyView(p, state, withListeners)),
      })),
      errors: state.errors,
    };
  });

  app.get<{ Querystring: SamplingQuery }>('/api/sampling/drift', async (request, reply) => {
    const problem = invalid(request.query);
    if (problem !== undefined) return badRequest(reply, problem);
    const { kind, findingsOnly } = request.query;
    const inputs = opts.intended?.();
    const intended = inputs === undefined ? undefined : intendedResolver(inputs);
    const report = driftReport(selected(state, request.query), { intended, observed: opts.observed, headers: opts.headers })
      .map((w) => (kind === undefined ? w : { ...w, findings: w.findings.filter((f) => f.kind === kind) }))
      .filter((w) => findingsOnly !== 'true' && kind === undefined ? true : w.findings.length > 0);
    const counts = Object.fromEntries(KINDS.map((k) => [k, report.reduce((n, w) => n + w.findings.filter((f) => f.kind === k).length, 0)]));
    return { workloads: report, counts, errors: state.errors };
  });

  return Promise.resolve();
}
