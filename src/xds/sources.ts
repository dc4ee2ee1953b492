/**
 * The I/O shell feeding an XdsState: config dump files (re-read when they change), istiod's HTTP
 * debug endpoints (polled), and ADS watches that impersonate chosen proxies (pushed). Each source
 * records its last error in the state and keeps going; nothing here throws into the caller.
 */
import { stat } from 'node:fs/promises';
import { AdsWatcher } from './ads-client.js';
import type { AdsUpdate, XdsNode } from './ads-client.js';
import type { ProxyConfig } from './config-dump.js';
import { proxyTracing, proxyTracingInSlices } from './effective.js';
import { fetchProxyConfigDump, fetchSyncz } from './istiod-http.js';
import type { IstiodHttpOptions } from './istiod-http.js';
import { readDumpFile } from './load-dump.js';
import type { XdsState } from './state.js';

export interface XdsSourcesOptions {
  /** Envoy admin config dumps (what the proxies run). */
  readonly configDumps?: readonly string[];
  /** istiod monitoring base URL, e.g. `http://istiod.istio-system:15014`. */
  readonly istiod?: IstiodHttpOptions;
  /** Most proxies fetched from istiod per refresh. Default 200. */
  readonly maxIstiodProxies?: number;
  /** istiod xDS `host:port` and the proxies to watch over ADS (LDS impersonating their node). */
  readonly ads?: { readonly target: string; readonly nodes: readonly XdsNode[]; readonly initialBackoffMs?: number };
  /** Re-read files / re-poll istiod every this many ms. Default 30000. */
  readonly refreshMs?: number;
  readonly maxDumpBytes?: number;
}

export interface RunningXdsSources {
  /** One refresh of the polled sources (files, istiod); resolves when done. */
  refresh(): Promise<void>;
  readonly watchers: readonly AdsWatcher[];
  stop(): void;
}

const ISTIOD_CONCURRENCY = 4;

function withNode(config: ProxyConfig, id: string): ProxyConfig {
  return config.node === undefined ? { ...config, node: { id } } : config;
}

async function refreshFiles(state: XdsState, paths: readonly string[], mtimes: Map<string, number>, maxBytes: number | undefined): Promise<void> {
  for (const path of paths) {
    const mtime = await stat(path).then((s) => s.mtimeMs, () => -1);
    if (mtime === mtimes.get(path)) continue;
    mtimes.set(path, mtime);
    const dump = await readDumpFile(path, maxBytes === undefined ? {} : { maxBytes });
    if (!dump.ok) {
      state.setError(path, dump.error);
      continue;
    }
    state.setError(path, undefined);
    const p = await proxyTracingInSlices(dump.value);
    state.retain(path, new Set([p.proxy.id]));
    state.put(p);
  }
}

async function refreshIstiod(state: XdsState, opts: IstiodHttpOptions, maxProxies: number): Promise<void> {
  const syncz = await fetchSyncz(opts);
  if (!syncz.ok) {
    state.setError('istiod', syncz.error);
    return;
  }
  state.setSync(syncz.value);
  const ids = syncz.value.map((s) => s.proxy).slice(0, maxProxies);
  const errors: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < ids.length; i += ISTIOD_CONCURRENCY) {
    await Promise.all(ids.slice(i, i + ISTIOD_CONCURRENCY).map(async (id) => {
      const dump = await fetchProxyConfigDump(opts, id);
      if (!dump.ok) {
        errors.push(dump.error);
        return;
      }
      const p = await proxyTracingInSlices({ ...withNode(dump.value, id), source: 'istiod' });
      seen.add(p.proxy.id);
      state.put(p);
    }));
  }
  state.retain('istiod', seen);
  state.setError('istiod', errors.length === 0 ? undefined : `${errors.length} proxies unreadable; first: ${errors[0]}`);
}

/** Listeners from an ADS push, as the proxy they were generated for. */
export function adsProxyConfig(node: XdsNode, update: AdsUpdate): ProxyConfig {
  const lastUpdated = new Date(update.receivedAtMs).toISOString();
  return {
    source: 'ads', node: { id: node.id, cluster: node.cluster, metadata: node.metadata ?? {} }, bootstrap: undefined, problems: [],
    listeners: update.resources.map((l, i) => ({ listener: l, path: `ads.resources[${i}]`, lastUpdated, versionInfo: update.versionInfo })),
  };
}

export function startXdsSources(state: XdsState, opts: XdsSourcesOptions): RunningXdsSources {
  const mtimes = new Map<string, number>();
  const refresh = async (): Promise<void> => {
    await refreshFiles(state, opts.configDumps ?? [], mtimes, opts.maxDumpBytes);
    if (opts.istiod !== undefined) await refreshIstiod(state, { maxBytes: opts.maxDumpBytes, ...opts.istiod }, opts.maxIstiodProxies ?? 200);
  };
  const watchers = (opts.ads?.nodes ?? []).map((node) => new AdsWatcher({
    target: opts.ads!.target, node, ...(opts.ads!.initialBackoffMs === undefined ? {} : { initialBackoffMs: opts.ads!.initialBackoffMs }),
    onUpdate: (u) => {
      state.setError(`ads:${node.id}`, undefined);
      state.put(proxyTracing(adsProxyConfig(node, u)));
    },
    onError: (m) => state.setError(`ads:${node.id}`, m),
  }));
  for (const w of watchers) w.start();
  let running: Promise<void> | undefined;
  const tick = (): void => {
    running ??= refresh().finally(() => { running = undefined; });
  };
  const timer = setInterval(tick, opts.refreshMs ?? 30_000);
  timer.unref();
  tick();
  return {
    refresh: async () => {
      await running;
      await refresh();
    },
    watchers,
    stop: () => {
      clearInterval(timer);
      for (const w of watchers) w.stop();
    },
  };
}
