/**
 * Envoy admin `config_dump` JSON (`curl :15000/config_dump`, `istioctl proxy-config all -o json`,
 * istiod `/debug/config_dump?proxyID=`) reduced to what tracing needs: the bootstrap (node and
 * old-style tracer) and the dynamic listeners with their `last_updated`. Static listeners are
 * Istio's own (stats on 15090, health on 15021) and never trace, so they are left out.
 * Also accepted: a bare Listener array (`istioctl proxy-config listener -o json`).
 * @see envoy/admin/v3/config_dump.proto, config_dump_shared.proto
 */
import { arrayField, field, isObject, messageNameOf, objectField, stringField, typeUrlOf } from './json.js';

export interface ListenerEntry {
  readonly listener: unknown;
  /** Where it sits in the input, for problem messages. */
  readonly path: string;
  readonly lastUpdated: string | undefined;
  readonly versionInfo: string | undefined;
}

/** One proxy's tracing-relevant config, still as protobuf JSON. */
export interface ProxyConfig {
  readonly source: string;
  readonly node: unknown;
  readonly bootstrap: unknown;
  readonly listeners: readonly ListenerEntry[];
  readonly problems: readonly string[];
}

export type DumpResult = { readonly ok: true; readonly value: ProxyConfig } | { readonly ok: false; readonly error: string };

function endsWithMessage(typeUrl: string | undefined, message: string): boolean {
  return typeUrl !== undefined && messageNameOf(typeUrl).endsWith(`.${message}`);
}

/** v3 `dynamic_listeners[].active_state` and v2 `dynamic_active_listeners[]`. */
function dynamicListeners(dump: unknown, path: string): ListenerEntry[] {
  const out: ListenerEntry[] = [];
  arrayField(dump, 'dynamic_listeners').forEach((d, i) => {
    const active = objectField(d, 'active_state');
    if (active === undefined) return; // warming or draining only: Envoy does not run it yet
    out.push({
      listener: field(active, 'listener'), path: `${path}.dynamic_listeners[${i}].active_state.listener`,
      lastUpdated: stringField(active, 'last_updated'), versionInfo: stringField(active, 'version_info'),
    });
  });
  arrayField(dump, 'dynamic_active_listeners').forEach((d, i) => {
    out.push({
      listener: field(d, 'listener'), path: `${path}.dynamic_active_listeners[${i}].listener`,
      lastUpdated: stringField(d, 'last_updated'), versionInfo: stringField(d, 'version_info'),
    });
  });
  return out;
}

function fromConfigs(configs: readonly unknown[], source: string): ProxyConfig {
  let bootstrap: unknown;
  const listeners: ListenerEntry[] = [];
  const problems: string[] = [];
  configs.forEach((c, i) => {
    const typeUrl = typeUrlOf(c);
    if (typeUrl === undefined) problems.push(`configs[${i}]: entry without @type`);
    else if (endsWithMessage(typeUrl, 'BootstrapConfigDump')) bootstrap = field(c, 'bootstrap');
    else if (endsWithMessage(typeUrl, 'ListenersConfigDump')) listeners.push(...dynamicListeners(c, `configs[${i}]`));
  });
  return { source, node: field(bootstrap, 'node'), bootstrap, listeners, problems };
}

/** A Listener as `istioctl proxy-config listener -o json` prints it: typed, or with an address or filter chains. */
function looksLikeListener(l: unknown): boolean {
  return isObject(l) && (endsWithMessage(typeUrlOf(l), 'Listener') || isObject(field(l, 'address')) || Array.isArray(field(l, 'filter_chains')));
}

/** Reads a parsed config dump. Errors only when the input is not a config dump at all. */
export function readConfigDump(json: unknown, source: string): DumpResult {
  // Other JSON arrays (Zipkin span exports, for one) must not pass for a proxy without listeners.
  if (Array.isArray(json) && (json.length === 0 || !json.every(looksLikeListener))) {
    return { ok: false, error: `${source}: not an Envoy config dump (an array, but not of Listeners)` };
  }
  if (Array.isArray(json)) {
    const listeners = json.map((l, i): ListenerEntry => ({ listener: l, path: `[${i}]`, lastUpdated: undefined, versionInfo: undefined }));
    return { ok: true, value: { source, node: undefined, bootstrap: undefined, listeners, problems: [] } };
  }
  if (!isObject(json)) return { ok: false, error: `${source}: not an Envoy config dump (expected an object with configs[] or a Listener array)` };
  const configs = field(json, 'configs');
  if (Array.isArray(configs)) return { ok: true, value: fromConfigs(configs, source) };
  if (endsWithMessage(typeUrlOf(json), 'ListenersConfigDump')) {
    return { ok: true, value: { source, node: undefined, bootstrap: undefined, listeners: dynamicListeners(json, '$'), problems: [] } };
  }
  return { ok: false, error: `${source}: not an Envoy config dump (no configs[]; keys: ${Object.keys(json).slice(0, 5).join(', ') || 'none'})` };
}
