/**
 * Hash routing: every page is `index.html#/...`, so the server serves one file and links can be
 * shared (window, namespace and search fields live in the hash's query string).
 */
import { useEffect, useState } from 'preact/hooks';

export const WINDOWS = ['5m', '15m', '1h', '6h', '24h'] as const;
export type Window = (typeof WINDOWS)[number];

export type Route =
  | { readonly page: 'overview'; readonly window: Window; readonly namespace: string | undefined }
  | { readonly page: 'graph'; readonly window: Window; readonly namespace: string | undefined }
  | { readonly page: 'workload'; readonly namespace: string; readonly workload: string; readonly window: Window }
  | { readonly page: 'trace'; readonly traceId: string; readonly stitched: boolean }
  | { readonly page: 'search'; readonly query: URLSearchParams }
  | { readonly page: 'sampling' }
  | { readonly page: 'not-found'; readonly hash: string };

function windowOf(q: URLSearchParams, fallback: Window): Window {
  const w = q.get('window');
  return (WINDOWS as readonly string[]).includes(w ?? '') ? w as Window : fallback;
}

function segmentsOf(path: string): string[] | undefined {
  try {
    return path.split('/').filter((s) => s !== '').map(decodeURIComponent);
  } catch {
    return undefined; // a malformed %-escape
  }
}

/** `#/path?query` split into decoded path segments and the query; undefined for a malformed escape. */
function splitHash(hash: string): { seg: string[]; q: URLSearchParams } | undefined {
  const raw = hash.replace(/^#/, '');
  const mark = raw.indexOf('?');
  const seg = segmentsOf(mark === -1 ? raw : raw.slice(0, mark));
  return seg === undefined ? undefined : { seg, q: new URLSearchParams(mark === -1 ? '' : raw.slice(mark + 1)) };
}

function routeOf(seg: readonly string[], q: URLSearchParams): Route | undefined {
  const [first, second, third] = seg;
  const namespace = q.get('namespace') ?? undefined;
  switch (seg.length) {
    case 0: return { page: 'overview', window: windowOf(q, '15m'), namespace };
    case 1:
      if (first === 'overview') return { page: 'overview', window: windowOf(q, '15m'), namespace };
      if (first === 'graph') return { page: 'graph', window: windowOf(q, '15m'), namespace };
      if (first === 'sampling') return { page: 'sampling' };
      return first === 'search' ? { page: 'search', query: q } : undefined;
    case 2: return first === 'traces' ? { page: 'trace', traceId: second!, stitched: q.get('stitched') === 'true' } : undefined;
    case 3: return first === 'workloads' ? { page: 'workload', namespace: second!, workload: third!, window: windowOf(q, '1h') } : undefined;
    default: return undefined;
  }
}

export function parseHash(hash: string): Route {
  const parts = splitHash(hash);
  return (parts === undefined ? undefined : routeOf(parts.seg, parts.q)) ?? { page: 'not-found', hash };
}

function withQuery(path: string, params: Readonly<Record<string, string | undefined>>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v);
  const query = q.toString();
  return `#${path}${query === '' ? '' : `?${query}`}`;
}

/** Links to every page; the only place that knows the hash layout besides `parseHash`. */
export const href = {
  overview: (window?: Window, namespace?: string): string => withQuery('/', { window, namespace }),
  graph: (window?: Window, namespace?: string): string => withQuery('/graph', { window, namespace }),
  workload: (namespace: string, workload: string, window?: Window): string =>
    withQuery(`/workloads/${encodeURIComponent(namespace)}/${encodeURIComponent(workload)}`, { window }),
  /** A `namespace/workload` key, as edges name their ends. */
  workloadKey: (key: string, window?: Window): string => {
    const slash = key.indexOf('/');
    return slash === -1 ? href.workload('', key, window) : href.workload(key.slice(0, slash), key.slice(slash + 1), window);
  },
  trace: (traceId: string, stitched = false): string => withQuery(`/traces/${encodeURIComponent(traceId)}`, { stitched: stitched ? 'true' : undefined }),
  search: (params: Readonly<Record<string, string | undefined>> = {}): string => withQuery('/search', params),
  sampling: (): string => '#/sampling',
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseHash(location.hash));
  useEffect(() => {
    const update = (): void => setRoute(parseHash(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

/** Changes the hash, so the new state is in the history and the URL. */
export function navigate(hash: string): void {
  if (location.hash !== hash) location.hash = hash;
}
