/**
 * Cuts a parsed config dump down to what tracing needs, inside the parse worker, so only a small
 * object crosses back to the main thread. Self-contained on purpose: the worker runs this
 * function's source text, so it must not reference anything outside its own body.
 */
export function pruneConfigDump(json: unknown): unknown {
  // Large subtrees tracing never reads: routes, HTTP filters, TLS, access logs, bootstrap resources.
  const heavy = new Set([
    'route_config', 'routeConfig', 'http_filters', 'httpFilters', 'transport_socket', 'transportSocket', 'access_log', 'accessLog',
    'listener_filters', 'listenerFilters', 'filter_chain_matcher', 'filterChainMatcher', 'static_resources', 'staticResources',
    'dynamic_resources', 'dynamicResources', 'static_listeners', 'staticListeners', 'layered_runtime', 'layeredRuntime', 'stats_config', 'statsConfig',
  ]);
  const kept = /\.(BootstrapConfigDump|ListenersConfigDump)$/;
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v === null || typeof v !== 'object') return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!heavy.has(k)) out[k] = strip(x);
    return out;
  };
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    const configs = (json as { configs?: unknown }).configs;
    if (Array.isArray(configs)) {
      const relevant = configs.filter((c: unknown) => {
        const t = c !== null && typeof c === 'object' ? (c as Record<string, unknown>)['@type'] : undefined;
        return typeof t !== 'string' || kept.test(t);
      });
      return { ...json, configs: relevant.map(strip) };
    }
  }
  return strip(json);
}
