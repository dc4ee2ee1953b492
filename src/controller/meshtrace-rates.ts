/**
 * Trace-start rates per workload from meshtrace's propagation report
 * (`GET /api/propagation/report?window=5m`). A gateway starts a trace per sampled inbound request;
 * an originator (no inbound requests: cron jobs, consumers) per sampled outbound call; a service
 * starts none, except the calls where it drops the trace headers.
 */
import type { Logger } from 'pino';
import type { PropagationReport } from '../propagation-audit/index.js';
import { TtlCache, meshtraceGet } from './meshtrace-client.js';
import type { MeshtraceEndpoint } from './meshtrace-client.js';
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

export async function fetchRates(endpoint: MeshtraceEndpoint, window: string): Promise<MeshRates> {
  return ratesFromReport(await meshtraceGet(endpoint, '/api/propagation/report', { window }) as PropagationReport);
}

export interface RatesSourceOptions {
  readonly url: string;
  readonly token?: string | undefined;
  /** The report window asked for, ms. */
  readonly windowMs: number;
  /** How long one answer is used, ms. */
  readonly ttlMs: number;
  readonly log: Logger;
}

/**
 * meshtrace's rates, fetched at most once per `ttlMs` and one request at a time: reconciles that
 * run meanwhile share the answer instead of each waiting on a request of its own. Undefined while
 * meshtrace cannot be read (adaptive policies then hold).
 */
export class RatesSource {
  readonly #o: RatesSourceOptions;
  readonly #cache: TtlCache<MeshRates>;

  constructor(options: RatesSourceOptions) {
    this.#o = options;
    this.#cache = new TtlCache(options.ttlMs);
  }

  async get(): Promise<MeshRates | undefined> {
    const { url, token, windowMs, log } = this.#o;
    const got = await this.#cache.get('', async () => {
      try {
        return await fetchRates({ url, token }, `${Math.round(windowMs / 1000)}s`);
      } catch (err) {
        log.warn({ err: String(err), url }, 'cannot read meshtrace\'s report; adaptive policies hold');
        throw err;
      }
    });
    return got.ok ? got.value : undefined;
  }
}
