/**
 * What the controller's reads of meshtrace's API share: one JSON GET over node:http with a bearer
 * token, a deadline and a size cap, and a cache that asks at most once per TTL per key, one
 * request at a time. Used for trace-start rates (meshtrace-rates.ts) and for what the Envoys run
 * (meshtrace-effective.ts).
 */
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';

export interface MeshtraceEndpoint {
  /** Base URL of meshtrace's API, e.g. `http://meshtrace.istio-system:8080`. */
  readonly url: string;
  /** Bearer token, when meshtrace's API needs one. */
  readonly token?: string | undefined;
  /** Whole-request deadline, ms. Default 10 s. */
  readonly timeoutMs?: number;
  /** Larger answers are refused before they are parsed, bytes. Default 32 MiB. */
  readonly maxBytes?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/**
 * One JSON GET over node:http. Not the global fetch: its first use loads undici, about 10 MiB of
 * resident memory, for a request made once a minute.
 */
export function getJson(url: URL, headers: Record<string, string>, timeoutMs = DEFAULT_TIMEOUT_MS, maxBytes = DEFAULT_MAX_BYTES): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    /** Settles once; whatever the request emits after that (errors of its own teardown included) is ignored. */
    const settle = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      outcome();
    };
    const abort = (message: string): void => settle(() => { req.destroy(); reject(new Error(`${url.toString()}: ${message}`)); });
    const req = (url.protocol === 'https:' ? httpsGet : httpGet)(url, { headers: { accept: 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > maxBytes) abort(`answer larger than ${maxBytes} bytes`);
        else chunks.push(c);
      });
      res.on('error', (err) => settle(() => reject(err)));
      res.on('end', () => settle(() => {
        if ((res.statusCode ?? 0) >= 300) return reject(new Error(`${url.toString()} answered ${res.statusCode}`));
        try { resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))); } catch (err) { reject(new Error(`${url.toString()}: not JSON (${String(err)})`)); }
      }));
    });
    // A deadline for the whole request: a socket timeout alone lets a server that trickles bytes hold it forever.
    const deadline = setTimeout(() => abort(`no answer within ${timeoutMs} ms`), timeoutMs);
    req.on('error', (err) => settle(() => reject(err)));
  });
}

/** GET `path` with `params` from meshtrace, with the endpoint's token, deadline and size cap. */
export function meshtraceGet(endpoint: MeshtraceEndpoint, path: string, params: Readonly<Record<string, string>> = {}): Promise<unknown> {
  const url = new URL(path, endpoint.url);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const headers: Record<string, string> = endpoint.token !== undefined ? { authorization: `Bearer ${endpoint.token}` } : {};
  return getJson(url, headers, endpoint.timeoutMs, endpoint.maxBytes);
}

export type Fetched<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/**
 * Answers fetched at most once per `ttlMs` per key, failures included, and one request per key at
 * a time: reconciles that run meanwhile share the answer instead of each waiting on a request of
 * their own. Expired keys are dropped whenever a new request starts, so the cache holds only keys
 * asked for within the TTL.
 */
export class TtlCache<T> {
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<string, { readonly at: number; readonly value: Fetched<T> }>();
  readonly #inFlight = new Map<string, Promise<Fetched<T>>>();

  constructor(ttlMs: number, now: () => number = Date.now) {
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /** The cached answer for `key`, or `load`'s, which is never rejected: a failure is `{ ok: false }`. */
  get(key: string, load: () => Promise<T>): Promise<Fetched<T>> {
    const hit = this.#entries.get(key);
    if (hit !== undefined && this.#now() - hit.at < this.#ttlMs) return Promise.resolve(hit.value);
    let pending = this.#inFlight.get(key);
    if (pending === undefined) {
      this.#sweep();
      pending = this.#load(key, load).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    return pending;
  }

  async #load(key: string, load: () => Promise<T>): Promise<Fetched<T>> {
    let value: Fetched<T>;
    try {
      value = { ok: true, value: await load() };
    } catch (err) {
      value = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    this.#entries.set(key, { at: this.#now(), value });
    return value;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [k, e] of this.#entries) if (now - e.at >= this.#ttlMs) this.#entries.delete(k);
  }
}
