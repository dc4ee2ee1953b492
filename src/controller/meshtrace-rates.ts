/**
 * Trace-start rates per workload from meshtrace's propagation report
 * (`GET /api/propagation/report?window=5m`). A gateway starts a trace per sampled inbound request;
 * an originator (no inbound requests: cron jobs, consumers) per sampled outbound call; a service
 * starts none, except the calls where it drops the trace headers.
 */
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { Logger } from 'pino';
import type { PropagationReport } from '../propagation-audit/index.js';
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

/**
 * One JSON GET over node:http. Not the global fetch: its first use loads undici, about 10 MiB of
 * resident memory, for a request made once a minute.
 */
function getJson(url: URL, headers: Record<string, string>, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsGet : httpGet)(url, { headers: { accept: 'application/json', ...headers }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        if ((res.statusCode ?? 0) >= 300) return reject(new Error(`${url.toString()} answered ${res.statusCode}`));
        try { resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))); } catch (err) { reject(new Error(`${url.toString()}: not JSON (${String(err)})`)); }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${url.toString()}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export async function fetchRates(baseUrl: string, window: string, headers: Record<string, string> = {}): Promise<MeshRates> {
  const url = new URL('/api/propagation/report', baseUrl);
  url.searchParams.set('window', window);
  return ratesFromReport(await getJson(url, headers, 10_000) as PropagationReport);
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
  #last: { at: number; value: MeshRates | undefined } = { at: -Infinity, value: undefined };
  #inFlight: Promise<MeshRates | undefined> | undefined;

  constructor(options: RatesSourceOptions) {
    this.#o = options;
  }

  get(): Promise<MeshRates | undefined> {
    if (Date.now() - this.#last.at < this.#o.ttlMs) return Promise.resolve(this.#last.value);
    this.#inFlight ??= this.#fetch().finally(() => { this.#inFlight = undefined; });
    return this.#inFlight;
  }

  async #fetch(): Promise<MeshRates | undefined> {
    const { url, token, windowMs, log } = this.#o;
    try {
      this.#last = { at: Date.now(), value: await fetchRates(url, `${Math.round(windowMs / 1000)}s`, token !== undefined ? { authorization: `Bearer ${token}` } : {}) };
    } catch (err) {
      log.warn({ err: String(err), url }, 'cannot read meshtrace\'s report; adaptive policies hold');
      this.#last = { at: Date.now(), value: undefined };
    }
    return this.#last.value;
  }
}
