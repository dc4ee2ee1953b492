/**
 * What each Envoy actually runs for tracing, per proxy and per workload. Pure: the inputs are
 * decoded configs (from files, istiod or ADS), the outputs plain data.
 */
import type { ProxyConfig } from './config-dump.js';
import { listenerTracing } from './hcm.js';
import type { ListenerContext } from './hcm.js';
import { proxyIdentity } from './node.js';
import { bootstrapProvider } from './provider.js';
import type { HcmTracing, ListenerSide, ProviderKind, ProxyTracing, SideTracing, TracingProvider, WorkloadTracing } from './types.js';

function summarise(hcms: readonly HcmTracing[]): SideTracing {
  const percentages = new Set<number>();
  const providers = new Set<ProviderKind>();
  const disabledHcms: string[] = [];
  let enabledHcms = 0;
  for (const h of hcms) {
    if (!h.enabled || h.percentage === undefined) {
      disabledHcms.push(`${h.listener}#${h.filterChain}`);
      continue;
    }
    enabledHcms++;
    percentages.add(h.percentage);
    providers.add(h.provider.kind);
  }
  return { percentages: [...percentages].sort((a, b) => a - b), providers: [...providers].sort(), enabledHcms, disabledHcms };
}

function newest(values: readonly (string | undefined)[]): string | undefined {
  let best: string | undefined;
  for (const v of values) if (v !== undefined && (best === undefined || Date.parse(v) > Date.parse(best))) best = v;
  return best;
}

/** The side whose sampling decides traces that start at this proxy (ENVOY-ISTIO.md §5.2). */
function decidingSide(type: ProxyTracing['proxy']['type']): ListenerSide {
  return type === 'router' ? 'gateway' : 'inbound';
}

interface Prepared { readonly config: ProxyConfig; readonly problems: string[]; readonly proxy: ProxyTracing['proxy']; readonly ctx: ListenerContext }

function prepare(config: ProxyConfig): Prepared {
  const problems = [...config.problems];
  const proxy = proxyIdentity(config.node, config.source);
  return { config, problems, proxy, ctx: { proxyType: proxy.type, bootstrapProvider: bootstrapProvider(config.bootstrap, problems) } };
}

function assemble({ config, problems, proxy }: Prepared, hcms: HcmTracing[]): ProxyTracing {
  const sides: Partial<Record<ListenerSide, SideTracing>> = {};
  for (const side of ['inbound', 'outbound', 'gateway'] as const) {
    const of = hcms.filter((h) => h.side === side);
    if (of.length > 0) sides[side] = summarise(of);
  }
  const deciding = hcms.filter((h) => h.side === decidingSide(proxy.type) && h.enabled);
  // Several distinct values on the deciding side make "the" rate ambiguous; the highest is what
  // the busiest (catch-all) chain usually runs, and drift reports the disagreement anyway.
  const percentage = sides[decidingSide(proxy.type)]?.percentages.at(-1);
  const provider: TracingProvider | undefined = deciding[0]?.provider ?? hcms.find((h) => h.enabled)?.provider;
  return {
    proxy, source: config.source, sides, percentage, provider,
    lastUpdated: newest(config.listeners.map((l) => l.lastUpdated)),
    versionInfo: config.listeners.map((l) => l.versionInfo).find((v) => v !== undefined),
    hcms, problems,
  };
}

/** Effective tracing of one proxy. */
export function proxyTracing(config: ProxyConfig): ProxyTracing {
  const p = prepare(config);
  return assemble(p, config.listeners.flatMap((l) => listenerTracing(l.listener, l.path, p.ctx, p.problems)));
}

/** Listeners read between event-loop turns: a proxy with thousands of listeners must not block a server. */
const LISTENERS_PER_TURN = 200;

/** `proxyTracing` in slices, yielding to the event loop between them. */
export async function proxyTracingInSlices(config: ProxyConfig): Promise<ProxyTracing> {
  const p = prepare(config);
  const hcms: HcmTracing[] = [];
  for (let i = 0; i < config.listeners.length; i += LISTENERS_PER_TURN) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    for (const l of config.listeners.slice(i, i + LISTENERS_PER_TURN)) hcms.push(...listenerTracing(l.listener, l.path, p.ctx, p.problems));
  }
  return assemble(p, hcms);
}

export function workloadKeyOf(namespace: string, workload: string): string {
  return `${namespace}/${workload}`;
}

/** Proxies grouped by `namespace/canonical service`, sorted by key, pods by id. */
export function groupWorkloads(proxies: Iterable<ProxyTracing>): WorkloadTracing[] {
  const byKey = new Map<string, ProxyTracing[]>();
  for (const p of proxies) {
    const key = workloadKeyOf(p.proxy.namespace, p.proxy.workload);
    const list = byKey.get(key);
    if (list === undefined) byKey.set(key, [p]);
    else list.push(p);
  }
  return [...byKey.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([key, list]) => {
    const first = list[0]!;
    return {
      key, namespace: first.proxy.namespace, workload: first.proxy.workload,
      gateway: list.some((p) => p.proxy.type === 'router'),
      proxies: [...list].sort((a, b) => a.proxy.id.localeCompare(b.proxy.id)),
    };
  });
}
