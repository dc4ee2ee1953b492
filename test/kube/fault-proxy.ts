/**
 * A plain-HTTP proxy in front of the test API server that answers chosen requests with an error
 * instead of forwarding them: 409, 429 (with Retry-After), 5xx, or a watch that ends in a
 * 410 Gone ERROR event. Each fault fires once, in order of registration.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface Fault {
  readonly method?: string;
  /** Matched against path and query. */
  readonly url: RegExp;
  readonly status: number | 'watch-gone';
  readonly headers?: Record<string, string>;
}

export interface FaultProxy {
  readonly kc: KubeConfig;
  readonly injected: { method: string; url: string; status: number | string }[];
  add(...faults: Fault[]): void;
  pending(): number;
  /** Cuts every open watch connection, as a load balancer or an API server restart would. */
  dropWatches(): void;
  close(): Promise<void>;
}

interface Upstream { readonly url: URL; readonly token: string; readonly ca: Buffer; readonly watches: Set<ServerResponse> }

function forward(req: IncomingMessage, res: ServerResponse, { url: upstream, token, ca, watches }: Upstream): void {
  if ((req.url ?? '').includes('watch=true')) {
    watches.add(res);
    res.on('close', () => watches.delete(res));
  }
  const out = httpsRequest({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, ca,
    headers: { ...req.headers, host: upstream.host, authorization: `Bearer ${token}` } }, (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  out.on('error', () => { res.destroy(); });
  req.pipe(out);
  res.on('close', () => out.destroy());
}

export async function startFaultProxy(server: { url: string; token: string; caFile: string }): Promise<FaultProxy> {
  const upstream = new URL(server.url);
  const ca = readFileSync(server.caFile);
  const faults: Fault[] = [];
  const injected: FaultProxy['injected'] = [];
  const watches = new Set<ServerResponse>();
  const http: Server = createServer((req, res) => {
    const i = faults.findIndex((f) => (f.method === undefined || f.method === req.method) && f.url.test(req.url ?? ''));
    if (i < 0) return forward(req, res, { url: upstream, token: server.token, ca, watches });
    const [fault] = faults.splice(i, 1);
    injected.push({ method: req.method ?? '', url: req.url ?? '', status: fault!.status });
    req.resume();
    if (fault!.status === 'watch-gone') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: 'too old resource version' } }) + '\n');
      return;
    }
    res.writeHead(fault!.status, { 'content-type': 'application/json', ...fault!.headers });
    res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: fault!.status, message: 'injected by the fault proxy' }));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    // client-node refuses plain http unless skipTLSVerify is set; the hop is loopback only.
    clusters: [{ name: 'proxy', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'proxy', token: 'unused-the-proxy-adds-the-real-one' }],
    contexts: [{ name: 'proxy', cluster: 'proxy', user: 'proxy', namespace: 'default' }], currentContext: 'proxy',
  });
  return {
    kc, injected,
    add: (...f) => { faults.push(...f); },
    pending: () => faults.length,
    dropWatches: () => { for (const w of watches) w.destroy(); },
    close: () => new Promise((resolve) => { http.closeAllConnections(); http.close(() => resolve()); }),
  };
}
