/**
 * The latest effective tracing per proxy, from whichever source reported it last, and the
 * workload view derived from it. Sources write, routes and the audit read.
 */
import { groupWorkloads } from './effective.js';
import { tracingFactsOf } from './facts.js';
import type { TracingFacts } from './facts.js';
import type { ProxySyncStatus } from './istiod-http.js';
import type { ProxyTracing, WorkloadTracing } from './types.js';

export class XdsState {
  readonly #proxies = new Map<string, ProxyTracing>();
  readonly #errors = new Map<string, string>();
  #sync = new Map<string, ProxySyncStatus>();
  #workloads: Map<string, WorkloadTracing> | undefined;
  #updates = 0;

  /** Replaces what is known about one proxy. */
  put(p: ProxyTracing): void {
    this.#proxies.set(p.proxy.id, p);
    this.#workloads = undefined;
    this.#updates++;
  }

  /** Drops the proxies a source reported that it no longer reports (e.g. a removed dump file). */
  retain(source: string, ids: ReadonlySet<string>): void {
    for (const [id, p] of this.#proxies) {
      if (p.source === source && !ids.has(id)) {
        this.#proxies.delete(id);
        this.#workloads = undefined;
      }
    }
  }

  setError(source: string, message: string | undefined): void {
    if (message === undefined) this.#errors.delete(source);
    else this.#errors.set(source, message);
  }

  setSync(statuses: readonly ProxySyncStatus[]): void {
    this.#sync = new Map(statuses.map((s) => [s.proxy, s]));
  }

  syncOf(proxyId: string): ProxySyncStatus | undefined {
    return this.#sync.get(proxyId);
  }

  get updates(): number {
    return this.#updates;
  }

  get errors(): Readonly<Record<string, string>> {
    return Object.fromEntries(this.#errors);
  }

  proxies(): ProxyTracing[] {
    return [...this.#proxies.values()];
  }

  workloads(): ReadonlyMap<string, WorkloadTracing> {
    this.#workloads ??= new Map(groupWorkloads(this.#proxies.values()).map((w) => [w.key, w]));
    return this.#workloads;
  }

  /** For the propagation audit: `excluded: (w) => xds.tracingFacts(w).tracingDisabled`. */
  readonly tracingFacts = (workloadKey: string): TracingFacts => tracingFactsOf(this.workloads().get(workloadKey));
}
