/**
 * The controller's HTTP client for the Kubernetes API: JSON requests and watch streams over one
 * keep-alive agent, nothing else. @kubernetes/client-node costs about 40 MiB of heap and 80 MiB of
 * resident memory just to load (its generated API and models come as one piece), which is most of
 * the controller's memory budget for the dozen calls it makes; kubectl-meshtrace and the tests keep
 * using client-node through kube.ts.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { createSecureContext } from 'node:tls';
import type { KubeConnection } from './kube-connection.js';

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface RequestInit {
  readonly query?: Query;
  readonly body?: unknown;
  /** Default `application/json` when there is a body. */
  readonly contentType?: string;
  readonly accept?: string;
}

/**
 * A non-2xx answer. `code` and `headers` have the names client-node's ApiException uses, so
 * retry.ts treats both alike.
 */
export class KubeStatusError extends Error {
  override readonly name = 'KubeStatusError';
  constructor(readonly code: number, readonly headers: IncomingHttpHeaders, readonly body: unknown, what: string) {
    const reason = (body as { message?: unknown } | undefined)?.message;
    super(`${what} answered ${code}${typeof reason === 'string' ? `: ${reason}` : ''}`);
  }
}

/** One watch event as the API server streams it. */
export interface WatchEvent { readonly type: string; readonly object: unknown }

/** Requests that hang (a dead connection) fail after this long and are retried. */
const REQUEST_TIMEOUT_MS = 30_000;

function searchOf(query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s === '' ? '' : `?${s}`;
}

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

function parseOrText(text: string): unknown {
  try { return JSON.parse(text) as unknown; } catch { return text === '' ? undefined : { message: text.slice(0, 500) }; }
}

export class KubeRest {
  readonly #connection: KubeConnection;
  readonly #base: URL;
  readonly #agent: HttpAgent;
  readonly #request: typeof httpRequest;

  constructor(connection: KubeConnection) {
    this.#connection = connection;
    this.#base = new URL(connection.server);
    const tls = this.#base.protocol === 'https:';
    if (!tls && connection.rejectUnauthorized !== false) {
      throw new Error(`${connection.server}: plain HTTP only with insecure-skip-tls-verify (as client-node requires)`);
    }
    // One TLS context for every connection: by default each new connection parses the CA again.
    const secureContext = tls ? createSecureContext({ ca: connection.ca, cert: connection.cert, key: connection.key }) : undefined;
    this.#agent = connection.agent ?? (tls
      ? new HttpsAgent({ keepAlive: true, secureContext, rejectUnauthorized: connection.rejectUnauthorized ?? true, servername: connection.servername })
      : new HttpAgent({ keepAlive: true }));
    this.#request = tls ? httpsRequest : httpRequest;
  }

  /** A JSON request; resolves with the parsed body, rejects with KubeStatusError or a network error. */
  async request<T>(method: string, path: string, init: RequestInit = {}): Promise<T> {
    const res = await this.#send(method, path, init, REQUEST_TIMEOUT_MS);
    const text = await readBody(res);
    const body = parseOrText(text);
    if ((res.statusCode ?? 0) >= 300) throw new KubeStatusError(res.statusCode ?? 0, res.headers, body, `${method} ${path}`);
    return body as T;
  }

  /**
   * Streams a watch, calling `onEvent` per event, until the server ends it (resolves), it fails
   * (rejects) or `signal` aborts it (resolves).
   */
  async watch(path: string, query: Query, onEvent: (event: WatchEvent) => void, signal: AbortSignal): Promise<void> {
    const timeoutSeconds = Number(query.timeoutSeconds ?? 300);
    let res: IncomingMessage;
    try {
      res = await this.#send('GET', path, { query: { ...query, watch: true } }, (timeoutSeconds + 60) * 1000, signal);
    } catch (err) {
      if (signal.aborted) return;
      throw err;
    }
    if ((res.statusCode ?? 0) >= 300) throw new KubeStatusError(res.statusCode ?? 0, res.headers, parseOrText(await readBody(res)), `watch ${path}`);
    await new Promise<void>((resolve, reject) => {
      let pending = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        pending += chunk;
        let nl: number;
        while ((nl = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, nl).trim();
          pending = pending.slice(nl + 1);
          if (line === '') continue;
          try {
            onEvent(JSON.parse(line) as WatchEvent);
          } catch (err) {
            res.destroy(err as Error);
            return;
          }
        }
      });
      res.on('end', () => resolve());
      res.on('error', (err) => (signal.aborted ? resolve() : reject(err)));
      res.on('close', () => resolve());
    });
  }

  /** Closes idle connections, so a stopped controller lets the process exit. */
  close(): void {
    this.#agent.destroy();
  }

  async #send(method: string, path: string, init: RequestInit, timeoutMs: number, signal?: AbortSignal): Promise<IncomingMessage> {
    const headers: Record<string, string> = { accept: init.accept ?? 'application/json', ...this.#connection.headers };
    const authorization = await this.#connection.authorization?.();
    if (authorization !== undefined) headers.authorization = authorization;
    const payload = init.body === undefined ? undefined : Buffer.from(JSON.stringify(init.body));
    if (payload !== undefined) {
      headers['content-type'] = init.contentType ?? 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const options: RequestOptions = {
      method, agent: this.#agent, headers, timeout: timeoutMs,
      hostname: this.#base.hostname.replace(/^\[(.*)\]$/, '$1'), port: this.#base.port,
      path: `${this.#base.pathname.replace(/\/$/, '')}${path}${searchOf(init.query)}`,
    };
    return new Promise((resolve, reject) => {
      const req = this.#request(options, resolve);
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      if (signal !== undefined) {
        // Destroyed without an error: an abort is how a watch is meant to end, not a failure.
        const abort = (): void => { req.destroy(); };
        signal.addEventListener('abort', abort, { once: true });
        req.on('close', () => signal.removeEventListener('abort', abort));
      }
      req.end(payload);
    });
  }
}
