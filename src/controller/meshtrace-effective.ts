/**
 * What the Envoys of a namespace run, from meshtrace's `GET /api/sampling/effective?namespace=NS`,
 * asked at most once per TTL per namespace (meshtrace-client.ts), for the `Effective` condition.
 */
import type { Logger } from 'pino';
import { parseEffective } from './effective-rates.js';
import type { WorkloadEnvoys } from './effective-rates.js';
import { TtlCache, meshtraceGet } from './meshtrace-client.js';
import type { MeshtraceEndpoint } from './meshtrace-client.js';
import type { EnvoyView } from './reconcile-types.js';

export interface EffectiveSourceOptions extends MeshtraceEndpoint {
  /** How long one namespace's answer is used, ms. */
  readonly ttlMs: number;
  readonly log: Logger;
  /** Clock, for tests. */
  readonly now?: () => number;
}

export class EffectiveSource {
  readonly #o: EffectiveSourceOptions;
  readonly #cache: TtlCache<ReadonlyMap<string, WorkloadEnvoys>>;

  constructor(options: EffectiveSourceOptions) {
    this.#o = options;
    this.#cache = new TtlCache(options.ttlMs, options.now);
  }

  /** The namespace's workloads as meshtrace sees their Envoys, or why that is unknown. Never rejects. */
  async get(namespace: string): Promise<EnvoyView> {
    const got = await this.#cache.get(namespace, () => this.#fetch(namespace));
    return got.ok ? { workloads: got.value } : { unavailable: got.error };
  }

  async #fetch(namespace: string): Promise<ReadonlyMap<string, WorkloadEnvoys>> {
    try {
      const parsed = parseEffective(await meshtraceGet(this.#o, '/api/sampling/effective', { namespace }));
      if (!parsed.ok) throw new Error(parsed.error);
      // The answer covers this namespace only; anything else in it is ignored.
      return parsed.value.get(namespace) ?? new Map<string, WorkloadEnvoys>();
    } catch (err) {
      this.#o.log.warn({ err: String(err), url: this.#o.url, namespace }, 'cannot read what the Envoys run from meshtrace; Effective is Unknown');
      throw err;
    }
  }
}
