/**
 * The tracing settings of every HttpConnectionManager in one Envoy listener. Handles the v3 layout
 * (`envoy.filters.network.http_connection_manager`, `typed_config`) and the v2 one
 * (`envoy.http_connection_manager`, `config` Struct, `operation_name`, v2 type URLs).
 * @see envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto
 */
import { arrayField, field, isObject, messageNameOf, numberField, objectField, percentField, boolField, stringField } from './json.js';
import { readProvider, typedConfigOf } from './provider.js';
import type { CustomTag, HcmTracing, ListenerSide, TracingProvider } from './types.js';

const HCM_FILTER_NAMES = new Set(['envoy.filters.network.http_connection_manager', 'envoy.http_connection_manager']);
const HCM_MESSAGE = /^envoy\.(extensions\.filters\.network\.http_connection_manager\.v3|config\.filter\.network\.http_connection_manager\.v2)\.HttpConnectionManager$/;
/** Envoy's default for absent `Percent`s in the tracing block. */
const ENVOY_DEFAULT_PERCENT = 100;

export interface ListenerContext {
  /** Istio proxy type from the node id: every listener of a `router` is a gateway listener. */
  readonly proxyType: 'sidecar' | 'router' | 'unknown';
  /** The bootstrap tracer, used by HCMs whose tracing block names no provider. */
  readonly bootstrapProvider: TracingProvider | undefined;
}

const NO_PROVIDER: TracingProvider = { kind: 'none' };

/**
 * Istio marks direction in several places depending on version: `traffic_direction`, the
 * `virtualInbound` listener name, the HCM `stat_prefix` (`inbound_…` / `outbound_…`) and, in v2,
 * the tracing `operation_name` (INGRESS / EGRESS).
 */
function sideOf(listener: unknown, hcm: unknown, ctx: ListenerContext): ListenerSide {
  if (ctx.proxyType === 'router') return 'gateway';
  const direction = stringField(listener, 'traffic_direction');
  if (direction === 'INBOUND') return 'inbound';
  if (direction === 'OUTBOUND') return 'outbound';
  const name = stringField(listener, 'name') ?? '';
  if (name === 'virtualInbound') return 'inbound';
  const statPrefix = stringField(hcm, 'stat_prefix') ?? '';
  if (statPrefix.startsWith('inbound_')) return 'inbound';
  if (statPrefix.startsWith('outbound_')) return 'outbound';
  return stringField(objectField(hcm, 'tracing'), 'operation_name') === 'INGRESS' ? 'inbound' : 'outbound';
}

function customTagsOf(tracing: unknown): CustomTag[] {
  const tags: CustomTag[] = [];
  for (const t of arrayField(tracing, 'custom_tags')) {
    const tag = stringField(t, 'tag');
    if (tag === undefined) continue;
    const literal = objectField(t, 'literal');
    const env = objectField(t, 'environment');
    const header = objectField(t, 'request_header');
    const formatter = stringField(t, 'value');
    if (literal !== undefined) tags.push({ tag, type: 'literal', value: stringField(literal, 'value') ?? '' });
    else if (env !== undefined) tags.push({ tag, type: 'environment', value: stringField(env, 'name') ?? '' });
    else if (header !== undefined) tags.push({ tag, type: 'request_header', value: stringField(header, 'name') ?? '' });
    else if (formatter !== undefined) tags.push({ tag, type: 'value', value: formatter });
    else tags.push({ tag, type: objectField(t, 'metadata') !== undefined ? 'metadata' : 'unknown' });
  }
  return tags;
}

interface HcmAt { readonly hcm: unknown; readonly chain: string; readonly path: string }

/** The HCM configs of a listener's filter chains (and default chain), flagging unreadable ones. */
function hcmsOf(listener: unknown, path: string, problems: string[]): HcmAt[] {
  const chains = arrayField(listener, 'filter_chains').map((c, i) => ({ c, path: `${path}.filter_chains[${i}]`, chain: stringField(c, 'name') ?? `#${i}` }));
  const fallback = objectField(listener, 'default_filter_chain');
  if (fallback !== undefined) chains.push({ c: fallback, path: `${path}.default_filter_chain`, chain: stringField(fallback, 'name') ?? 'default' });
  const out: HcmAt[] = [];
  for (const { c, path: chainPath, chain } of chains) {
    arrayField(c, 'filters').forEach((f, j) => {
      const { config, typeUrl } = typedConfigOf(f);
      const message = typeUrl === undefined ? undefined : messageNameOf(typeUrl);
      const named = HCM_FILTER_NAMES.has(stringField(f, 'name') ?? '');
      if (message !== undefined && HCM_MESSAGE.test(message)) {
        out.push({ hcm: config, chain, path: `${chainPath}.filters[${j}]` });
      } else if (named && typeUrl !== undefined) {
        problems.push(`${chainPath}.filters[${j}].typed_config: unknown type URL ${JSON.stringify(typeUrl)} for an HTTP connection manager`);
      } else if (named && config === undefined) {
        problems.push(`${chainPath}.filters[${j}]: HTTP connection manager without typed_config or config`);
      } else if (named) {
        out.push({ hcm: config, chain, path: `${chainPath}.filters[${j}]` });
      }
    });
  }
  return out;
}

function tracingOf(at: HcmAt, listenerName: string, side: ListenerSide, ctx: ListenerContext, problems: string[]): HcmTracing {
  const tracing = objectField(at.hcm, 'tracing');
  const ownProvider = readProvider(objectField(tracing, 'provider'), `${at.path}.tracing.provider`, problems);
  const provider = tracing === undefined ? NO_PROVIDER : ownProvider ?? ctx.bootstrapProvider ?? NO_PROVIDER;
  const enabled = tracing !== undefined && provider.kind !== 'none';
  const randomSampling = percentField(tracing, 'random_sampling');
  const overallSampling = percentField(tracing, 'overall_sampling');
  return {
    listener: listenerName, filterChain: at.chain, side, enabled, provider,
    randomSampling, clientSampling: percentField(tracing, 'client_sampling'), overallSampling,
    percentage: enabled ? ((randomSampling ?? ENVOY_DEFAULT_PERCENT) * (overallSampling ?? ENVOY_DEFAULT_PERCENT)) / 100 : undefined,
    customTags: customTagsOf(tracing),
    spawnUpstreamSpan: boolField(tracing, 'spawn_upstream_span'),
    maxPathTagLength: numberField(tracing, 'max_path_tag_length'),
  };
}

/** Every HCM of one listener with its tracing settings. */
export function listenerTracing(listener: unknown, path: string, ctx: ListenerContext, problems: string[]): HcmTracing[] {
  if (!isObject(listener)) {
    problems.push(`${path}: not a Listener object`);
    return [];
  }
  const name = stringField(listener, 'name') ?? (field(listener, 'address') === undefined ? path : JSON.stringify(field(listener, 'address')));
  return hcmsOf(listener, path, problems).map((at) => tracingOf(at, name, sideOf(listener, at.hcm, ctx), ctx, problems));
}
