/**
 * What a pod's Envoy actually runs, for `kubectl meshtrace explain`: its admin `config_dump`,
 * read through the API server's pod proxy (`pods/proxy` on port 15000), decoded by the same code
 * as `meshtrace xds inspect`, and set beside the intended rate Istio's precedence gives.
 */
import type { Resolution } from '../controller/precedence.js';
import { proxyTracing, readConfigDump } from '../xds/index.js';
import type { ProxyTracing } from '../xds/index.js';
import type { PluginContext } from './context.js';

/** Envoy's admin port in Istio sidecars and gateways. */
const ENVOY_ADMIN_PORT = 15000;

/** The pod's Envoy tracing config, or why it could not be read. */
export async function podEnvoyTracing(ctx: PluginContext, namespace: string, pod: string): Promise<ProxyTracing | string> {
  let body: string;
  try {
    body = await ctx.api.core.connectGetNamespacedPodProxyWithPath({ name: `${pod}:${ENVOY_ADMIN_PORT}`, namespace, path: 'config_dump' });
  } catch (err) {
    const code = (err as { code?: number }).code;
    return code === 403 ? 'not allowed to read the pod\'s Envoy admin port (needs pods/proxy get)'
      : `could not read the Envoy config dump through the API server${code === undefined ? '' : ` (HTTP ${code})`}: no sidecar, or port ${ENVOY_ADMIN_PORT} closed`;
  }
  let json: unknown;
  try {
    json = typeof body === 'string' ? JSON.parse(body) : body;
  } catch {
    return 'the Envoy admin answer is not a JSON config dump';
  }
  const dump = readConfigDump(json, `${namespace}/${pod}`);
  return dump.ok ? proxyTracing(dump.value) : dump.error;
}

const pct = (p: number | undefined): string => (p === undefined ? 'off' : `${Number(p.toFixed(4))}%`);

/** The percentages the deciding side's HCMs run; undefined when that side does not trace. */
function runningOn(effective: ProxyTracing, gateway: boolean): readonly number[] | undefined {
  const side = gateway ? effective.sides.gateway : effective.sides.inbound;
  return side === undefined || side.enabledHcms === 0 ? undefined : side.percentages;
}

function effectiveLine(effective: ProxyTracing, running: readonly number[] | undefined, gateway: boolean): string {
  const provider = effective.provider;
  const to = provider?.collectorCluster === undefined ? '' : ` → ${provider.collectorCluster}`;
  return `Effective: ${running === undefined ? 'tracing off' : running.map(pct).join(' / ')} in the pod's Envoy (${gateway ? 'gateway' : 'inbound'} listeners)`
    + (provider === undefined ? '' : `, provider ${provider.kind}${to}`)
    + (effective.lastUpdated === undefined ? '' : `, listeners updated ${effective.lastUpdated}`);
}

function driftLine(intended: Resolution, effective: ProxyTracing, running: readonly number[] | undefined): string {
  const asked = intended.tracingEnabled ? intended.percentage : undefined;
  const agrees = running === undefined ? asked === undefined
    : running.length === 1 && asked !== undefined && Math.abs(running[0]! - asked) < 1e-6;
  if (agrees) return 'Drift:     none: Envoy runs what is intended';
  const sampler = effective.provider?.sampler;
  if (sampler !== undefined) return `Drift:     overridden: the provider's sampler (${sampler}) decides, not the percentage`;
  return `Drift:     intended ${pct(asked)} but Envoy runs ${running === undefined ? 'no tracing' : running.map(pct).join(' / ')}: `
    + 'istiod has not pushed the change yet, or it comes from mesh config or an annotation, which need a pod restart';
}

/** The "Effective" lines of the explanation: what Envoy runs, and whether it is what was asked. */
export function formatEffective(intended: Resolution, effective: ProxyTracing | string, gateway: boolean): string[] {
  if (typeof effective === 'string') return [`Effective: unknown: ${effective}`];
  const running = runningOn(effective, gateway);
  return [
    effectiveLine(effective, running, gateway),
    driftLine(intended, effective, running),
    ...effective.problems.slice(0, 3).map((p) => `           (${p})`),
  ];
}
